"""One HTTP endpoint for every boto3 client: a request goes to the first engine that handles it,
otherwise to moto (in the same process, so engines may read moto's backends: EventBridge rules, SNS
subscriptions)."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterable
from typing import Any, Protocol

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

__all__ = ["SHUTDOWN_POLL", "AwsEndpoint", "Engine", "service_of"]

SHUTDOWN_POLL = 0.05  # how often the local HTTP servers look for a stop request (s): Ctrl-C within 2 s

_FORGET_EVERY = 50  # requests between two resets of moto's instance lists (see _forget_moto_instances)
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def service_of(request: Request) -> str:
    """The signing name of the service a request is for (`dynamodb`, `sqs`, `s3`, `events`...), from
    its SigV4 credential scope; '' for an unsigned request."""
    match = _CREDENTIAL_SCOPE.search(request.headers.get("Authorization", ""))
    return match.group(1) if match else ""


class Engine(Protocol):
    """A service (or part of one) emulated durably by the local stack."""

    def handles(self, service: str, request: Request) -> bool:
        """Whether this engine answers the request (the body is already read and cached)."""

    def handle(self, request: Request) -> Response:
        """The service's answer, in its own wire protocol; commit before returning."""

    def close(self) -> None:
        """Flush and release what the engine holds (the stack is stopping)."""


class AwsEndpoint:
    """A threaded HTTP server on `host` that dispatches to engines, then to moto."""

    def __init__(self, engines: Iterable[Engine], host: str = "127.0.0.1", port: int = 0) -> None:
        self.engines = list(engines)
        self._host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._moto_app: Any = None
        self._answered = 0

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the AWS endpoint is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def app(self) -> Any:
        """The endpoint as a WSGI application (what its HTTP server serves), for in-process callers."""
        return self._dispatch

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )

        self._moto_app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server(
            self._host, self._port, self._dispatch, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(SHUTDOWN_POLL,), name="aws-endpoint", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        for engine in self.engines:
            engine.close()
        self._server = None
        self._thread = None

    def _dispatch(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        try:
            return self._answer(environ, start_response)
        finally:
            self._answered += 1
            self._forget_moto_instances(everything=self._answered % _FORGET_EVERY == 0)

    @staticmethod
    def _forget_moto_instances(*, everything: bool) -> None:
        """moto keeps every model instance it ever made (BaseModel.__new__ appends it to its class's
        `instances_tracked`, for its dashboard): every item the DynamoDB engine loaded into a working
        set, every table a transaction copied, growing with every call. Emptying those lists leaves
        the process holding only what is in use: DynamoDB's (where items are made) after each
        request, every service's (a few hundred classes: 2 % of a busy stack's CPU after each
        request) every _FORGET_EVERY."""
        from moto.core.model_instances import model_data, reset_model_data

        if everything:
            reset_model_data()
            return
        for model in model_data.get("dynamodb", {}).values():
            model.instances_tracked = []  # type: ignore[attr-defined]

    def _answer(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        body = request.get_data(cache=True)
        service = service_of(request)
        for engine in self.engines:
            if engine.handles(service, request):
                response = engine.handle(request)
                return response(environ, start_response)
        # moto reads the body again from the stream the engines' look consumed.
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self._moto_app(environ, start_response)  # type: ignore[no-any-return]
