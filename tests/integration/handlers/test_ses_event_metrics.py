"""SES's bounce and complaint notifications (events/ses_events/*.json) through the SES events handler
against the template's resources in moto: each is counted once under its own metric."""

from __future__ import annotations

import json

import pytest

from tests.support.metrics import emf_records, totals
from tests.support.paths import EVENTS
from tests.support.template_in_moto import TemplateInMoto


@pytest.mark.parametrize(
    ("sample", "metric"),
    [("sqs_permanent_bounce.json", "EmailsBounced"), ("sqs_complaint.json", "EmailsComplained")],
)
def test_bounces_and_complaints_are_counted(
    template_aws: TemplateInMoto, sample: str, metric: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the output so far set aside
    capsys.readouterr()

    # When SES reports a permanent bounce or a complaint
    event = json.loads((EVENTS / "ses_events" / sample).read_text())
    reply = template_aws.invoke("SesEventsFunction", event)

    # Then the notification is handled and counted once under its own name
    assert reply == {"batchItemFailures": []}
    counted = totals(emf_records(capsys.readouterr().out))
    assert counted[metric] == 1
    assert counted["EmailsBounced"] + counted["EmailsComplained"] == 1
