"""Domain errors. The API maps each to an RFC 9457 problem; nothing here knows about HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One bad field and why."""

    field: str
    reason: str


class BoletinError(Exception):
    """Base of every error a caller can be told about. Each kind names, in its class line, the HTTP
    status, the title and the slug of its problem type (`urn:boletin:problem:<slug>`)."""

    status: int = 400
    title: str = "Bad request"
    slug: str = "bad-request"

    def __init_subclass__(
        cls, *, status: int | None = None, title: str | None = None, slug: str | None = None
    ) -> None:
        super().__init_subclass__()
        cls.status = cls.status if status is None else status
        cls.title = cls.title if title is None else title
        cls.slug = cls.slug if slug is None else slug

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class MalformedRequestError(BoletinError, status=400, title="Malformed request", slug="malformed-request"):
    """The request cannot be read at all: not JSON, bad base64 or UTF-8, a bad cursor or header."""


class RequestValidationError(BoletinError, status=422, title="Invalid request", slug="validation-error"):
    """The request reads, but fields are wrong: each one is named in `errors`."""


class UnsupportedMediaTypeError(
    BoletinError, status=415, title="Unsupported media type", slug="unsupported-media-type"
):
    """The body is not in a media type the route takes."""


class PayloadTooLargeError(BoletinError, status=413, title="Content too large", slug="payload-too-large"):
    """The body is over the API's limit."""


class UnauthorizedError(BoletinError, status=401, title="Unauthorized", slug="unauthorized"):
    """No office key, or one that is unknown, revoked or of a disabled office."""


class NotFoundError(BoletinError, status=404, title="Not found", slug="not-found"):
    """Nothing there, as far as this caller may know."""


class BulletinNotFoundError(NotFoundError):
    """No such bulletin, or one this caller may not see."""


class IdempotencyKeyReusedError(
    BoletinError, status=422, title="Idempotency key reused", slug="idempotency-key-reused"
):
    """An Idempotency-Key already used with a different request."""


class ConflictError(BoletinError, status=409, title="Conflict", slug="conflict"):
    """What the request would create exists already."""


class PreconditionRequiredError(
    BoletinError, status=428, title="Precondition required", slug="precondition-required"
):
    """A change that must name the version it changes (If-Match) did not."""


class PreconditionFailedError(
    BoletinError, status=412, title="Precondition failed", slug="precondition-failed"
):
    """The version named is not the current one, or the change cannot be made to it."""


class BulletinWithdrawnError(BoletinError, status=410, title="Gone", slug="bulletin-withdrawn"):
    """The bulletin was withdrawn: its tombstone says why."""


class OfficeScopeError(
    BoletinError, status=422, title="Outside the office's countries", slug="outside-office-scope"
):
    """A bulletin tagged only with countries the office does not publish for."""


class OfficeExistsError(ConflictError):
    """An office with that id exists already."""


class OfficeNotFoundError(NotFoundError):
    """No such office (or key)."""


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
