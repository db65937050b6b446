"""Bulletins API: submit, preview, read and list bulletins; topics; the list of feeds."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypeVar, overload

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import EphemeralMetrics
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from boletin.composition.bulletin_store import bulletin_index
from boletin.composition.bulletins import (
    bulletin_lifecycle,
    bulletin_lists,
    bulletin_service,
)
from boletin.composition.offices import office_service
from boletin.errors import BulletinWithdrawnError, FieldError
from boletin.http import (
    PROBLEM_JSON,
    caller_from_authorizer,
    checked_caller,
    header,
    invalid_fields,
    optional_caller,
    parse_json_body,
    parse_json_object,
    parse_query,
)
from boletin.models.bulletin_views import BulletinPage, BulletinTombstone, BulletinView
from boletin.models.bulletins import BulletinRecord
from boletin.models.enrichment import EnrichmentPreview
from boletin.models.offices import Caller
from boletin.models.submissions import BulletinSubmission, BulletinUpdate, BulletinWithdrawal
from boletin.observability import BusinessMetric, count
from boletin.problem_handlers import install_problem_handlers
from boletin.services.bulletin_lists import ListQuery
from boletin.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

logger = Logger()
metrics = EphemeralMetrics()
app = APIGatewayRestResolver()
BodyT = TypeVar("BodyT", bound=BaseModel)

# What the OpenAPI description says of each route (boletin.openapi builds it; nothing here is costly).
_OFFICE_KEY: list[dict[str, list[str]]] = [{"officeKey": []}]
_PROBLEMS = {
    400: "Malformed request (not JSON, bad base64, a bad cursor).",
    401: "A valid office key is required.",
    404: "No such bulletin (or not visible to this caller).",
    409: "Conflict.",
    410: "The bulletin was withdrawn.",
    412: "If-Match does not name the current version.",
    413: "The body is over 256 KB.",
    415: "The body is not JSON.",
    422: "Invalid fields (each one named in `errors`).",
    428: "If-Match is required.",
}


def _problems(*codes: int) -> dict[int, OpenAPIResponse]:
    return {
        code: {
            "description": _PROBLEMS[code],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }


def _ok(
    description: str, schema: dict[str, Any] | type[Any], *, status: int = 200
) -> dict[int, OpenAPIResponse]:
    content: Any = {"model": schema} if isinstance(schema, type) else {"schema": schema}
    return {status: {"description": description, "content": {"application/json": content}}}


def _items(description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"type": "object"}, "description": description}},
        "required": ["items"],
    }


@overload
def _body(model: type[BodyT]) -> BodyT: ...
@overload
def _body(model: None) -> dict[str, Any]: ...
def _body(model: type[BodyT] | None) -> BodyT | dict[str, Any]:
    """The request's JSON body as `model` (None: any JSON object, for a merge patch), or the problem
    that names what is wrong with it."""
    event = app.current_event
    body, is_base64, content_type = event.body, event.is_base64_encoded or False, _header("Content-Type")
    if model is None:
        return parse_json_object(body, is_base64=is_base64, content_type=content_type)
    return parse_json_body(model, body, is_base64=is_base64, content_type=content_type)


def _header(name: str) -> str | None:
    return header(app.current_event.headers, name)


def _request_context() -> dict[str, Any]:
    context: dict[str, Any] = app.current_event.raw_event.get("requestContext", {})
    return context


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(body, ensure_ascii=False),
        headers=headers or {},
    )


@app.post(
    "/bulletins",
    summary="Submit a bulletin",
    description="Stores the submission (one conditional write); it is enriched and published within seconds. "
    "A retry with the same Idempotency-Key returns the same bulletin.",
    tags=["Bulletins"],
    operation_id="submitBulletin",
    security=_OFFICE_KEY,
    responses={
        **_ok("Stored; Location names the new bulletin.", BulletinView, status=201),
        **_problems(400, 401, 413, 415, 422),
    },
    openapi_extensions={"x-boletin": {"body": "BulletinSubmission", "headers": ["Idempotency-Key"]}},
)
def submit_bulletin() -> Response[str]:
    caller = caller_from_authorizer(_request_context())
    submission = _body(BulletinSubmission)
    result = bulletin_service().submit(caller, submission, idempotency_key=_header("Idempotency-Key"))
    base_url = get_settings().public_base_url
    view = BulletinView.from_record(result.record, base_url=base_url)
    headers = {"Location": f"{base_url}/bulletins/{result.record.id}", "ETag": f'"{result.record.version}"'}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    else:
        count(metrics, BusinessMetric.BULLETINS_RECEIVED)
    logger.info(
        "bulletin submitted", bulletin_id=result.record.id, office=caller.office, replayed=result.replayed
    )
    return _json(201, view.model_dump(mode="json"), headers)


@app.post(
    "/bulletins/preview",
    summary="Preview the enrichment of a bulletin",
    description=(
        "What enrichment would make of a submission (countries, topics, summary), storing nothing, and"
        " the evidence: per topic and country, the phrases that voted, their points and the threshold."
    ),
    tags=["Bulletins"],
    operation_id="previewBulletin",
    security=_OFFICE_KEY,
    responses={
        **_ok("The enrichment and its evidence.", EnrichmentPreview),
        **_problems(400, 401, 413, 415, 422),
    },
    openapi_extensions={"x-boletin": {"body": "BulletinSubmission"}},
)
def preview_bulletin() -> Response[str]:
    from boletin.services.preview import preview_enrichment

    checked_caller(_request_context(), office_service())
    return _json(200, preview_enrichment(_body(BulletinSubmission)).model_dump(mode="json"))


def _caller() -> Caller | None:
    return optional_caller(_request_context(), app.current_event.headers, office_service())


def _writer() -> Caller:
    return caller_from_authorizer(_request_context())


def _bulletin_response(record: BulletinRecord, caller: Caller | None, status: int = 200) -> Response[str]:
    view = BulletinView.from_record(record, base_url=get_settings().public_base_url)
    if caller is not None and caller.office == record.office:
        view.delivery = bulletin_service().delivery_report(record)
    return _json(status, view.model_dump(mode="json"), {"ETag": f'"{record.version}"'})


@app.get(
    "/bulletins/<bulletin_id>",
    summary="Read a bulletin",
    description="Published bulletins to anyone; the owning office (with its key) sees any status and a "
    "delivery report.",
    tags=["Bulletins"],
    operation_id="getBulletin",
    responses={
        **_ok("The bulletin; ETag is its version.", BulletinView),
        410: {
            "description": "Withdrawn: its tombstone.",
            "content": {"application/json": {"model": BulletinTombstone}},
        },
        **_problems(401, 404),
    },
)
def get_bulletin(bulletin_id: str) -> Response[str]:
    caller = _caller()
    try:
        record = bulletin_service().get(bulletin_id, caller)
    except BulletinWithdrawnError:
        return _json(410, bulletin_service().tombstone(bulletin_id).model_dump(mode="json"))
    return _bulletin_response(record, caller)


@app.get(
    "/bulletins/<bulletin_id>/versions",
    summary="List the versions of a bulletin",
    description="Every version, oldest first: who replaced it, when, and which fields changed.",
    tags=["Bulletins"],
    operation_id="listBulletinVersions",
    responses={**_ok("The versions.", _items("versions, oldest first")), **_problems(401, 404, 410)},
)
def list_versions(bulletin_id: str) -> Response[str]:
    return _json(200, {"items": bulletin_lifecycle().versions(bulletin_id, _caller())})


_CORRECTION = "Owner only. If-Match must name the current version (its ETag)."


def _owner_change(
    summary: str,
    operation_id: str,
    ok: dict[int, OpenAPIResponse],
    *,
    body: str,
    description: str = _CORRECTION,
    **extra: Any,
) -> dict[str, Any]:
    """What the OpenAPI description says of a change only the owning office makes, naming the
    version it changes in If-Match."""
    return {
        "summary": summary,
        "description": description,
        "tags": ["Bulletins"],
        "operation_id": operation_id,
        "security": _OFFICE_KEY,
        "responses": {**ok, **_problems(400, 401, 404, 410, 412, 413, 415, 422, 428)},
        "openapi_extensions": {"x-boletin": {"body": body, **extra, "headers": ["If-Match"]}},
    }


@app.put(
    "/bulletins/<bulletin_id>",
    **_owner_change(
        "Correct a bulletin (full replacement)",
        "replaceBulletin",
        _ok("The corrected bulletin.", BulletinView),
        body="BulletinUpdate",
    ),
)
def replace_bulletin(bulletin_id: str) -> Response[str]:
    caller = _writer()
    update = _body(BulletinUpdate)
    record, _ = bulletin_lifecycle().replace(caller, bulletin_id, update, if_match=_header("If-Match"))
    return _bulletin_response(record, caller)


@app.patch(
    "/bulletins/<bulletin_id>",
    **_owner_change(
        "Correct some fields of a bulletin (JSON merge patch)",
        "patchBulletin",
        _ok("The corrected bulletin.", BulletinView),
        body="BulletinUpdate",
        patch=True,
    ),
)
def patch_bulletin(bulletin_id: str) -> Response[str]:
    caller = _writer()
    patch = _body(None)
    record, _ = bulletin_lifecycle().patch(caller, bulletin_id, patch, if_match=_header("If-Match"))
    return _bulletin_response(record, caller)


@app.delete(
    "/bulletins/<bulletin_id>",
    **_owner_change(
        "Withdraw a bulletin",
        "withdrawBulletin",
        _ok("Its tombstone.", BulletinTombstone),
        body="BulletinWithdrawal",
        description="Owner only. The bulletin becomes a 410 tombstone showing the reason.",
    ),
)
def withdraw_bulletin(bulletin_id: str) -> Response[str]:
    caller = _writer()
    if not (app.current_event.body or "").strip():
        raise invalid_fields("A withdrawal needs its reason", [FieldError("reason", "is required")])
    withdrawal = _body(BulletinWithdrawal)
    bulletin_lifecycle().withdraw(caller, bulletin_id, withdrawal, if_match=_header("If-Match"))
    return _json(200, bulletin_service().tombstone(bulletin_id).model_dump(mode="json"))


@app.get(
    "/bulletins",
    summary="List published bulletins",
    description="Newest first. An office asking office=<its id> with its key sees its own at any status.",
    tags=["Bulletins"],
    operation_id="listBulletins",
    responses={**_ok("A page; pass next_cursor back as cursor.", BulletinPage), **_problems(400, 401, 422)},
    openapi_extensions={"x-boletin": {"query": "ListQuery"}},
)
def list_bulletins() -> Response[str]:
    caller = _caller()
    query = parse_query(ListQuery, app.current_event.query_string_parameters)
    page, _ = bulletin_lists().page(query, caller)
    return _json(200, page.model_dump(mode="json"))


@app.get(
    "/topics",
    summary="The topic vocabulary",
    description="Slugs with their labels in English, Spanish, French and Portuguese.",
    tags=["Vocabulary"],
    operation_id="listTopics",
    responses=_ok("The topics.", _items("topics")),
)
def list_topics() -> Response[str]:
    from boletin.enrichment.taxonomy import list_topics as topics

    items = [
        {
            "slug": t.slug,
            "label_en": t.label_en,
            "label_es": t.label_es,
            "label_fr": t.label_fr,
            "label_pt": t.label_pt,
        }
        for t in topics()
    ]
    return _json(200, {"items": items})


@app.get(
    "/feeds",
    summary="The feeds that exist",
    description="Every feed scope with a published bulletin, with its RSS, Atom and JSON Feed URLs.",
    tags=["Vocabulary"],
    operation_id="listFeeds",
    responses=_ok("The feeds.", _items("feeds")),
)
def list_feeds() -> Response[str]:
    from boletin.services.feeds import list_feeds as feeds

    return _json(200, {"items": feeds(bulletin_index(), feeds_base_url=get_settings().feeds_base_url)})


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    from boletin import openapi

    return Response(status_code=200, content_type="application/json", body=openapi.document_json(app))


@app.get("/docs", include_in_schema=False)
def swagger_ui() -> Response[str]:
    from boletin import openapi

    html = openapi.swagger_html(app)
    headers = openapi.docs_headers(html)
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=html, headers=headers)


install_problem_handlers(app, bearer_challenge=True)


@metrics.log_metrics(capture_cold_start_metric=True)
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
