"""The API's OpenAPI 3.1 description, built from the code of the functions that serve it.

Each route declares its summary, responses (pydantic models for JSON bodies) and security in its
Powertools decorator; Powertools turns each function's routes into paths. The handlers parse their own
bodies and queries (no `enable_validation`, for cold start), so this module adds what Powertools cannot
see, from the same pydantic models the handlers parse with, as each route's `x-boletin` extension asks:
`body` (request body model), `patch` (merge patch of it), `query` (query parameter model), `headers`,
`token` (the email-link token) and `form` (a form body).

Only `GET /openapi.json`, `GET /docs` and `scripts/generate_openapi.py` import this module.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

TITLE = "Boletín API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Offices submit short news bulletins; anyone reads and lists the published ones; readers subscribe "
    "by email. Every error is an RFC 9457 `application/problem+json` document."
)
# The functions whose routes make up the one API (they share one API Gateway).
FUNCTIONS = ("api", "subscriptions")
ROOT = Path(__file__).resolve().parents[2]
_REF = "#/components/schemas/{model}"

_HEADERS: dict[str, dict[str, Any]] = {
    "Idempotency-Key": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Makes a retried submission safe: the same key gives the same bulletin.",
        "schema": {"type": "string", "maxLength": 200},
    },
    "If-Match": {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "description": 'The current version\'s ETag (e.g. "2"); 428 without it, 412 when stale.',
        "schema": {"type": "string"},
    },
}

_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "pointer": {"type": "string"},
                    "detail": {"type": "string"},
                },
                "required": ["field", "pointer", "detail"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}


def _models() -> dict[str, type[BaseModel]]:
    from boletin.models.submissions import BulletinSubmission, BulletinUpdate, BulletinWithdrawal
    from boletin.models.subscriptions import SubscriptionRequest
    from boletin.services.bulletin_lists import ListQuery

    return {
        model.__name__: model
        for model in (BulletinSubmission, BulletinUpdate, BulletinWithdrawal, SubscriptionRequest, ListQuery)
    }


def _load_resolver(name: str) -> Any | None:
    """The `app` of functions/<name>/app.py, or None where that function's code is not deployed."""
    path = ROOT / "functions" / name / "app.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"boletin_openapi_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


def _schema_of(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True, ref_template=_REF)
    for name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    return schema


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or a string, never null: drop pydantic's `anyOf [..., null]`."""
    variants = [v for v in schema.get("anyOf", []) if v != {"type": "null"}]
    if len(variants) == 1:
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
        return {**variants[0], **rest}
    return {k: v for k, v in schema.items() if not (k == "default" and v is None)}


def _apply_extension(operation: dict[str, Any], schemas: dict[str, Any], models: dict[str, Any]) -> None:
    extension = operation.pop("x-boletin", None)
    if not extension:
        return
    parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
    if "body" in extension:
        name = extension["body"]
        schemas.setdefault(name, _schema_of(models[name], schemas))
        if extension.get("patch"):
            patch = copy.deepcopy(schemas[name])
            patch.pop("required", None)
            patch["title"] = f"{name}Patch"
            schemas.setdefault(f"{name}Patch", patch)
            ref = {"$ref": _REF.format(model=f"{name}Patch")}
            content = {"application/merge-patch+json": {"schema": ref}, "application/json": {"schema": ref}}
        else:
            content = {"application/json": {"schema": {"$ref": _REF.format(model=name)}}}
        operation["requestBody"] = {"required": True, "content": content}
    if "query" in extension:
        query = _schema_of(models[extension["query"]], schemas)
        required = set(query.get("required", []))
        for field, field_schema in query["properties"].items():
            field_schema = _not_null(field_schema)
            description = field_schema.pop("description", None)
            parameter: dict[str, Any] = {
                "name": field,
                "in": "query",
                "required": field in required,
                "schema": field_schema,
            }
            if description:
                parameter["description"] = description
            parameters.append(parameter)
    for name in extension.get("headers", []):
        parameters.append(_HEADERS[name])
    if extension.get("token"):
        parameters.append(
            {
                "name": "token",
                "in": "query",
                "required": True,
                "description": "The signed token of the email link.",
                "schema": {"type": "string"},
            }
        )
    if extension.get("form"):
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "additionalProperties": {"type": "string"}}
                }
            },
        }
    if not parameters:
        del operation["parameters"]


def build(resolvers: list[Any]) -> dict[str, Any]:
    """One document from the routes of every resolver given."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    security_schemes: dict[str, Any] = {
        "officeKey": HTTPBearer(description="An office key: Authorization: Bearer <key>.")
    }
    document: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for resolver in resolvers:
        part = json.loads(
            resolver.get_openapi_json_schema(
                title=TITLE, version=VERSION, description=DESCRIPTION, security_schemes=security_schemes
            )
        )
        for path, operations in part.get("paths", {}).items():
            paths.setdefault(path, {}).update(operations)
        components = part.get("components", {})
        schemas.update(components.get("schemas", {}))
        document = document or part
    models = _models()
    for operations in paths.values():
        for operation in operations.values():
            _apply_extension(operation, schemas, models)
    schemas["Problem"] = _PROBLEM_SCHEMA
    # Powertools' own validation-error schemas: unused, since handlers answer problems instead.
    text = json.dumps(paths)
    for unused in ("HTTPValidationError", "ResponseValidationError", "ValidationError"):
        if _REF.format(model=unused) not in text:
            schemas.pop(unused, None)
    document["paths"] = dict(sorted(paths.items()))
    document.setdefault("components", {})["schemas"] = dict(sorted(schemas.items()))
    return document


def document(current: Any | None = None) -> dict[str, Any]:
    """The whole API's description; `current` stands for the calling function's own resolver (api)."""
    resolvers = []
    for name in FUNCTIONS:
        resolver = current if (name == "api" and current is not None) else _load_resolver(name)
        if resolver is not None:
            resolvers.append(resolver)
    return build(resolvers)


def dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


PUBLISHED = Path(__file__).resolve().parent / "data" / "openapi.json"


@functools.cache
def _document_json(current: Any | None) -> str:
    # The committed description ships in the layer: a deployed function serves it as is (it holds
    # only its own handler's code), and a test keeps it identical to what the code builds.
    if PUBLISHED.is_file():
        return PUBLISHED.read_text(encoding="utf-8")
    return dumps(document(current))


def document_json(current: Any | None = None) -> str:
    return _document_json(current)


@functools.cache
def _swagger_html(current: Any | None) -> str:
    import aws_lambda_powertools.event_handler as event_handler
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    assets = Path(event_handler.__file__).parent / "openapi" / "swagger_ui"
    spec = _document_json(current).replace("</", "<\\/")
    return generate_swagger_html(
        spec,
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        "",
        None,
    )


def swagger_html(current: Any | None = None) -> str:
    """Swagger UI for the document, its script and styles inline (Powertools' copies): no CDN. Its
    link to the document is openapi.json beside it (Powertools' ?format=json is not served here)."""
    html = _swagger_html(current)
    return html.replace('currentUrl.pathname + "?format=json"', '"openapi.json"')


def docs_headers(html: str) -> dict[str, str]:
    """The page may run only its own inline scripts (by hash), load nothing from elsewhere and never
    be framed: a Content-Security-Policy and X-Frame-Options for /docs."""
    import base64
    import hashlib
    import re

    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    )
    policy = (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self' data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
