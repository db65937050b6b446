"""Domain errors. The API maps each to an RFC 9457 problem; nothing here knows about HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One bad field and why."""

    field: str
    reason: str


class BoletinError(Exception):
    """Base of every error a caller can be told about."""

    status: int = 400
    title: str = "Bad request"
    slug: str = "bad-request"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class MalformedRequestError(BoletinError):
    status, title, slug = 400, "Malformed request", "malformed-request"


class RequestValidationError(BoletinError):
    status, title, slug = 422, "Invalid request", "validation-error"


class UnsupportedMediaTypeError(BoletinError):
    status, title, slug = 415, "Unsupported media type", "unsupported-media-type"


class PayloadTooLargeError(BoletinError):
    status, title, slug = 413, "Content too large", "payload-too-large"


class UnauthorizedError(BoletinError):
    status, title, slug = 401, "Unauthorized", "unauthorized"


class NotFoundError(BoletinError):
    status, title, slug = 404, "Not found", "not-found"


class BulletinNotFoundError(NotFoundError):
    pass


class IdempotencyKeyReusedError(BoletinError):
    status, title, slug = 422, "Idempotency key reused", "idempotency-key-reused"


class ConflictError(BoletinError):
    status, title, slug = 409, "Conflict", "conflict"


class PreconditionRequiredError(BoletinError):
    status, title, slug = 428, "Precondition required", "precondition-required"


class PreconditionFailedError(BoletinError):
    status, title, slug = 412, "Precondition failed", "precondition-failed"


class BulletinWithdrawnError(BoletinError):
    status, title, slug = 410, "Gone", "bulletin-withdrawn"


class OfficeScopeError(BoletinError):
    status, title, slug = 422, "Outside the office's countries", "outside-office-scope"


class OfficeExistsError(ConflictError):
    pass


class OfficeNotFoundError(NotFoundError):
    pass


@dataclass(frozen=True)
class Problem:
    """An RFC 9457 problem details object."""

    status: int
    title: str
    detail: str
    type: str = "about:blank"
    instance: str | None = None
    errors: list[FieldError] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        body: dict[str, object] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.instance:
            body["instance"] = self.instance
        if self.errors:
            body["errors"] = [
                {"field": e.field, "pointer": _pointer(e.field), "detail": e.reason} for e in self.errors
            ]
        return body


def _pointer(field_name: str) -> str:
    """JSON Pointer (RFC 6901) of a dotted field path, as RFC 9457's examples use."""
    parts = [p.replace("~", "~0").replace("/", "~1") for p in field_name.split(".") if p]
    return "#/" + "/".join(parts)


# A URN names each problem type: stable, and nothing a client would try to fetch.
PROBLEM_TYPE_BASE = "urn:boletin:problem:"


def problem_from_error(error: BoletinError, *, instance: str | None = None) -> Problem:
    return Problem(
        status=error.status,
        title=error.title,
        detail=error.detail,
        type=PROBLEM_TYPE_BASE + error.slug,
        instance=instance,
        errors=list(error.errors),
    )
