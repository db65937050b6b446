"""Bulletins API: submit, preview, read and list bulletins; topics; the list of feeds."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from boletin.errors import BoletinError, BulletinWithdrawnError, NotFoundError
from boletin.http import (
    PROBLEM_JSON,
    caller_from_authorizer,
    error_problem,
    header,
    optional_caller,
    parse_json_body,
    parse_json_object,
    parse_query,
    problem_body,
)
from boletin.models.bulletins import (
    BulletinRecord,
    BulletinSubmission,
    BulletinUpdate,
    BulletinView,
    BulletinWithdrawal,
)
from boletin.models.offices import Caller
from boletin.services import bulletins as service
from boletin.services import lifecycle
from boletin.settings import get_settings

logger = Logger()
app = APIGatewayRestResolver()


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(body, ensure_ascii=False),
        headers=headers or {},
    )


@app.post("/bulletins")
def submit_bulletin() -> Response[str]:
    event = app.current_event
    caller = caller_from_authorizer(event.raw_event.get("requestContext", {}))
    submission = parse_json_body(
        BulletinSubmission,
        event.body,
        is_base64=event.is_base64_encoded or False,
        content_type=header(event.headers, "Content-Type"),
    )
    result = service.submit_bulletin(
        caller, submission, idempotency_key=header(event.headers, "Idempotency-Key")
    )
    base_url = get_settings().public_base_url
    view = BulletinView.from_record(result.record, base_url=base_url)
    headers = {"Location": f"{base_url}/bulletins/{result.record.id}", "ETag": f'"{result.record.version}"'}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    logger.info(
        "bulletin submitted", bulletin_id=result.record.id, office=caller.office, replayed=result.replayed
    )
    return _json(201, view.model_dump(mode="json"), headers)


@app.post("/bulletins/preview")
def preview_bulletin() -> Response[str]:
    event = app.current_event
    caller_from_authorizer(event.raw_event.get("requestContext", {}))
    submission = parse_json_body(
        BulletinSubmission,
        event.body,
        is_base64=event.is_base64_encoded or False,
        content_type=header(event.headers, "Content-Type"),
    )
    return _json(200, service.preview_enrichment(submission).model_dump(mode="json"))


def _caller() -> Caller | None:
    event = app.current_event
    return optional_caller(event.raw_event.get("requestContext", {}), event.headers)


def _writer() -> Caller:
    return caller_from_authorizer(app.current_event.raw_event.get("requestContext", {}))


def _bulletin_response(record: BulletinRecord, caller: Caller | None, status: int = 200) -> Response[str]:
    view = BulletinView.from_record(record, base_url=get_settings().public_base_url)
    if caller is not None and caller.office == record.office:
        view.delivery = service.delivery_report(record)
    return _json(status, view.model_dump(mode="json"), {"ETag": f'"{record.version}"'})


@app.get("/bulletins/<bulletin_id>")
def get_bulletin(bulletin_id: str) -> Response[str]:
    caller = _caller()
    try:
        record = service.get_bulletin(bulletin_id, caller)
    except BulletinWithdrawnError:
        return _json(410, service.tombstone(bulletin_id).model_dump(mode="json"))
    return _bulletin_response(record, caller)


@app.get("/bulletins/<bulletin_id>/versions")
def list_versions(bulletin_id: str) -> Response[str]:
    return _json(200, {"items": lifecycle.list_versions(bulletin_id, _caller())})


@app.put("/bulletins/<bulletin_id>")
def replace_bulletin(bulletin_id: str) -> Response[str]:
    event = app.current_event
    caller = _writer()
    update = parse_json_body(
        BulletinUpdate,
        event.body,
        is_base64=event.is_base64_encoded or False,
        content_type=header(event.headers, "Content-Type"),
    )
    record, _ = lifecycle.replace_bulletin(
        caller, bulletin_id, update, if_match=header(event.headers, "If-Match")
    )
    return _bulletin_response(record, caller)


@app.patch("/bulletins/<bulletin_id>")
def patch_bulletin(bulletin_id: str) -> Response[str]:
    event = app.current_event
    caller = _writer()
    patch = parse_json_object(
        event.body,
        is_base64=event.is_base64_encoded or False,
        content_type=header(event.headers, "Content-Type"),
    )
    record, _ = lifecycle.patch_bulletin(
        caller, bulletin_id, patch, if_match=header(event.headers, "If-Match")
    )
    return _bulletin_response(record, caller)


@app.delete("/bulletins/<bulletin_id>")
def withdraw_bulletin(bulletin_id: str) -> Response[str]:
    event = app.current_event
    caller = _writer()
    withdrawal = parse_json_body(
        BulletinWithdrawal,
        event.body,
        is_base64=event.is_base64_encoded or False,
        content_type=header(event.headers, "Content-Type"),
    )
    lifecycle.withdraw_bulletin(caller, bulletin_id, withdrawal, if_match=header(event.headers, "If-Match"))
    return _json(200, service.tombstone(bulletin_id).model_dump(mode="json"))


@app.get("/bulletins")
def list_bulletins() -> Response[str]:
    event = app.current_event
    caller = optional_caller(event.raw_event.get("requestContext", {}), event.headers)
    query = parse_query(service.ListQuery, event.query_string_parameters)
    page, _ = service.list_bulletins(query, caller)
    return _json(200, page.model_dump(mode="json"))


@app.get("/topics")
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


@app.get("/feeds")
def list_feeds() -> Response[str]:
    from boletin.services.feeds import list_feeds as feeds

    return _json(200, {"items": feeds()})


def _problem(error: BoletinError) -> Response[str]:
    problem = error_problem(error, instance=app.current_event.path)
    headers = {"WWW-Authenticate": "Bearer"} if problem.status == 401 else {}
    return Response(
        status_code=problem.status, content_type=PROBLEM_JSON, body=problem_body(problem), headers=headers
    )


@app.exception_handler(BoletinError)
def handle_boletin_error(error: BoletinError) -> Response[str]:
    return _problem(error)


@app.not_found
def handle_not_found(_: Exception) -> Response[str]:
    return _problem(NotFoundError(f"No resource at {app.current_event.path}."))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
