"""The Mailer keeps each execution environment within its share of the account's SES send rate."""

from __future__ import annotations

import threading
from typing import Any

from boletin.repositories.messaging import Mailer


class FakeSes:
    """SES with a send rate of 10 a second, recording each send."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def get_send_quota(self) -> dict[str, Any]:
        return {"MaxSendRate": 10.0}

    def send_raw_email(self, **kwargs: Any) -> dict[str, Any]:
        self.sent.append(kwargs["Destinations"][0])
        return {"MessageId": f"m-{len(self.sent)}"}


class FakeTime:
    """A clock that only moves when slept on (shared by every thread, as time is)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(round(seconds, 6))
            self.now += seconds


def _mailer() -> tuple[Mailer, FakeSes, FakeTime]:
    ses, fake_time = FakeSes(), FakeTime()
    return Mailer(ses, clock=fake_time.clock, sleep=fake_time.sleep), ses, fake_time


def test_one_environment_sends_at_its_share_of_the_account_rate() -> None:
    # Given a mailer, one of two environments sharing an account that sends 10 emails a second
    mailer, ses, fake_time = _mailer()
    # When it sends three emails back to back
    for n in range(3):
        mailer.send_raw(b"raw", source="news@example.org", destination=f"r{n}@example.org", concurrency=2)
    # Then the first goes at once and each of the others waits for its share: 1 email per 0.2 s
    assert ses.sent == ["r0@example.org", "r1@example.org", "r2@example.org"]
    assert fake_time.slept == [0.2, 0.2]


def test_environments_sharing_a_process_each_keep_their_own_pace() -> None:
    # Given one mailer used by two environments' threads (as in the local stack, one process)
    mailer, ses, fake_time = _mailer()

    def send(name: str) -> None:
        mailer.send_raw(b"raw", source="news@example.org", destination=name, concurrency=2)

    # When each thread sends its first email
    for name in ("a@example.org", "b@example.org"):
        thread = threading.Thread(target=send, args=(name,))
        thread.start()
        thread.join()
    # Then neither waited for the other: each is within its own share
    assert sorted(ses.sent) == ["a@example.org", "b@example.org"]
    assert fake_time.slept == []
    # And two more from one thread: the second waits its turn
    send("c@example.org")
    send("d@example.org")
    assert fake_time.slept == [0.2]
