"""boto3 clients of this process reach the local AWS endpoint without a socket.

The functions, the pollers and the endpoint run in one process, so a request a botocore client has
prepared (signed with SigV4, as for the wire) is handed to the endpoint's WSGI application on the
caller's thread by a `before-send` hook, as moto's own mock does: the same engines, moto and answers
as over HTTP (the endpoint still serves HTTP for every other client, such as the `boletin` CLI), minus
a TCP connection, HTTP parsing on both sides and a server thread per request. The functions' IAM
policies are checked before the request is built (devstack.iam), so they hold either way.

Nothing checks a signature here (moto does not, and the engines read only the credential scope), so a
request answered in-process is not signed: its `choose-signer` step says UNSIGNED and the transport
writes the scope the endpoint routes by (region, service) into the Authorization header. SigV4's four
HMACs and hashes were about 7 % of a busy stack's CPU. S3 (`s3v4`, whose payload hashing shapes the
request) and presigned URLs are signed as before.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from devstack.hooks import ProcessHook

# The request context's note that signing was skipped for the in-process answer: (region, service).
_SCOPE = "devstack_unsigned_scope"

__all__ = ["InProcessTransport", "route_in_process", "wsgi_environ"]

WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


class _RawBody(io.BytesIO):
    """What botocore reads a response body from (`stream()` and `read()`, as urllib3's response)."""

    def stream(self, amt: int | None = None, **_: Any) -> Iterable[bytes]:
        chunk = self.read(amt)
        while chunk:
            yield chunk
            chunk = self.read(amt)


def wsgi_environ(method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes) -> dict[str, Any]:
    """The WSGI environ werkzeug's HTTP server would make of this request (same PATH_INFO decoding)."""
    split = urlsplit(url)
    host, _, port = split.netloc.partition(":")
    raw_uri = split.path + (f"?{split.query}" if split.query else "")
    environ: dict[str, Any] = {
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": split.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "REQUEST_METHOD": method.upper(),
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(split.path).encode().decode("latin-1"),
        "QUERY_STRING": split.query.encode().decode("latin-1"),
        "REQUEST_URI": raw_uri,
        "RAW_URI": raw_uri,
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": 0,
        "SERVER_NAME": host or "127.0.0.1",
        "SERVER_PORT": port or "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": split.netloc,
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in headers:
        key = name.upper().replace("-", "_")
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        if key == "CONTENT_TYPE":
            environ[key] = text
        elif key != "CONTENT_LENGTH":
            environ[f"HTTP_{key}"] = text
    return environ


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytearray):
        return bytes(body)
    if hasattr(body, "read"):  # a file-like body (an S3 upload from a file)
        position = body.tell() if hasattr(body, "tell") else None
        data = body.read()
        if position is not None and hasattr(body, "seek"):
            body.seek(position)  # botocore may read it again (checksums, a retry)
        return data if isinstance(data, bytes) else str(data).encode("utf-8")
    return b"".join(body)


class InProcessTransport:
    """The `before-send` hook: a request for `base_url` is answered by `app` (a WSGI application) in
    this thread; any other request goes over the network as usual (the hook returns None)."""

    def __init__(self, base_url: str, app: WsgiApp, access_key: str = "testing") -> None:
        self.base_url = base_url.rstrip("/")
        self.app = app
        self.enabled = True
        self.calls = 0
        self._access_key = access_key
        self._lock = threading.Lock()

    def choose_signer(
        self, *, signing_name: str, region_name: str, signature_version: Any, context: Any, **_: Any
    ) -> Any:
        """The `choose-signer` hook: UNSIGNED for a plain SigV4 request while this transport answers
        (None: botocore signs as usual)."""
        if not self.enabled or signature_version != "v4" or not isinstance(context, dict):
            return None
        from botocore import UNSIGNED

        context[_SCOPE] = (region_name, signing_name)
        return UNSIGNED

    def handles(self, url: str) -> bool:
        return self.enabled and (url == self.base_url or url.startswith(self.base_url + "/"))

    def __call__(self, request: Any, **_: Any) -> Any:
        scope = (getattr(request, "context", None) or {}).get(_SCOPE)
        if not self.handles(str(request.url)):
            if scope is not None:  # never sent unsigned to anything but this endpoint
                raise RuntimeError(f"an unsigned request for {request.url} cannot leave the process")
            return None
        from botocore.awsrequest import AWSResponse, HeadersDict, HTTPHeaders

        if scope is not None:
            region, service = scope
            request.headers["Authorization"] = (
                f"AWS4-HMAC-SHA256 Credential={self._access_key}/20260101/{region}/{service}/aws4_request, "
                "SignedHeaders=host, Signature=not-signed-in-process"
            )

        environ = wsgi_environ(
            str(request.method), str(request.url), list(request.headers.items()), _body_bytes(request.body)
        )
        started: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started["status"] = int(status.split(" ", 1)[0])
            started["headers"] = response_headers
            return lambda _data: None

        chunks = self.app(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        headers = HeadersDict()  # case-insensitive, as botocore's parsers read them
        for name, value in started.get("headers", []):
            headers[name] = value
        with self._lock:
            self.calls += 1
        http_headers = cast(HTTPHeaders, headers)
        return AWSResponse(str(request.url), started.get("status", 500), http_headers, _RawBody(body))


# ---------------------------------------------------------------------- the process's hook
def route_in_process(transport: InProcessTransport | None) -> None:
    """Answer every boto3 client of the product (`boletin.aws`) through `transport` (None: over the
    network again)."""
    _hook.use(transport)
    _signer_hook.use(transport)


def _before_send(request: Any, **kwargs: Any) -> Any:
    transport = _hook.active
    return None if transport is None else transport(request, **kwargs)


def _choose_signer(**kwargs: Any) -> Any:
    transport = _signer_hook.active
    return None if transport is None else transport.choose_signer(**kwargs)


_hook: ProcessHook[InProcessTransport] = ProcessHook("before-send", _before_send)
_signer_hook: ProcessHook[InProcessTransport] = ProcessHook("choose-signer", _choose_signer)
