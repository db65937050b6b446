"""An email send is asked of SES once per attempt of the sender: botocore never resends it on its own
(after a timeout SES may already have taken it; the delivery ledger settles that case)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from botocore.exceptions import ClientError

from boletin import aws


class _FailingSes(BaseHTTPRequestHandler):
    """Answers every request with a 500 (a retryable error for botocore) and counts them."""

    requests: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        type(self).requests.append(self.headers.get("X-Amz-Target") or body.split("&", 1)[0])
        error = (
            b"<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code></Error></ErrorResponse>"
        )
        self.send_response(500)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(error)))
        self.end_headers()
        self.wfile.write(error)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def failing_ses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FailingSes)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _FailingSes.requests = []
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    aws.reset_clients()
    yield _FailingSes.requests
    aws.reset_clients()
    server.shutdown()
    server.server_close()


def test_a_failing_send_is_asked_of_ses_once_while_other_services_calls_are_retried(
    failing_ses: list[str],
) -> None:
    # Given an SES endpoint that fails every request with a retryable 500
    # When the sender's client sends an email
    with pytest.raises(ClientError):
        aws.client("ses").send_raw_email(RawMessage={"Data": b"Subject: hi\r\n\r\nhello"})
    # Then SES was asked exactly once
    assert failing_ses == ["Action=SendRawEmail"]
    # And another service's call is still retried as usual
    with pytest.raises(ClientError):
        aws.client("sqs").get_queue_url(QueueName="work")
    assert failing_ses.count("AmazonSQS.GetQueueUrl") > 1
