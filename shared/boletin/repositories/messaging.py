"""SES (raw MIME), the send queue, and the signing secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from boletin.aws import LazyClient, resend
from boletin.repositories.dynamo import error_code

THROTTLING_CODES = {"Throttling", "ThrottlingException", "MaxSendingRateExceeded", "TooManyRequestsException"}


class NotSentError(RuntimeError):
    """SES was not asked to send, or refused to (throttling): the delivery can go back to the queue."""


class SendThrottledError(NotSentError):
    """SES kept throttling: the delivery goes back to the queue untouched."""


class Mailer:
    """Sends raw MIME through SES v1 SendRawEmail (it keeps our headers exactly as built)."""

    client = LazyClient("ses")

    def __init__(
        self,
        client: Any = None,
        *,
        configuration_set: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self._configuration_set = configuration_set
        self._rate: float | None = None
        self._clock = clock
        self._sleep = sleep
        self._paced = threading.local()  # this thread's last send: see _pace

    def max_send_rate(self) -> float:
        """The account's quota, read once per container."""
        if self._rate is None:
            quota = self.client.get_send_quota()
            self._rate = max(float(quota.get("MaxSendRate") or 1.0), 1.0)
        return self._rate

    def _pace(self, concurrency: int) -> None:
        """Keep this execution environment within its share of the account's send rate (one of
        `concurrency` sending at once). An environment runs one invocation at a time, on one thread,
        so the pace is kept per thread: environments sharing a process (the local stack's) each keep
        their own, as on Lambda."""
        interval = concurrency / self.max_send_rate()
        last: float | None = getattr(self._paced, "last", None)
        if last is not None and (wait := last + interval - self._clock()) > 0:
            self._sleep(wait)
        self._paced.last = self._clock()

    def send_raw(
        self,
        raw: bytes,
        *,
        source: str,
        destination: str,
        tags: dict[str, str] | None = None,
        concurrency: int = 2,
        attempts: int = 5,
    ) -> str:
        kwargs: dict[str, Any] = {}
        if self._configuration_set:
            kwargs["ConfigurationSetName"] = self._configuration_set
        if tags:
            kwargs["Tags"] = [{"Name": k, "Value": v} for k, v in tags.items()]
        for attempt in range(attempts):
            try:
                self._pace(concurrency)
            except Exception as error:  # the quota could not be read: nothing was sent
                raise NotSentError(f"could not read the SES send quota: {error}") from error
            try:
                response = self.client.send_raw_email(
                    Source=source, Destinations=[destination], RawMessage={"Data": raw}, **kwargs
                )
            except Exception as error:
                if error_code(error) in THROTTLING_CODES and attempt < attempts - 1:
                    time.sleep(min(0.2 * 2**attempt, 2.0))
                    continue
                if error_code(error) in THROTTLING_CODES:
                    raise SendThrottledError(str(error)) from error
                raise
            return str(response["MessageId"])
        raise SendThrottledError("SES throttled every attempt")


class SendQueue:
    client = LazyClient("sqs")

    def __init__(self, queue_url: str, client: Any = None) -> None:
        self._url = queue_url
        self.client = client

    def send(self, messages: list[dict[str, Any]], *, delay_seconds: int = 0) -> int:
        """SendMessageBatch by tens, resending failed entries; returns calls made. `delay_seconds`
        (at most SQS's 900) holds the messages back that long."""
        delay = {"DelaySeconds": max(0, min(900, delay_seconds))} if delay_seconds > 0 else {}

        def send(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
            failed = {
                f["Id"]
                for f in self.client.send_message_batch(QueueUrl=self._url, Entries=entries).get("Failed", [])
            }
            return [e for e in entries if e["Id"] in failed]

        calls = 0
        for start in range(0, len(messages), 10):
            entries = [
                {"Id": str(i), "MessageBody": json.dumps(m, separators=(",", ":")), **delay}
                for i, m in enumerate(messages[start : start + 10])
            ]
            left, made = resend(send, entries, attempts=5, pause=0.1)
            calls += made
            if left:
                raise RuntimeError(f"{len(left)} message(s) not accepted by the send queue")
        return calls


class _TokenKeyRing(dict[int, bytes]):
    def __init__(self, keys: SigningKeys) -> None:
        super().__init__(keys._token_keys_now())
        self._keys = keys
        self._reloaded = False

    def __missing__(self, key_id: int) -> bytes:
        if self._reloaded or not self._keys.can_reload:
            raise KeyError(key_id)
        self._reloaded = True
        self._keys.reload()
        self.update(self._keys._token_keys_now())
        return self[key_id]


class SigningKeys:
    """Keys derived from the signing secret (read once per container from Secrets Manager).

    The secret is one string (key id 1), or, to rotate it, a key ring:
    `{"current": 2, "keys": {"1": "<old>", "2": "<new>"}}`. Links are signed with the current key
    and name it; every key in the ring still verifies the links it signed. Subscriber address keys
    always derive from the oldest key: they are lookup keys and must not change with a rotation."""

    client = LazyClient("secretsmanager")

    def __init__(self, secret_id: str, client: Any = None, *, secret: bytes | None = None) -> None:
        self._secret_id = secret_id
        self.client = client
        self._ring: dict[int, bytes] | None = None
        self._current = 1
        self._fixed = secret is not None  # given in code (tests): nothing to reread
        if secret is not None:
            self._ring = {1: secret}

    def _load(self) -> dict[int, bytes]:
        value = str(self.client.get_secret_value(SecretId=self._secret_id)["SecretString"])
        if value.lstrip().startswith("{"):
            parsed = json.loads(value)
            ring = {int(kid): str(key).encode() for kid, key in parsed["keys"].items()}
            self._current = int(parsed["current"])
        else:
            ring, self._current = {1: value.encode()}, 1
        if self._current not in ring:
            raise ValueError("the signing secret's current key id is not in its keys")
        return ring

    def _keys(self) -> dict[int, bytes]:
        if self._ring is None:
            self._ring = self._load()
        return self._ring

    def _root(self) -> bytes:
        return self._keys()[min(self._keys())]

    def derive(self, purpose: str, root: bytes | None = None) -> bytes:
        # Separate keys per use: a token key never doubles as the address-hashing key.
        return hmac.new(root or self._root(), purpose.encode(), hashlib.sha256).digest()

    @property
    def tokens(self) -> bytes:
        """The key new links are signed with (the current one)."""
        return self.derive("boletin/tokens/v1", self._keys()[self._current])

    @property
    def token_key_id(self) -> int:
        self._keys()
        return self._current

    @property
    def token_keys(self) -> dict[int, bytes]:
        """Every token key by id, to verify links signed before and after rotations. A key id this
        container has not seen (the secret was rotated since it read it) rereads the secret once."""
        return _TokenKeyRing(self)

    def _token_keys_now(self) -> dict[int, bytes]:
        return {kid: self.derive("boletin/tokens/v1", root) for kid, root in self._keys().items()}

    @property
    def can_reload(self) -> bool:
        return not self._fixed

    def reload(self) -> None:
        self._ring = self._load()

    @property
    def addresses(self) -> bytes:
        return self.derive("boletin/addresses/v1")
