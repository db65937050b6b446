"""The RFC 9457 handlers both HTTP functions install: every BoletinError and every unknown path is an
application/problem+json answer naming the path; the office API adds a Bearer challenge to a 401."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from boletin.errors import UnauthorizedError
from boletin.problem_handlers import install_problem_handlers


def resolver(*, bearer_challenge: bool) -> APIGatewayRestResolver:
    app = APIGatewayRestResolver()

    @app.get("/private")
    def private() -> None:
        raise UnauthorizedError("A valid office key is required.")

    install_problem_handlers(app, bearer_challenge=bearer_challenge)
    return app


def get(app: APIGatewayRestResolver, path: str) -> dict[str, Any]:
    event = {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": {},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "requestContext": {"resourcePath": path, "httpMethod": "GET", "stage": "v1", "requestId": "r-1"},
        "body": None,
        "isBase64Encoded": False,
    }
    reply: dict[str, Any] = app.resolve(event, None)  # type: ignore[arg-type]
    return reply


def header(reply: dict[str, Any], name: str) -> str | None:
    multi = reply.get("multiValueHeaders") or {}
    if name in multi:
        return str(multi[name][-1])
    value = (reply.get("headers") or {}).get(name)
    return None if value is None else str(value)


@pytest.mark.parametrize(("bearer_challenge", "challenge"), [(True, "Bearer"), (False, None)])
def test_a_boletin_error_is_a_problem_and_a_401_challenges_only_when_asked(
    bearer_challenge: bool, challenge: str | None
) -> None:
    # Given a resolver with the handlers installed, and a route that needs an office key
    app = resolver(bearer_challenge=bearer_challenge)
    # When the route refuses the caller
    reply = get(app, "/private")
    # Then the answer is a 401 problem naming the path, with the challenge only for the office API
    assert reply["statusCode"] == 401
    assert header(reply, "Content-Type") == "application/problem+json"
    problem = json.loads(reply["body"])
    assert (problem["status"], problem["instance"]) == (401, "/private")
    assert header(reply, "WWW-Authenticate") == challenge


def test_an_unknown_path_is_a_404_problem_naming_it() -> None:
    # Given a resolver with the handlers installed
    app = resolver(bearer_challenge=True)
    # When a path no route serves is asked for
    reply = get(app, "/nowhere")
    # Then the answer is a 404 problem that names the path, without a challenge
    assert reply["statusCode"] == 404
    assert header(reply, "Content-Type") == "application/problem+json"
    problem = json.loads(reply["body"])
    assert problem["detail"] == "No resource at /nowhere."
    assert header(reply, "WWW-Authenticate") is None
