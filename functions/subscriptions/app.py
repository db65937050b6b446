"""Subscriptions API: subscribe, confirm, one-click unsubscribe (RFC 8058) and preferences."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import EphemeralMetrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from boletin.composition.email import subscription_service
from boletin.http import PROBLEM_JSON, body_bytes, header, parse_json_body
from boletin.models.subscriptions import SubscriptionRequest
from boletin.observability import BusinessMetric, count
from boletin.problem_handlers import install_problem_handlers
from boletin.services import subscription_pages as pages
from boletin.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

logger = Logger()
metrics = EphemeralMetrics()
app = APIGatewayRestResolver()

# What the OpenAPI description says of each route (boletin.openapi builds it; nothing here is costly).
_HTML = "text/html; charset=utf-8"


def _pages(codes: dict[int, str]) -> dict[int, OpenAPIResponse]:
    return {
        code: {"description": text, "content": {_HTML: {"schema": {"type": "string"}}}}
        for code, text in codes.items()
    }


def _problems(*codes: int) -> dict[int, OpenAPIResponse]:
    texts = {
        400: "Malformed request.",
        409: "Another request for this address is being handled; try again.",
        413: "The body is over 256 KB.",
        415: "The body is not JSON.",
        422: "Invalid fields (each one named in `errors`).",
    }
    return {
        code: {
            "description": texts[code],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }


def _page(page: pages.Page) -> Response[str]:
    return Response(status_code=page.status, body=page.html, headers=dict(page.headers))


def _token() -> str:
    return (app.current_event.query_string_parameters or {}).get("token", "")


def _form_body() -> bytes:
    event = app.current_event
    return body_bytes(event.body, event.is_base64_encoded or False)


@app.post(
    "/subscriptions",
    summary="Subscribe to bulletins by email",
    description="Double opt-in: a confirmation link is emailed. The answer is the same whether or not the "
    "address is known or suppressed. The subscribe page's form may post the same fields "
    "form-encoded (countries and topics repeated); it is answered with an HTML page in the "
    "subscriber's language.",
    tags=["Subscriptions"],
    operation_id="subscribe",
    responses={
        202: {
            "description": "Accepted: a confirmation email may be on its way.",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"status": {"const": "pending"}, "detail": {"type": "string"}},
                        "required": ["status", "detail"],
                    }
                },
                _HTML: {"schema": {"type": "string"}},
            },
        },
        **_problems(400, 409, 413, 415, 422),
    },
    openapi_extensions={"x-boletin": {"body": "SubscriptionRequest"}},
)
def subscribe() -> Response[str]:
    event = app.current_event
    content_type = (header(event.headers, "Content-Type") or "").split(";", 1)[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        # The subscribe page's form (no JavaScript): the same flow, answered with an HTML page.
        page = pages.subscribe_form(
            subscription_service(), _form_body(), site_base_url=get_settings().site_base_url
        )
        logger.info("subscription requested from the form", status=page.status)
        if page.status == 202:
            count(metrics, BusinessMetric.SUBSCRIPTIONS_REQUESTED)
        return _page(page)
    request = parse_json_body(
        SubscriptionRequest,
        event.body,
        is_base64=event.is_base64_encoded or False,
        content_type=header(event.headers, "Content-Type"),
    )
    source_ip = (event.raw_event.get("requestContext") or {}).get("identity", {}).get("sourceIp")
    subscription_id = subscription_service().subscribe(request, source_ip=source_ip)
    from boletin.email.i18n import translate

    logger.info("subscription requested", queued=subscription_id is not None)
    count(metrics, BusinessMetric.SUBSCRIPTIONS_REQUESTED)
    # The same answer whatever happened: no one learns whether an address is known or suppressed.
    body = {"status": "pending", "detail": translate(request.language, "subscribe.accepted")}
    return Response(status_code=202, content_type="application/json", body=json.dumps(body))


@app.get(
    "/subscriptions/confirm",
    summary="The confirmation page",
    description="Confirms the subscription named by the token (the link in the confirmation email).",
    tags=["Subscriptions"],
    operation_id="confirmPage",
    responses=_pages(
        {
            200: "Confirmed.",
            404: "The link is not valid.",
            410: "The link has expired or the subscription ended.",
        }
    ),
    openapi_extensions={"x-boletin": {"token": True}},
)
def confirm_page() -> Response[str]:
    return _page(pages.confirm(subscription_service(), _token()))


@app.post(
    "/subscriptions/confirm",
    summary="Confirm a subscription",
    description="Confirms the subscription named by the token.",
    tags=["Subscriptions"],
    operation_id="confirm",
    responses=_pages(
        {
            200: "Confirmed.",
            404: "The link is not valid.",
            410: "The link has expired or the subscription ended.",
        }
    ),
    openapi_extensions={"x-boletin": {"token": True}},
)
def confirm() -> Response[str]:
    return _page(pages.confirm(subscription_service(), _token()))


@app.get(
    "/subscriptions/unsubscribe",
    summary="The unsubscribe page",
    description="Shows a button only: mail scanners fetch links, and a GET never unsubscribes.",
    tags=["Subscriptions"],
    operation_id="unsubscribePage",
    responses=_pages({200: "The page with its button.", 404: "The link is not valid."}),
    openapi_extensions={"x-boletin": {"token": True}},
)
def unsubscribe_page() -> Response[str]:
    # Only shows a button: mail scanners fetch links, and a GET must never unsubscribe.
    return _page(pages.unsubscribe_form(subscription_service(), _token(), app.current_event.path))


@app.post(
    "/subscriptions/unsubscribe",
    summary="Unsubscribe (RFC 8058 one-click)",
    description="Ends the subscription named by the token.",
    tags=["Subscriptions"],
    operation_id="unsubscribe",
    responses=_pages({200: "Unsubscribed.", 404: "The link is not valid."}),
    openapi_extensions={"x-boletin": {"token": True}},
)
def unsubscribe() -> Response[str]:
    return _page(pages.unsubscribe(subscription_service(), _token()))


@app.get(
    "/subscriptions/manage",
    summary="The preferences page",
    description="A form with the subscription's countries, topics, language and frequency.",
    tags=["Subscriptions"],
    operation_id="managePage",
    responses=_pages({200: "The form.", 404: "The link is not valid."}),
    openapi_extensions={"x-boletin": {"token": True}},
)
def manage_page() -> Response[str]:
    return _page(pages.manage_form(subscription_service(), _token(), app.current_event.path))


@app.post(
    "/subscriptions/manage",
    summary="Change preferences",
    description="Takes the preferences form (application/x-www-form-urlencoded).",
    tags=["Subscriptions"],
    operation_id="manage",
    responses={
        **_pages({200: "Saved.", 404: "The link is not valid.", 422: "A field is not valid."}),
        **_problems(400, 413),
    },
    openapi_extensions={"x-boletin": {"token": True, "form": True}},
)
def manage() -> Response[str]:
    return _page(pages.manage_submit(subscription_service(), _token(), app.current_event.path, _form_body()))


install_problem_handlers(app)


@metrics.log_metrics(capture_cold_start_metric=True)
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
