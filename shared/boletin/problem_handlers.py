"""RFC 9457 error handlers for the Powertools REST resolvers of the HTTP functions.

Kept apart from boletin.http, which stays free of Powertools types.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from boletin.errors import BoletinError, NotFoundError
from boletin.http import PROBLEM_JSON, error_problem, problem_body


def install_problem_handlers(app: APIGatewayRestResolver, *, bearer_challenge: bool = False) -> None:
    """Every BoletinError and every unknown path answer as application/problem+json.

    With ``bearer_challenge`` a 401 also carries ``WWW-Authenticate: Bearer`` (the office API).
    """

    def problem_response(error: BoletinError) -> Response[str]:
        problem = error_problem(error, instance=app.current_event.path)
        headers = {"WWW-Authenticate": "Bearer"} if bearer_challenge and problem.status == 401 else {}
        return Response(
            status_code=problem.status, content_type=PROBLEM_JSON, body=problem_body(problem), headers=headers
        )

    def handle_not_found(_: Exception) -> Response[str]:
        return problem_response(NotFoundError(f"No resource at {app.current_event.path}."))

    # Registered by call rather than as decorators: Powertools' decorators are untyped.
    app.exception_handler(BoletinError)(problem_response)
    app.not_found(handle_not_found)
