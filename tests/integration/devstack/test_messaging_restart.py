"""A local stack started again on the same state folder reuses the template's queues and finishes the
work that was queued (or in flight) when the last one stopped. Each stack runs in its own process, as
`make run` does (moto's state and the physical names are per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "integration" / "local" / "fixtures"

_STACK = """
import json, sys
from devstack import DevStack
with DevStack({fixtures!r}, port=0, outbox_dir={outbox!r}, create_demo_office=False,
              name_prefix="machinery", state_dir={state!r}) as stack:
    sqs = stack.client("sqs")
{body}
"""

_FIRST_RUN = """
    with stack.paused():
        sqs.send_message(QueueUrl=stack.ref("WorkQueue"), MessageBody="queued before the stop")
        sqs.send_message(QueueUrl=stack.ref("WorkQueue"), MessageBody="in flight at the stop")
        held = sqs.receive_message(QueueUrl=stack.ref("WorkQueue"), MaxNumberOfMessages=10)["Messages"]
        for message in held:
            if message["Body"] == "queued before the stop":  # back to waiting; the other stays held
                sqs.change_message_visibility(
                    QueueUrl=stack.ref("WorkQueue"), ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
        stack.client("events").put_events(Entries=[{
            "EventBusName": stack.ref("Bus"), "Source": "test.app", "DetailType": "Thing Happened",
            "Detail": json.dumps({"thing": 1})}])
"""

_SECOND_RUN = """
    stack.wait_until_idle(timeout=20)
    bodies = [r["body"] for i in stack.history if i.function == "QueueFunction" for r in i.event["Records"]]
    rule = sqs.receive_message(QueueUrl=stack.ref("RuleQueue"), MaxNumberOfMessages=10).get("Messages", [])
    print(json.dumps({"consumed": sorted(bodies), "rule": [json.loads(m["Body"])["detail"] for m in rule]}))
"""


def _run(tmp_path: Path, body: str) -> str:
    script = _STACK.format(
        fixtures=str(FIXTURES), outbox=str(tmp_path / "outbox"), state=str(tmp_path / "state"), body=body
    )
    done = subprocess.run(  # our own interpreter and script
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_restarted_stack_reuses_its_queues_and_finishes_queued_and_in_flight_work(tmp_path: Path) -> None:
    # Given a stack that stopped with one message waiting, one received but not deleted (its
    # visibility timeout is 60 s) and one event routed to a queue nobody consumes
    _run(tmp_path, _FIRST_RUN)
    # When a stack starts again on the same state folder (its CreateQueue calls find the queues)
    outcome = json.loads(_run(tmp_path, _SECOND_RUN).strip().splitlines()[-1])
    # Then the consumer gets both messages at once, and the routed event is still in its queue
    assert outcome == {
        "consumed": ["in flight at the stop", "queued before the stop"],
        "rule": [{"thing": 1}],
    }
