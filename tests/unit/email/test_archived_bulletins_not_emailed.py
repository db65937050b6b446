"""An archived bulletin (notify false) is never emailed: the fan-out records nothing for it, and
the sender refuses it even if a line about it exists (those two: test_email_fan_out.py and
test_email_sender.py). Here: the flag itself."""

from __future__ import annotations

import json

from boletin.models.submissions import BulletinSubmission


def test_notify_is_kept_but_leaves_existing_idempotency_hashes_unchanged() -> None:
    # Given the same submission with notify left out, true, and false
    base = {"title": "A bulletin from the archive", "body": "Body.", "published_on": "2021-11-30"}
    implicit = BulletinSubmission.model_validate_json(json.dumps(base))
    explicit = BulletinSubmission.model_validate_json(json.dumps({**base, "notify": True}))
    archived = BulletinSubmission.model_validate_json(json.dumps({**base, "notify": False}))
    # Then leaving it out means notify; a retry from before the field existed still replays
    assert implicit.notify is True
    assert implicit.request_hash() == explicit.request_hash()
    # And asking for no email is a different request (the same key cannot flip it silently)
    assert archived.request_hash() != implicit.request_hash()
    assert archived.notify is False
