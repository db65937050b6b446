"""What an engine answered is on disk: a process serving the S3, Scheduler, Secrets Manager and SES
engines is killed (SIGKILL, no clean stop) right after its answers, and a new process finds it all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from devstack.aws import Engine
from devstack.aws.s3 import S3Engine
from devstack.aws.scheduler import SchedulerEngine
from devstack.aws.secrets import SecretsEngine
from devstack.aws.ses import SesEngine
from tests.integration.devstack.engine_harness import client, serving

ROOT = Path(__file__).resolve().parents[3]

SERVER = """
import sys, threading
from pathlib import Path
from devstack.aws import AwsEndpoint
from devstack.aws.s3 import S3Engine
from devstack.aws.scheduler import SchedulerEngine
from devstack.aws.secrets import SecretsEngine
from devstack.aws.ses import SesEngine

state = Path(sys.argv[1])
endpoint = AwsEndpoint([
    S3Engine(state / "s3"),
    SchedulerEngine(state / "scheduler"),
    SecretsEngine(state / "secrets"),
    SesEngine(state / "ses", state / "outbox"),
])
endpoint.start()
print(endpoint.url, flush=True)
threading.Event().wait()
"""


def engines(state: Path) -> list[Engine]:
    return [
        S3Engine(state / "s3"),
        SchedulerEngine(state / "scheduler"),
        SecretsEngine(state / "secrets"),
        SesEngine(state / "ses", state / "outbox"),
    ]


def test_what_was_answered_survives_a_sigkill(tmp_path: Path) -> None:
    # Given a process serving the engines on a state folder
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "shared")])}
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(tmp_path)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        # When it answers a feed put, a release schedule, a secret and an email
        s3, scheduler = client(url, "s3"), client(url, "scheduler")
        secrets, ses = client(url, "secretsmanager"), client(url, "ses")
        s3.create_bucket(Bucket="feeds")  # moto, in that process: gone with it
        etag = s3.put_object(Bucket="feeds", Key="feeds/all.xml", Body=b"<rss/>")["ETag"]
        scheduler.create_schedule(
            Name="release-1",
            ScheduleExpression="at(2030-01-01T00:00:00)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={
                "Arn": "arn:aws:sqs:us-east-1:123456789012:q",
                "RoleArn": "arn:aws:iam::123456789012:role/r",
            },
        )
        secrets.create_secret(Name="signing", SecretString="s3cr3t")
        ses.verify_email_identity(EmailAddress="boletin@example.org")
        message_id = ses.send_raw_email(
            RawMessage={"Data": b"From: boletin@example.org\r\nTo: a@b.c\r\n\r\nx"}
        )["MessageId"]
        # and is killed at once
        server.send_signal(signal.SIGKILL)
        server.wait(10)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)

    # Then a new process (here: this one) finds every answered write
    with serving(*engines(tmp_path)) as endpoint:
        s3 = client(endpoint, "s3")
        s3.create_bucket(Bucket="feeds")  # what the stack's resource builder does on each start
        got = s3.get_object(Bucket="feeds", Key="feeds/all.xml")
        assert (got["Body"].read(), got["ETag"]) == (b"<rss/>", etag)
        assert client(endpoint, "scheduler").get_schedule(Name="release-1")["State"] == "ENABLED"
        assert (
            client(endpoint, "secretsmanager").get_secret_value(SecretId="signing")["SecretString"]
            == "s3cr3t"
        )
        assert "boletin@example.org" in client(endpoint, "ses").list_identities()["Identities"]
    assert len(list((tmp_path / "outbox").glob(f"*-{message_id}.eml"))) == 1
