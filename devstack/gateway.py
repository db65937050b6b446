"""API Gateway (REST, Lambda proxy) and CloudFront in front of S3, over plain HTTP on 127.0.0.1.

- Routes are the template's `Type: Api` events: `{param}` and `{proxy+}` placeholders, the most specific
  path wins (literal segments over parameters over greedy ones); unknown paths give 404 and known paths
  with another method 405 (API Gateway itself answers 403 "Missing Authentication Token" for both; an
  RFC 9457 problem is more useful locally). HEAD runs the GET route and drops the body.
- Lambda authorizers as API Gateway runs them (TOKEN and a minimal REQUEST), with the decision cache.
- The errors API Gateway answers itself use the template's GatewayResponses.
- GET/HEAD under the feeds prefix are served from the bucket behind the CloudFront distribution, with
  the object's headers, conditional requests (304) and gzip.
"""

from __future__ import annotations

import base64
import email.utils
import gzip
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from devstack.functions import FunctionRegistry
from devstack.http_dates import parse_http_date

__all__ = ["ApiConfig", "Authorizer", "Gateway", "LocalHttpServer", "Route"]

logger = logging.getLogger("local_stack")

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
PROBLEM_JSON = "application/problem+json"
_COMPRESSIBLE = re.compile(
    r"^(text/|application/(json|xml|rss\+xml|atom\+xml|feed\+json|javascript|problem\+json))"
)


@dataclass
class Authorizer:
    name: str
    function: str  # logical id
    payload_type: str  # TOKEN or REQUEST
    header: str
    validation: re.Pattern[str] | None
    ttl: int
    request_headers: list[str] = field(default_factory=list)
    _cache: dict[str, tuple[float, dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cached(self, key: str) -> dict[str, Any] | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            entry = self._cache.get(key)
            if entry and entry[0] > time.monotonic():
                return entry[1]
            self._cache.pop(key, None)
            return None

    def remember(self, key: str, result: dict[str, Any]) -> None:
        if self.ttl > 0:
            with self._lock:
                self._cache[key] = (time.monotonic() + self.ttl, result)

    def flush(self) -> None:
        with self._lock:
            self._cache.clear()


@dataclass
class ApiConfig:
    logical_id: str
    api_id: str
    stage: str
    authorizers: dict[str, Authorizer]
    default_authorizer: str | None
    gateway_responses: dict[str, dict[str, Any]]


@dataclass
class Route:
    api: ApiConfig
    path: str
    method: str  # upper case, or ANY
    function: str
    authorizer: Authorizer | None
    event_name: str = ""
    segments: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.segments = [segment for segment in self.path.strip("/").split("/") if segment]

    @property
    def specificity(self) -> tuple[int, ...]:
        return tuple(2 if s.endswith("+}") else 1 if s.startswith("{") else 0 for s in self.segments)

    def match(self, segments: list[str]) -> dict[str, str] | None:
        parameters: dict[str, str] = {}
        for index, pattern in enumerate(self.segments):
            if pattern.startswith("{") and pattern.endswith("+}"):
                rest = segments[index:]
                if not rest:
                    return None
                parameters[pattern[1:-2]] = "/".join(rest)
                return parameters
            if index >= len(segments):
                return None
            if pattern.startswith("{") and pattern.endswith("}"):
                parameters[pattern[1:-1]] = segments[index]
            elif pattern != segments[index]:
                return None
        return parameters if len(segments) == len(self.segments) else None


@dataclass
class HttpRequest:
    method: str
    raw_path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str

    def header(self, name: str) -> str | None:
        found = None
        for key, value in self.headers:
            if key.lower() == name.lower():
                found = value
        return found


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


def problem(status: int, detail: str, headers: list[tuple[str, str]] | None = None) -> HttpResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    return HttpResponse(
        status,
        [("Content-Type", PROBLEM_JSON), *(headers or [])],
        json.dumps(body, ensure_ascii=False).encode(),
    )


def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern))


def policy_allows(policy: Any, method_arn: str) -> bool:
    """IAM evaluation of an authorizer's policy for one method ARN: an explicit Deny wins, else an Allow
    must match (Resource wildcards `*` and `?`)."""
    if not isinstance(policy, dict):
        return False
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    allowed = False
    for statement in statements:
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if not any(_wildcard(action.lower()).fullmatch("execute-api:invoke") for action in actions):
            continue
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if not any(_wildcard(resource).fullmatch(method_arn) for resource in resources):
            continue
        effect = str(statement.get("Effect", "")).lower()
        if effect == "deny":
            return False
        if effect == "allow":
            allowed = True
    return allowed


class _GatewayError(Exception):
    def __init__(self, response_type: str, status: int, message: str) -> None:
        super().__init__(message)
        self.response_type = response_type
        self.status = status
        self.message = message


@dataclass
class Gateway:
    registry: FunctionRegistry
    routes: list[Route]
    region: str
    account: str
    s3_client: Callable[[], Any]
    feeds_bucket: str | None = None
    feeds_prefix: str = "/feeds/"
    # The distribution's default behaviour: other GETs no route takes are read from the bucket
    # under this origin path ("site" for "/site"), "/" as the default root object.
    site_origin_path: str | None = None
    default_root_object: str = "index.html"
    # The response headers policy's headers, added to whatever the distribution serves.
    distribution_headers: list[tuple[str, str]] = field(default_factory=list)
    local_routes: dict[tuple[str, str], Callable[[HttpRequest, list[str]], HttpResponse]] = field(
        default_factory=dict
    )

    # ------------------------------------------------------------------ dispatch
    def handle(self, request: HttpRequest) -> HttpResponse:
        raw_segments = [segment for segment in request.raw_path.split("/") if segment]
        segments = [unquote(segment) for segment in raw_segments]
        if segments[:1] == ["_local"]:
            return self._local(request, segments[1:])
        method = "GET" if request.method == "HEAD" else request.method
        candidates = [(route, route.match(segments)) for route in self.routes]
        matching = [(route, params) for route, params in candidates if params is not None]
        api = self.routes[0].api if self.routes else None
        if not matching:
            if method == "GET" and self.feeds_bucket and request.raw_path.startswith(self.feeds_prefix):
                return self._feed(request)
            if method == "GET" and self.feeds_bucket and self.site_origin_path is not None:
                path = request.raw_path.split("?", 1)[0]
                if path == "/":
                    path = "/" + self.default_root_object
                return self._feed(request, key=self.site_origin_path + path, what="page")
            return problem(404, f"No route for {request.method} {request.raw_path}.")
        best = min(route.specificity for route, _ in matching)
        matching = [(route, params) for route, params in matching if route.specificity == best]
        chosen = next(((r, p) for r, p in matching if r.method == method), None) or next(
            ((r, p) for r, p in matching if r.method == "ANY"), None
        )
        if chosen is None:
            allowed = sorted(
                {r.method for r, _ in matching}
                | ({"HEAD"} if any(r.method == "GET" for r, _ in matching) else set())
            )
            return problem(405, f"{request.method} is not allowed here.", [("Allow", ", ".join(allowed))])
        route, parameters = chosen
        api = route.api
        request_id = str(uuid.uuid4())
        try:
            if len(request.body) > MAX_BODY_BYTES:
                raise _GatewayError("REQUEST_TOO_LARGE", 413, "Request Too Long")
            authorization = self._authorize(route, request, method, request_id) if route.authorizer else None
            event = self._proxy_event(route, request, method, parameters, authorization, request_id)
            response = self._integrate(route, method, event)
        except _GatewayError as error:
            response = self.gateway_response(
                api, error.response_type, error.status, error.message, request_id
            )
        response.headers.append(("x-amzn-RequestId", request_id))
        return response

    def gateway_response(
        self, api: ApiConfig | None, response_type: str, status: int, message: str, request_id: str = ""
    ) -> HttpResponse:
        """API Gateway's own error answer, customised by the template's GatewayResponses."""
        responses = api.gateway_responses if api else {}
        spec = (
            responses.get(response_type)
            or responses.get("DEFAULT_4XX" if status < 500 else "DEFAULT_5XX")
            or {}
        )
        if response_type in responses and "StatusCode" in spec:
            status = int(spec["StatusCode"])
        headers: list[tuple[str, str]] = []
        for name, value in ((spec.get("ResponseParameters") or {}).get("Headers") or {}).items():
            text = str(value)
            if len(text) >= 2 and text[0] == text[-1] == "'":
                headers.append((name, text[1:-1]))
        templates = spec.get("ResponseTemplates") or {}
        template = templates.get("application/json") or next(iter(templates.values()), None)
        if template is None:
            body = json.dumps({"message": message})
        else:
            body = (
                str(template)
                .replace("$context.error.messageString", json.dumps(message))
                .replace("$context.error.message", message)
                .replace("$context.error.responseType", response_type)
                .replace("$context.requestId", request_id)
            )
        if not any(name.lower() == "content-type" for name, _ in headers):
            headers.append(("Content-Type", "application/json"))
        return HttpResponse(status, headers, body.encode())

    # ------------------------------------------------------------------ authorizer
    def method_arn(self, route: Route, method: str, path: str) -> str:
        api = route.api
        prefix = f"arn:aws:execute-api:{self.region}:{self.account}:{api.api_id}"
        return f"{prefix}/{api.stage}/{method}/{path.lstrip('/')}"

    def _authorize(self, route: Route, request: HttpRequest, method: str, request_id: str) -> dict[str, Any]:
        authorizer = route.authorizer
        assert authorizer is not None
        method_arn = self.method_arn(route, method, request.raw_path)
        if authorizer.payload_type == "TOKEN":
            token = request.header(authorizer.header)
            if not token:
                raise _GatewayError("UNAUTHORIZED", 401, "Unauthorized")
            if authorizer.validation and not authorizer.validation.fullmatch(token):
                raise _GatewayError("UNAUTHORIZED", 401, "Unauthorized")
            cache_key = token
            event: dict[str, Any] = {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}
        else:
            values = [request.header(name) for name in authorizer.request_headers]
            if any(value is None for value in values):
                raise _GatewayError("UNAUTHORIZED", 401, "Unauthorized")
            cache_key = "\x00".join(value or "" for value in values)
            event = self._proxy_event(route, request, method, {}, None, request_id)
            event.update({"type": "REQUEST", "methodArn": method_arn})
        result = authorizer.cached(cache_key)
        if result is None:
            try:
                result = self.registry.invoke(
                    authorizer.function, event, source=f"authorizer {authorizer.name}"
                )
            except Exception as error:
                if str(error) == "Unauthorized":
                    raise _GatewayError("UNAUTHORIZED", 401, "Unauthorized") from None
                raise _GatewayError("AUTHORIZER_FAILURE", 500, "Internal server error") from None
            if not isinstance(result, dict) or "policyDocument" not in result or "principalId" not in result:
                logger.error(
                    "authorizer %s returned no policyDocument/principalId: %r", authorizer.name, result
                )
                raise _GatewayError("AUTHORIZER_CONFIGURATION_ERROR", 500, "Internal server error")
            authorizer.remember(cache_key, result)
        if not policy_allows(result.get("policyDocument"), method_arn):
            raise _GatewayError("ACCESS_DENIED", 403, "User is not authorized to access this resource")
        context: dict[str, Any] = {"principalId": str(result["principalId"])}
        for key, value in (result.get("context") or {}).items():
            if isinstance(value, bool):
                context[key] = str(value).lower()
            elif isinstance(value, (str, int, float)):
                context[key] = str(value)
            else:
                logger.error(
                    "authorizer %s: context value %s is not a string, number or boolean", authorizer.name, key
                )
                raise _GatewayError("AUTHORIZER_CONFIGURATION_ERROR", 500, "Internal server error")
        context["integrationLatency"] = 0
        return context

    # ------------------------------------------------------------------ Lambda proxy
    def _proxy_event(
        self,
        route: Route,
        request: HttpRequest,
        method: str,
        parameters: dict[str, str],
        authorization: dict[str, Any] | None,
        request_id: str,
    ) -> dict[str, Any]:
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        for name, value in request.headers:
            headers[name] = value
            multi_headers.setdefault(name, []).append(value)
        query: dict[str, str] = {}
        multi_query: dict[str, list[str]] = {}
        for name, value in parse_qsl(request.query, keep_blank_values=True):
            query[name] = value
            multi_query.setdefault(name, []).append(value)
        body: str | None = None
        is_base64 = False
        if request.body:
            try:
                body = request.body.decode("utf-8")
            except UnicodeDecodeError:
                body, is_base64 = base64.b64encode(request.body).decode(), True
        now = datetime.now(UTC)
        path = unquote(request.raw_path)
        context: dict[str, Any] = {
            "accountId": self.account,
            "apiId": route.api.api_id,
            "resourceId": re.sub(r"\W", "", route.path)[:6] or "root",
            "resourcePath": route.path,
            "httpMethod": method,
            "extendedRequestId": request_id.replace("-", "")[:16] + "=",
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "path": f"/{route.api.stage}{path}",
            "stage": route.api.stage,
            "domainName": request.header("Host") or "127.0.0.1",
            "domainPrefix": route.api.api_id,
            "protocol": "HTTP/1.1",
            "requestId": request_id,
            "identity": {
                "sourceIp": request.source_ip,
                "userAgent": request.header("User-Agent"),
                "accountId": None,
                "apiKey": None,
                "apiKeyId": None,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "user": None,
                "userArn": None,
            },
        }
        if authorization is not None:
            context["authorizer"] = authorization
        return {
            "resource": route.path,
            "path": path,
            "httpMethod": method,
            "headers": headers or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": parameters or None,
            "stageVariables": None,
            "requestContext": context,
            "body": body,
            "isBase64Encoded": is_base64,
        }

    def _integrate(self, route: Route, method: str, event: dict[str, Any]) -> HttpResponse:
        """Invoke the route's function with its proxy event; its answer as API Gateway returns it."""
        try:
            result = self.registry.invoke(route.function, event, source=f"{method} {route.path}")
        except Exception:
            raise _GatewayError("DEFAULT_5XX", 502, "Internal server error") from None
        try:
            return self._proxy_response(result)
        except (TypeError, ValueError, KeyError) as error:
            logger.error("%s: malformed Lambda proxy response (%s): %r", route.function, error, result)
            raise _GatewayError("DEFAULT_5XX", 502, "Internal server error") from None

    @staticmethod
    def _proxy_response(result: Any) -> HttpResponse:
        if not isinstance(result, dict):
            raise TypeError("the response is not an object")
        status = int(result["statusCode"])
        if not 100 <= status <= 599:
            raise ValueError(f"bad statusCode {status}")
        headers: list[tuple[str, str]] = []
        multi = result.get("multiValueHeaders") or {}
        for name, value in (result.get("headers") or {}).items():
            if name not in multi:
                headers.append((str(name), str(value)))
        for name, values in multi.items():
            headers.extend((str(name), str(value)) for value in values)
        body = result.get("body")
        if body is None:
            payload = b""
        elif result.get("isBase64Encoded"):
            payload = base64.b64decode(str(body))
        else:
            payload = str(body).encode("utf-8")
        if not any(name.lower() == "content-type" for name, _ in headers):
            headers.append(("Content-Type", "application/json"))
        return HttpResponse(status, headers, payload)

    # ------------------------------------------------------------------ CloudFront + S3
    def _feed(self, request: HttpRequest, *, key: str | None = None, what: str = "feed") -> HttpResponse:
        key = unquote(key if key is not None else request.raw_path.split("?", 1)[0].lstrip("/"))
        s3 = self.s3_client()
        try:
            obj = s3.get_object(Bucket=self.feeds_bucket, Key=key)
        except Exception as error:
            code = str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
            if code in ("NoSuchKey", "404", "NotFound", "AccessDenied"):
                return problem(404, f"No {what} at {request.raw_path}.")
            raise
        body: bytes = obj["Body"].read()
        etag = str(obj.get("ETag", ""))
        last_modified: datetime | None = obj.get("LastModified")
        headers: list[tuple[str, str]] = [("Content-Type", obj.get("ContentType") or "binary/octet-stream")]
        for name, field_name in (
            ("Cache-Control", "CacheControl"),
            ("Content-Language", "ContentLanguage"),
            ("Content-Disposition", "ContentDisposition"),
            ("Expires", "ExpiresString"),
        ):
            if obj.get(field_name):
                headers.append((name, str(obj[field_name])))
        compress = (
            "gzip" in (request.header("Accept-Encoding") or "").lower()
            and not obj.get("ContentEncoding")
            and _COMPRESSIBLE.match(headers[0][1]) is not None
            and 1000 <= len(body) <= MAX_BODY_BYTES
        )
        if compress and etag and not etag.startswith("W/"):
            etag = "W/" + etag  # CloudFront weakens the ETag of what it compresses
        if obj.get("ContentEncoding"):
            headers.append(("Content-Encoding", str(obj["ContentEncoding"])))
        if etag:
            headers.append(("ETag", etag))
        if last_modified is not None:
            headers.append(
                ("Last-Modified", email.utils.format_datetime(last_modified.astimezone(UTC), usegmt=True))
            )
        headers.append(("Vary", "Accept-Encoding"))
        headers.append(("X-Cache", "Miss from cloudfront (local)"))
        headers.extend(self.distribution_headers)
        if _not_modified(request, etag, last_modified):
            return HttpResponse(304, [h for h in headers if h[0] not in ("Content-Type",)], b"")
        if compress:
            body = gzip.compress(body, mtime=0)
            headers.append(("Content-Encoding", "gzip"))
        return HttpResponse(200, headers, body)

    # ------------------------------------------------------------------ /_local
    def _local(self, request: HttpRequest, segments: list[str]) -> HttpResponse:
        for (method, prefix), handler in self.local_routes.items():
            parts = prefix.strip("/").split("/")
            if segments[: len(parts)] == parts:
                if request.method != method:
                    return problem(405, f"{request.method} is not allowed here.", [("Allow", method)])
                return handler(request, segments[len(parts) :])
        return problem(404, f"No local route {request.raw_path}.")


def _not_modified(request: HttpRequest, etag: str, last_modified: datetime | None) -> bool:
    if_none_match = request.header("If-None-Match")
    if if_none_match is not None:
        if if_none_match.strip() == "*":
            return True
        wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return bool(etag) and etag.removeprefix("W/") in wanted
    if_modified_since = request.header("If-Modified-Since")
    if if_modified_since and last_modified is not None:
        since = parse_http_date(if_modified_since)
        return since is not None and last_modified.replace(microsecond=0) <= since
    return False


_TOKEN_IN_QUERY = re.compile(r"((?:^|[?&])token=)[^&]*")


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LocalHttpServer
    server_version = "boletin-local"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("http: " + format, *args)

    def _read_body(self) -> bytes | None:
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            chunks: list[bytes] = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            if length <= 4 * MAX_BODY_BYTES:  # drain it, so the client reads the 413 rather than a reset
                while length > 0:
                    length -= len(self.rfile.read(min(length, 1 << 20)) or b"x" * length)
            return None
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        started = time.perf_counter()
        split = urlsplit(self.path)
        body = self._read_body()
        request = HttpRequest(
            method=self.command,
            raw_path=split.path or "/",
            query=split.query,
            headers=list(self.headers.items()),
            body=body if body is not None else b"",
            source_ip=self.client_address[0],
        )
        gateway = self.server.gateway
        if body is None:
            self.close_connection = True
            api = gateway.routes[0].api if gateway.routes else None
            response = gateway.gateway_response(api, "REQUEST_TOO_LARGE", 413, "Request Too Long")
        else:
            try:
                response = gateway.handle(request)
            except Exception:
                logger.exception("local gateway error on %s %s", self.command, self.path)
                response = problem(500, "The local stack failed on this request; see its log.")
        self._write(response)
        logger.info(
            "%s %s %d %.0f ms",
            self.command,
            _TOKEN_IN_QUERY.sub(r"\1***", self.path),  # links in emails carry secrets: never log them
            response.status,
            (time.perf_counter() - started) * 1000,
        )

    def _write(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        hop_by_hop = {"content-length", "connection", "transfer-encoding", "date", "server"}
        for name, value in response.headers:
            if name.lower() not in hop_by_hop:
                self.send_header(name, value)
        if response.status != 304 and not (100 <= response.status < 200 or response.status == 204):
            self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and response.status not in (204, 304):
            self.wfile.write(response.body)

    do_GET = _serve  # noqa: N815 - http.server's method names
    do_POST = _serve  # noqa: N815
    do_PUT = _serve  # noqa: N815
    do_PATCH = _serve  # noqa: N815
    do_DELETE = _serve  # noqa: N815
    do_HEAD = _serve  # noqa: N815
    do_OPTIONS = _serve  # noqa: N815


class LocalHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str, port: int, gateway: Gateway | None = None) -> None:
        super().__init__((host, port), _RequestHandler)
        self._gateway = gateway

    @property
    def gateway(self) -> Gateway:
        if self._gateway is None:
            raise RuntimeError("no gateway yet")
        return self._gateway

    @gateway.setter
    def gateway(self, gateway: Gateway) -> None:
        self._gateway = gateway
