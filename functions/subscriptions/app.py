"""Subscriptions API: subscribe, confirm, one-click unsubscribe (RFC 8058) and preferences."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from boletin.errors import BoletinError, NotFoundError
from boletin.http import PROBLEM_JSON, body_bytes, error_problem, header, parse_json_body, problem_body
from boletin.models.subscriptions import SubscriptionRequest
from boletin.services import subscription_pages as pages
from boletin.services.subscriptions import SubscriptionService

logger = Logger()
app = APIGatewayRestResolver()
_service: SubscriptionService | None = None


def _get_service() -> SubscriptionService:
    global _service
    if _service is None:
        _service = SubscriptionService.from_settings()
    return _service


def _page(page: pages.Page) -> Response[str]:
    return Response(status_code=page.status, body=page.html, headers=dict(page.headers))


def _token() -> str:
    return (app.current_event.query_string_parameters or {}).get("token", "")


def _form_body() -> bytes:
    event = app.current_event
    return body_bytes(event.body, event.is_base64_encoded or False)


@app.post("/subscriptions")
def subscribe() -> Response[str]:
    event = app.current_event
    request = parse_json_body(
        SubscriptionRequest,
        event.body,
        is_base64=event.is_base64_encoded or False,
        content_type=header(event.headers, "Content-Type"),
    )
    subscription_id = _get_service().subscribe(request)
    logger.info("subscription requested", queued=subscription_id is not None)
    # The same answer whatever happened: no one learns whether an address is known or suppressed.
    body = {
        "status": "pending",
        "detail": "If this address can receive our emails, a confirmation link is on its way.",
    }
    return Response(status_code=202, content_type="application/json", body=json.dumps(body))


@app.get("/subscriptions/confirm")
def confirm_page() -> Response[str]:
    return _page(pages.confirm(_get_service(), _token()))


@app.post("/subscriptions/confirm")
def confirm() -> Response[str]:
    return _page(pages.confirm(_get_service(), _token()))


@app.get("/subscriptions/unsubscribe")
def unsubscribe_page() -> Response[str]:
    # Only shows a button: mail scanners fetch links, and a GET must never unsubscribe.
    return _page(pages.unsubscribe_form(_get_service(), _token(), app.current_event.path))


@app.post("/subscriptions/unsubscribe")
def unsubscribe() -> Response[str]:
    return _page(pages.unsubscribe(_get_service(), _token()))


@app.get("/subscriptions/manage")
def manage_page() -> Response[str]:
    return _page(pages.manage_form(_get_service(), _token(), app.current_event.path))


@app.post("/subscriptions/manage")
def manage() -> Response[str]:
    return _page(pages.manage_submit(_get_service(), _token(), app.current_event.path, _form_body()))


def _problem(error: BoletinError) -> Response[str]:
    problem = error_problem(error, instance=app.current_event.path)
    return Response(status_code=problem.status, content_type=PROBLEM_JSON, body=problem_body(problem))


@app.exception_handler(BoletinError)
def handle_boletin_error(error: BoletinError) -> Response[str]:
    return _problem(error)


@app.not_found
def handle_not_found(_: Exception) -> Response[str]:
    return _problem(NotFoundError(f"No resource at {app.current_event.path}."))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
