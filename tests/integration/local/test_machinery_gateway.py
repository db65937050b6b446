"""The local API Gateway: routes, proxy events, the Lambda authorizer and gateway responses, and the
CloudFront-like feeds from S3."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from devstack import DevStack
from tests.support.http import Fetch


def echoed(reply: object) -> dict:  # type: ignore[type-arg]
    return json.loads(reply.body)["event"]  # type: ignore[attr-defined]


# ---------------------------------------------------------------------- routing and proxy events
def test_a_route_with_path_parameters_gets_an_api_gateway_proxy_event(http: Fetch) -> None:
    reply = http("GET", "/items/abc%20d/parts/7?tag=a&tag=b&single=1", headers={"X-Things": "x"})
    assert reply.status == 200
    event = echoed(reply)
    assert event["resource"] == "/items/{id}/parts/{part}"
    assert event["path"] == "/items/abc d/parts/7"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"id": "abc d", "part": "7"}
    assert event["queryStringParameters"] == {"tag": "b", "single": "1"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "single": ["1"]}
    assert event["headers"]["X-Things"] == "x"
    assert event["multiValueHeaders"]["X-Things"] == ["x"]
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["stage"] == "test"
    assert context["resourcePath"] == "/items/{id}/parts/{part}"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert "authorizer" not in context
    assert context["requestTimeEpoch"] > 0
    assert reply.header("x-amzn-RequestId") == context["requestId"]


def test_the_handler_gets_a_lambda_context_and_the_functions_environment(
    machinery: DevStack, http: Fetch
) -> None:
    body = json.loads(http("GET", "/items").body)
    assert 0 < body["remaining_ms"] <= 7000
    assert body["memory"] == 256
    assert body["env"]["ITEMS_TABLE"] == machinery.names.physical("ItemsTable")


def test_the_most_specific_path_wins(http: Fetch) -> None:
    assert echoed(http("GET", "/items/special"))["resource"] == "/items/special"
    assert echoed(http("GET", "/items/other"))["resource"] == "/items/{id}"


def test_an_unknown_path_is_a_404_problem(http: Fetch) -> None:
    reply = http("GET", "/nowhere")
    assert reply.status == 404
    assert reply.header("Content-Type") == "application/problem+json"
    assert reply.json()["status"] == 404


def test_a_known_path_with_another_method_is_a_405_problem_with_allow(http: Fetch) -> None:
    reply = http("PUT", "/items/special")
    assert reply.status == 405
    assert reply.header("Content-Type") == "application/problem+json"
    assert reply.header("Allow") == "GET, HEAD"


def test_head_runs_the_get_route_without_a_body(http: Fetch) -> None:
    reply = http("HEAD", "/items")
    assert reply.status == 200
    assert reply.body == b""
    assert int(reply.header("Content-Length") or 0) > 0


def test_response_headers_status_and_multi_value_headers_reach_the_client(
    machinery: DevStack, http: Fetch
) -> None:
    reply = http("GET", "/items?status=418")
    assert reply.status == 418
    assert reply.headers.get_all("X-Multi") == ["one", "two"]
    assert reply.header("X-Function") == machinery.functions["EchoFunction"].name


def test_binary_bodies_travel_base64_encoded_both_ways(http: Fetch) -> None:
    sent = http("POST", "/items", data=b"\xff\x00\xfe", headers={"Authorization": "Bearer allow-bin"})
    event = echoed(sent)
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\x00\xfe"
    reply = http("GET", "/items?binary=1")
    assert reply.body == b"\x00\xffbinary"


def test_a_crashing_handler_is_a_502_from_the_gateway_and_the_server_lives_on(http: Fetch) -> None:
    reply = http("GET", "/items?crash=1")
    assert reply.status == 502
    assert reply.header("Content-Type") == "application/problem+json"
    assert reply.json() == {"title": "Service Unavailable", "detail": "Internal server error"}
    assert http("GET", "/items").status == 200


def test_a_body_over_api_gateways_limit_is_refused_with_413(http: Fetch) -> None:
    reply = http(
        "POST", "/items", data=b"x" * (10 * 1024 * 1024 + 1), headers={"Authorization": "Bearer allow-x"}
    )
    assert reply.status == 413


# ---------------------------------------------------------------------- the authorizer
def test_a_missing_authorization_header_is_401_without_calling_the_authorizer(
    machinery: DevStack, http: Fetch
) -> None:
    before = machinery.invocations["AuthorizerFunction"]
    reply = http("POST", "/items", data=b"{}")
    assert reply.status == 401
    assert reply.header("Content-Type") == "application/problem+json"
    assert reply.header("WWW-Authenticate") == "Bearer"
    assert reply.json()["detail"] == "A key is required."
    assert machinery.invocations["AuthorizerFunction"] == before


def test_a_header_that_fails_the_validation_expression_is_401_without_calling_the_authorizer(
    machinery: DevStack, http: Fetch
) -> None:
    before = machinery.invocations["AuthorizerFunction"]
    reply = http("POST", "/items", headers={"Authorization": "Basic QUJD"})
    assert reply.status == 401
    assert machinery.invocations["AuthorizerFunction"] == before


def test_an_authorizer_that_raises_unauthorized_gives_401(machinery: DevStack, http: Fetch) -> None:
    before = machinery.invocations["AuthorizerFunction"]
    reply = http("POST", "/items", headers={"Authorization": "Bearer nobody"})
    assert reply.status == 401
    assert reply.json()["detail"] == "A key is required."
    assert machinery.invocations["AuthorizerFunction"] == before + 1


def test_a_deny_policy_gives_the_templates_access_denied_response(machinery: DevStack, http: Fetch) -> None:
    reply = http("DELETE", "/items/1", headers={"Authorization": "Bearer deny-me"})
    assert reply.status == 401  # ACCESS_DENIED is 403 unless the template says otherwise; it says 401
    assert reply.json()["detail"] == "This key is not valid."


def test_an_allow_passes_the_authorizer_context_and_principal_to_the_handler(http: Fetch) -> None:
    reply = http("POST", "/items", data=b'{"a": 1}', headers={"Authorization": "Bearer allow-ctx"})
    assert reply.status == 200
    event = echoed(reply)
    assert event["body"] == '{"a": 1}'
    authorizer = event["requestContext"]["authorizer"]
    assert authorizer["principalId"] == "user-allow-ctx"
    assert authorizer["token"] == "allow-ctx"
    assert authorizer["level"] == "3"  # API Gateway hands context values over as strings
    assert authorizer["admin"] == "false"


def test_the_authorizer_sees_the_token_and_the_method_arn(machinery: DevStack, http: Fetch) -> None:
    http("DELETE", "/items/42", headers={"Authorization": "Bearer allow-arn"})
    call = next(c for c in reversed(machinery.history) if c.function == "AuthorizerFunction")
    api_id = machinery.ref("Api")
    assert call.event == {
        "type": "TOKEN",
        "authorizationToken": "Bearer allow-arn",
        "methodArn": f"arn:aws:execute-api:us-east-1:123456789012:{api_id}/test/DELETE/items/42",
    }


def test_decisions_are_cached_per_token_and_checked_against_each_new_method_arn(
    machinery: DevStack, http: Fetch
) -> None:
    # Given a token whose policy allows only POST, decided once
    machinery.wrap_handler("AuthorizerFunction", lambda handler: _post_only(handler))
    before = machinery.invocations["AuthorizerFunction"]
    assert http("POST", "/items", headers={"Authorization": "Bearer post-only"}).status == 200
    # When the same token is used again, for the allowed route and for another one
    assert http("POST", "/items", headers={"Authorization": "Bearer post-only"}).status == 200
    denied = http("DELETE", "/items/9", headers={"Authorization": "Bearer post-only"})
    # Then the authorizer ran once, and the cached policy still denied the other method
    assert machinery.invocations["AuthorizerFunction"] == before + 1
    assert denied.status == 401
    assert denied.json()["detail"] == "This key is not valid."


def _post_only(handler):  # type: ignore[no-untyped-def]
    def wrapped(event, context):  # type: ignore[no-untyped-def]
        if event["authorizationToken"] != "Bearer post-only":
            return handler(event, context)
        api = event["methodArn"].split("/")[0]
        return {
            "principalId": "poster",
            "policyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": f"{api}/*/POST/*"}
                ],
            },
        }

    return wrapped


def test_a_crashing_authorizer_is_a_500(machinery: DevStack, http: Fetch) -> None:
    machinery.fail_next("AuthorizerFunction")
    reply = http("POST", "/items", headers={"Authorization": "Bearer allow-crash"})
    assert reply.status == 500
    assert http("POST", "/items", headers={"Authorization": "Bearer allow-crash"}).status == 200


# ---------------------------------------------------------------------- feeds (CloudFront + S3)
@pytest.fixture(scope="module")
def feed(machinery: DevStack) -> dict:  # type: ignore[type-arg]
    body = ("<rss>" + "<item>news</item>" * 200 + "</rss>").encode()
    machinery.client("s3").put_object(
        Bucket=machinery.ref("FeedsBucket"),
        Key="feeds/all.xml",
        Body=body,
        ContentType="application/rss+xml; charset=utf-8",
        CacheControl="public, max-age=60",
    )
    head = machinery.client("s3").head_object(Bucket=machinery.ref("FeedsBucket"), Key="feeds/all.xml")
    return {"body": body, "etag": head["ETag"], "last_modified": head["LastModified"]}


def test_a_feed_is_served_from_the_bucket_with_its_headers(http: Fetch, feed: dict) -> None:  # type: ignore[type-arg]
    reply = http("GET", "/feeds/all.xml")
    assert reply.status == 200
    assert reply.body == feed["body"]
    assert reply.header("Content-Type") == "application/rss+xml; charset=utf-8"
    assert reply.header("Cache-Control") == "public, max-age=60"
    assert reply.header("ETag") == feed["etag"]
    assert reply.header("Last-Modified") == format_datetime(
        feed["last_modified"].astimezone(UTC), usegmt=True
    )


def test_a_matching_etag_gives_304_without_a_body(http: Fetch, feed: dict) -> None:  # type: ignore[type-arg]
    reply = http("GET", "/feeds/all.xml", headers={"If-None-Match": feed["etag"]})
    assert reply.status == 304
    assert reply.body == b""
    assert http("GET", "/feeds/all.xml", headers={"If-None-Match": '"other"'}).status == 200


def test_if_modified_since_gives_304_unless_the_feed_is_newer(http: Fetch, feed: dict) -> None:  # type: ignore[type-arg]
    modified: datetime = feed["last_modified"]
    same = format_datetime(modified.astimezone(UTC), usegmt=True)
    older = format_datetime((modified - timedelta(hours=1)).astimezone(UTC), usegmt=True)
    assert http("GET", "/feeds/all.xml", headers={"If-Modified-Since": same}).status == 304
    assert http("GET", "/feeds/all.xml", headers={"If-Modified-Since": older}).status == 200


def test_feeds_are_gzipped_for_clients_that_accept_it(http: Fetch, feed: dict) -> None:  # type: ignore[type-arg]
    reply = http("GET", "/feeds/all.xml", headers={"Accept-Encoding": "gzip, br"})
    assert reply.header("Content-Encoding") == "gzip"
    assert gzip.decompress(reply.body) == feed["body"]
    assert reply.header("ETag") == "W/" + feed["etag"]


def test_head_of_a_feed_and_a_missing_feed(http: Fetch, feed: dict) -> None:  # type: ignore[type-arg]
    head = http("HEAD", "/feeds/all.xml")
    assert (head.status, head.body, head.header("Content-Length")) == (200, b"", str(len(feed["body"])))
    assert http("GET", "/feeds/none.xml").status == 404


def test_the_feeds_api_route_is_not_taken_for_a_file(http: Fetch) -> None:
    assert echoed(http("GET", "/feeds"))["resource"] == "/feeds"
