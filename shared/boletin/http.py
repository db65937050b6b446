"""HTTP plumbing shared by the API functions: bodies, problems, callers.

Kept free of Powertools types so it is cheap to import and easy to test: handlers pass in what the
API Gateway event holds and get back plain values.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from boletin.errors import (
    BoletinError,
    FieldError,
    MalformedRequestError,
    PayloadTooLargeError,
    Problem,
    RequestValidationError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
    problem_from_error,
)
from boletin.models.offices import Caller

if TYPE_CHECKING:
    from boletin.services.offices import OfficeService

MAX_BODY_BYTES = 256 * 1024
PROBLEM_JSON = "application/problem+json"

ModelT = TypeVar("ModelT", bound=BaseModel)


def header(headers: dict[str, str] | None, name: str) -> str | None:
    """A request header, case-insensitively (API Gateway keeps the client's spelling)."""
    if not headers:
        return None
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def body_bytes(body: str | None, is_base64: bool) -> bytes:
    if body is None:
        return b""
    if is_base64:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedRequestError("The request body is not valid base64.") from None
    return body.encode("utf-8", "surrogatepass")


def field_errors(error: ValidationError) -> list[FieldError]:
    """One clear (field, reason) per problem pydantic found."""
    found: list[FieldError] = []
    for item in error.errors(include_url=False):
        location = ".".join(str(part) for part in item["loc"]) or "body"
        kind = item["type"]
        message = str(item["msg"])
        if kind == "extra_forbidden":
            message = "is not a known field"
        elif kind == "missing":
            message = "is required"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        elif kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
            message = "must be a date in the form YYYY-MM-DD"
        found.append(FieldError(location, message))
    return found


def invalid_fields(summary: str, errors: list[FieldError]) -> RequestValidationError:
    """A 422 whose detail names every bad field and why, in one sentence."""
    return RequestValidationError(
        f"{summary}: " + "; ".join(f"{e.field} {e.reason}" for e in errors) + ".", errors=errors
    )


def parse_json_object(body: str | None, *, is_base64: bool, content_type: str | None) -> dict[str, Any]:
    """A JSON object body (for merge patches), or a BoletinError that says what is wrong."""
    text = _json_text(
        body,
        is_base64=is_base64,
        content_type=content_type,
        allowed=("application/json", "application/merge-patch+json"),
    )
    parsed = _loads(text)
    if not isinstance(parsed, dict):
        raise RequestValidationError(
            "The request body must be a JSON object.", errors=[FieldError("body", "must be a JSON object")]
        )
    return parsed


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise MalformedRequestError(
            f"The request body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        ) from None
    except RecursionError:
        raise MalformedRequestError("The request body nests too deeply.") from None
    except ValueError:
        # Python refuses to turn an integer literal of over 4,300 digits into an int (CVE-2020-10735).
        raise MalformedRequestError("The request body holds a number too long to be read.") from None


def _json_text(
    body: str | None,
    *,
    is_base64: bool,
    content_type: str | None,
    allowed: tuple[str, ...] = ("application/json",),
) -> str:
    raw = body_bytes(body, is_base64)
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLargeError(
            f"The request body is {len(raw):,} bytes; the limit is {MAX_BODY_BYTES:,} bytes (256 KB)."
        )
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in allowed:
        raise UnsupportedMediaTypeError(f"Send the body as JSON with the header Content-Type: {allowed[0]}.")
    if not raw.strip():
        raise MalformedRequestError("The request body is empty; a JSON object is expected.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedRequestError("The request body is not valid UTF-8.") from None


def parse_json_body(
    model: type[ModelT], body: str | None, *, is_base64: bool, content_type: str | None
) -> ModelT:
    """Parse and validate a JSON request body, or raise a BoletinError that says what is wrong."""
    text = _json_text(body, is_base64=is_base64, content_type=content_type)
    parsed = _loads(text)
    if not isinstance(parsed, dict):
        raise RequestValidationError(
            "The request body must be a JSON object.", errors=[FieldError("body", "must be a JSON object")]
        )
    # pydantic refuses a lone surrogate ("\ud800") at the JSON level, without saying where: name it.
    unpaired = [
        FieldError(field, "contains an unpaired surrogate (not Unicode text)")
        for field in _surrogates(parsed)
    ]
    if unpaired:
        raise invalid_fields("The request has invalid fields", unpaired)
    try:
        return model.model_validate_json(text)
    except ValidationError as error:
        raise invalid_fields("The request has invalid fields", field_errors(error)) from None


def _surrogates(value: Any, path: str = "") -> list[str]:
    """The dotted paths of the strings in a parsed JSON value that are not valid Unicode text."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return [path or "body"]
        return []
    if isinstance(value, dict):
        return [
            p for key, item in value.items() for p in _surrogates(item, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(value, list):
        return [
            p for i, item in enumerate(value) for p in _surrogates(item, f"{path}.{i}" if path else str(i))
        ]
    return []


def parse_query(model: type[ModelT], params: dict[str, str] | None) -> ModelT:
    try:
        return model.model_validate(params or {})
    except ValidationError as error:
        raise invalid_fields("The query has invalid parameters", field_errors(error)) from None


def problem_body(problem: Problem) -> str:
    return json.dumps(problem.to_dict(), ensure_ascii=False)


def error_problem(error: BoletinError, *, instance: str | None = None) -> Problem:
    return problem_from_error(error, instance=instance)


def caller_from_authorizer(request_context: dict[str, Any]) -> Caller:
    """The office the API Gateway authorizer let through (its context travels in the event)."""
    context = request_context.get("authorizer") or {}
    office = context.get("office")
    if not office:
        raise UnauthorizedError("A valid office key is required: Authorization: Bearer <key>.")
    return Caller(
        office=str(office),
        office_name=str(context.get("office_name", office)),
        key_id=str(context.get("key_id", "")),
        key_hash=str(context.get("key_hash", "")),
        request_id=str(request_context.get("requestId", "")),
    )


def checked_caller(request_context: dict[str, Any], offices: OfficeService) -> Caller:
    """The authorizer's office, re-checked with one read: API Gateway caches the authorizer's allow,
    so routes that write nothing guarded (preview) must see a revoked key or disabled office at once."""
    return offices.verify_caller(caller_from_authorizer(request_context))


def optional_caller(
    request_context: dict[str, Any], headers: dict[str, str] | None, offices: OfficeService
) -> Caller | None:
    """Public routes: anonymous unless an office key is sent, which must then be valid."""
    if (request_context.get("authorizer") or {}).get("office"):
        return caller_from_authorizer(request_context)
    authorization = header(headers, "Authorization")
    if not authorization:
        return None
    # Never cached: one GetItem per request is what lets a revoked key stop at once.
    return offices.authenticate(authorization)
