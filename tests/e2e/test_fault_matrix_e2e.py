"""The fault matrix: one fault at a time in every AWS call the pipeline makes, and a crash after each
step; once the retries are over, nothing is lost and nothing is duplicated.

A bulletin goes API → BulletinsTable stream → enrich (enrich; then index and PutEvents) → bus →
FeedsQueue → rss_notifier → S3, and EmailQueue → email_notifier → ledger + SendQueue → sender → SES.
Each case arms exactly one fault, then submits a bulletin about the case's own country (one
confirmed immediate subscriber to that country, one to a country no bulletin is about) and lets the
stack settle. A fault is a throttle or a failure (a ClientError, as botocore raises once its own
retries are spent) in one call, or PutEvents answering 200 with failed entries; a crash is the
function dying right after one call succeeded (AWS did it, the handler never learns: `Crash`).
Then: the office has that one bulletin, published at version 1; the bus announced it once; the whole
feed and the country feed list it once in every format; the matching subscriber got one email about
it and the other none; its one ledger line is in the state the design promises; every DLQ is empty.

Calls are told apart by the function making them: every handler of the stack runs with its logical
id in a thread-local, so a matrix row is (function, service, operation). The rows are checked
against a recording of one bulletin's calls, so a call added to the pipeline without a row fails
`test_the_matrix_covers_every_aws_call_of_the_pipeline`. The stack's own pollers (stream reads,
queue receives and deletes, redrives, on-failure messages: Lambda's event source mappings, not the
product) use `DevStack.client`, which these hooks do not see; the test's own setup and reads run
outside any handler and are not recorded either.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import boto3
import pytest

from boletin import aws
from devstack.functions import running_function
from tests.support.faults import Crash, Fault, faults, hook_after_calls, put_events_rejecting_all
from tests.support.http import Http
from tests.support.outbox import link, read_outbox
from tests.support.stack import running_stack

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
COUNTRIES = ROOT / "shared" / "boletin" / "data" / "countries.json"
PUBLISHED_ON = "2024-05-02"  # the same day for every case: the newest submission heads every feed
BODY = (
    "Officials met this week to review a training programme for border and reception staff. "
    "The workshop covered referral procedures, the care of unaccompanied children and the protection "
    "of personal data, and the participants agreed on a plan for the coming months."
)


# ---------------------------------------------------------------------------- who is calling AWS
@dataclass
class CallLog:
    """(function, service, operation) of every AWS call a handler makes while recording."""

    recording: bool = False
    calls: set[tuple[str, str, str]] = field(default_factory=set)

    def __call__(self, model: Any, **_: Any) -> None:
        function = running_function()
        if self.recording and function is not None:
            self.calls.add((function, model.service_model.service_name, model.name))


_call_log: CallLog | None = None


def call_log() -> CallLog:
    global _call_log
    if _call_log is None:
        _call_log = CallLog()
        aws.on_call(_call_log)  # once per process: the hook outlives the stack, idle unless recording
    return _call_log


# ---------------------------------------------------------------------------- the matrix
def _always(params: dict[str, Any]) -> bool:
    return True


def _values(params: dict[str, Any]) -> dict[str, Any]:
    values = params.get("ExpressionAttributeValues")
    return values if isinstance(values, dict) else {}


def _claims(params: dict[str, Any]) -> bool:
    return ":sending" in _values(params)


def _marks_sent(params: dict[str, Any]) -> bool:
    return ":sent" in _values(params)


def _registers_feeds(params: dict[str, Any]) -> bool:
    requests = [r for rs in (params.get("RequestItems") or {}).values() for r in rs]
    return any(r.get("PutRequest", {}).get("Item", {}).get("pk", {}).get("S") == "FEEDS" for r in requests)


@dataclass(frozen=True)
class Step:
    """One AWS call of the pipeline: the function making it, and which of its calls of that operation
    (the first one, unless `match` picks a kind of call)."""

    name: str
    function: str
    service: str
    operation: str
    match: Callable[[dict[str, Any]], bool] = _always
    cold_start_only: bool = False  # made once per execution environment, cached afterwards

    def when(self) -> Callable[[dict[str, Any]], bool]:
        return lambda params: running_function() == self.function and self.match(params)


STEPS = [
    Step("authorizer-key-lookup", "AuthorizerFunction", "dynamodb", "GetItem"),
    Step("api-id-secret", "ApiFunction", "secretsmanager", "GetSecretValue", cold_start_only=True),
    Step("api-store", "ApiFunction", "dynamodb", "TransactWriteItems"),
    Step("enrich-office-scope", "EnrichFunction", "dynamodb", "GetItem"),
    Step("enrich-write", "EnrichFunction", "dynamodb", "UpdateItem"),
    Step("enrich-index", "EnrichFunction", "dynamodb", "BatchWriteItem"),
    Step("enrich-announce", "EnrichFunction", "events", "PutEvents"),
    Step("feeds-query", "RssNotifierFunction", "dynamodb", "Query"),
    Step("feeds-put-object", "RssNotifierFunction", "s3", "PutObject"),
    Step("feeds-record-hashes", "RssNotifierFunction", "dynamodb", "PutItem"),
    Step("site-read-bulletin", "RssNotifierFunction", "dynamodb", "GetItem"),
    Step("site-page-hashes", "RssNotifierFunction", "dynamodb", "BatchGetItem"),
    Step("site-record-hashes", "RssNotifierFunction", "dynamodb", "BatchWriteItem"),
    Step("email-match-query", "EmailNotifierFunction", "dynamodb", "Query"),
    Step("email-ledger-put", "EmailNotifierFunction", "dynamodb", "PutItem"),
    Step("email-send-queue", "EmailNotifierFunction", "sqs", "SendMessageBatch"),
    Step("sender-claim", "SenderFunction", "dynamodb", "UpdateItem", _claims),
    Step("sender-read-subscription", "SenderFunction", "dynamodb", "BatchGetItem"),
    Step("sender-read-bulletin", "SenderFunction", "dynamodb", "GetItem"),
    Step("sender-signing-secret", "SenderFunction", "secretsmanager", "GetSecretValue", cold_start_only=True),
    Step("sender-send-quota", "SenderFunction", "ses", "GetSendQuota", cold_start_only=True),
    Step("sender-ses-send", "SenderFunction", "ses", "SendRawEmail"),
    Step("sender-mark-sent", "SenderFunction", "dynamodb", "UpdateItem", _marks_sent),
    Step("ses-events-settle", "SesEventsFunction", "dynamodb", "UpdateItem"),
]
STEP = {s.name: s for s in STEPS}
# A crash point with no fault row of its own: the second index write (the feed registry), the last
# thing the enrich function does before PutEvents.
REGISTER_FEEDS = Step(
    "enrich-register-feeds", "EnrichFunction", "dynamodb", "BatchWriteItem", _registers_feeds
)

THROTTLE = {
    "dynamodb": "ProvisionedThroughputExceededException",
    "events": "ThrottlingException",
    "sqs": "RequestThrottled",
    "s3": "SlowDown",
    "ses": "Throttling",
    "secretsmanager": "ThrottlingException",
}
FAILURE = {
    "dynamodb": "InternalServerError",
    "events": "InternalFailure",
    "sqs": "ServiceUnavailable",
    "s3": "InternalError",
    "ses": "ServiceUnavailable",
    "secretsmanager": "InternalServiceError",
}


@dataclass(frozen=True)
class Expected:
    """What the bus shows once everything settled (the subscriber gets one email and its ledger line
    says sent in every case)."""

    announced: tuple[int, int] = (1, 1)  # how many Bulletin Published events, at least and at most


# Every sender case too: SES's Send event marks sent a line the sender could not (it died after SES,
# or SES's answer was lost), and a line still 'sending' when its lease ends, with no Send event, was
# never taken by SES: the retry claims it again and sends it (it died before SES, or SES refused).
ONCE = Expected()
# PutEvents went through and the record was not checkpointed: redelivered, announced a second time;
# the consumers absorb it (feeds rebuilt from the table, the ledger sends nothing twice).
ANNOUNCED_AGAIN = Expected(announced=(1, 2))


@dataclass(frozen=True)
class Case:
    id: str
    step: Step
    inject: Callable[[], Fault | Crash]  # a fresh fault per run (they count how often they fired)
    expected: Expected = ONCE
    what: str = ""


def _fault_cases() -> list[Any]:
    cases = []
    for step in STEPS:
        for kind, codes in (("throttle", THROTTLE), ("failure", FAILURE)):
            expected = ONCE

            def inject(step: Step = step, code: str = codes[step.service]) -> Fault | Crash:
                return Fault(step.service, step.operation, times=1, error_code=code, when=step.when())

            what = f"a {kind} ({codes[step.service]}) in {step.function}'s {step.service} {step.operation}"
            case = Case(f"{step.name}-{kind}", step, inject, expected, what)
            cases.append(pytest.param(case, id=case.id))
    announce = STEP["enrich-announce"]

    def failed_entries() -> Fault | Crash:
        return Fault("events", "PutEvents", times=1, response=put_events_rejecting_all, when=announce.when())

    what = "PutEvents answering 200 with every entry failed"
    cases.append(pytest.param(Case("enrich-announce-failed-entries", announce, failed_entries, ONCE, what)))
    return cases


# A crash after step A succeeded, before B: (A, B, expected).
_CRASHES: list[tuple[Step, str, Expected]] = [
    (STEP["api-store"], "the API's answer (the client retries with the same Idempotency-Key)", ONCE),
    (STEP["enrich-write"], "indexing (on the enrichment's own stream record)", ONCE),
    (STEP["enrich-index"], "the rest of the index", ONCE),
    (REGISTER_FEEDS, "PutEvents", ONCE),
    (STEP["enrich-announce"], "the stream checkpoint (the record is redelivered)", ANNOUNCED_AGAIN),
    (STEP["feeds-put-object"], "the next feed object", ONCE),
    (STEP["feeds-record-hashes"], "the next feed scope", ONCE),
    (STEP["site-record-hashes"], "the next pages (the batch is redelivered)", ONCE),
    (STEP["email-ledger-put"], "SendMessageBatch", ONCE),
    (STEP["email-send-queue"], "the EmailQueue checkpoint (the event comes back)", ONCE),
    (STEP["sender-claim"], "SES (the retry finds the line held, waits for the lease, sends)", ONCE),
    (STEP["sender-ses-send"], "marking the line sent (SES's Send event does)", ONCE),
    (STEP["sender-mark-sent"], "the SendQueue checkpoint (the message comes back)", ONCE),
]


def _crash_cases() -> list[Any]:
    cases = []
    for step, next_step, expected in _CRASHES:

        def inject(step: Step = step) -> Fault | Crash:
            return Crash(step.service, step.operation, times=1, when=step.when())

        what = f"{step.function} dying after {step.service} {step.operation}, before {next_step}"
        case = Case(f"crash-after-{step.name}", step, inject, expected, what)
        cases.append(pytest.param(case, id=case.id))
    return cases


FAULT_CASES = _fault_cases()
CRASH_CASES = _crash_cases()
RECORDING = "recording"
CASE_IDS = [RECORDING, *(p.values[0].id for p in FAULT_CASES + CRASH_CASES)]


# ---------------------------------------------------------------------------- fixtures
@dataclass(frozen=True)
class Subscribers:
    country: str  # the case's own: its bulletin's, and the only one `matching` subscribes to
    matching: str
    other: str  # subscribed to a country no bulletin of this module is about


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """This module's own stack: a failed SQS message is visible again at once (instead of after 1 s),
    so the retries of fifty faults cost no minute of waiting, and no per-IP subscribe limit."""
    # Its fifty subscribers all come from this machine's one IP: no per-IP send limit here.
    with running_stack(
        tmp_path_factory.mktemp("outbox"),
        sqs_retry_seconds=0,
        parameter_overrides={"SubscribeLimitPerSourceIp": 0},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def pipeline(stack: Any) -> Any:
    """The stack, with calls recorded by function and crashes able to fire on every service."""
    hook_after_calls(*sorted({s.service for s in STEPS}))
    call_log()
    return stack


@pytest.fixture(scope="module")
def subscribers(pipeline: Any, http: Http) -> dict[str, Subscribers]:
    """Per case a confirmed immediate subscriber to the case's own country, and for all one confirmed
    immediate subscriber to a country no bulletin is about (subscribed and confirmed in one go)."""
    vocabulary = json.loads(COUNTRIES.read_text())["countries"]
    codes = sorted(vocabulary)
    assert len(codes) > len(CASE_IDS)
    run = uuid.uuid4().hex[:6]
    other = f"other-{run}@example.org"
    people = {
        case: Subscribers(country=codes[i], matching=f"match-{run}-{i}@example.org", other=other)
        for i, case in enumerate(CASE_IDS)
    }
    wanted = {who.matching: who.country for who in people.values()} | {other: codes[len(CASE_IDS)]}

    def subscribe(address: str) -> int:
        body = {"email": address, "language": "en", "frequency": "immediate", "countries": [wanted[address]]}
        return http.post("/subscriptions", json_body=body).status

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert set(pool.map(subscribe, wanted)) == {202}
        pipeline.wait_until_idle(timeout=60)
        confirmations = {str(m["To"]): m for m in read_outbox(pipeline.outbox_dir)}
        links = [link(confirmations[address], "confirm") for address in wanted]
        assert set(pool.map(lambda url: http.get(url).status, links)) == {200}
    pipeline.wait_until_idle(timeout=30)
    return people


@pytest.fixture(scope="module")
def observer(pipeline: Any) -> Callable[[str], list[dict[str, Any]]]:
    """A queue subscribed to the bus, as any other consumer would be: the events about a bulletin."""
    sqs = boto3.client("sqs")
    events = boto3.client("events")
    bus = pipeline.environment["EVENT_BUS_NAME"]
    url = sqs.create_queue(QueueName="fault-matrix-observer")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pattern = json.dumps({"source": ["boletin.bulletins"]})
    events.put_rule(Name="fault-matrix-observer", EventBusName=bus, EventPattern=pattern)
    events.put_targets(
        Rule="fault-matrix-observer", EventBusName=bus, Targets=[{"Id": "observer", "Arn": arn}]
    )
    seen: list[dict[str, Any]] = []

    def about(bulletin_id: str) -> list[dict[str, Any]]:
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for message in batch:
                seen.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return [e for e in seen if e["detail"]["id"] == bulletin_id]

    return about


@pytest.fixture(scope="module")
def dead_letter_queues(pipeline: Any) -> dict[str, str]:
    """Every DLQ and on-failure queue of the template (logical id -> URL)."""
    from devstack.template import load_template

    template = load_template(pipeline.template_path)
    queues = {q: str(pipeline.ref(q)) for q in template.of_type("AWS::SQS::Queue") if q.endswith("DLQ")}
    assert {"EnrichDLQ", "EventDeliveryDLQ", "FeedsDLQ", "EmailDLQ", "SendDLQ"} <= set(queues)
    return queues


def take_dead_letters(queues: dict[str, str]) -> dict[str, int]:
    """How many messages each non-empty DLQ holds; emptied, so the next case starts clean."""
    sqs = boto3.client("sqs")
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    found = {}
    for logical_id, url in queues.items():
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        count = sum(int(attributes.get(n, 0)) for n in names)
        if count:
            found[logical_id] = count
            sqs.purge_queue(QueueUrl=url)
    return found


# ---------------------------------------------------------------------------- steps of a case
def cold_start(stack: Any, logical_id: str) -> None:
    """The function's next invocation runs in a new execution environment: its module is loaded again
    and the package's per-container caches of the signing and id secrets are empty."""
    from boletin.built import forget_built

    stack.functions[logical_id]._module = None
    forget_built()  # the signing keys, the id keys, whatever else a process builds from the settings


def submit(http: Http, key: str, title: str, country: str) -> str:
    """A client that retries a 5xx with the same Idempotency-Key, as the API asks clients to."""
    body = {"title": title, "body": BODY, "published_on": PUBLISHED_ON, "countries": [country]}
    headers = {"Idempotency-Key": f"fault-matrix-{uuid.uuid4().hex}"}
    reply = http.post("/bulletins", json_body=body, key=key, headers=headers)
    for attempt in range(4):
        if reply.status < 500:
            break
        time.sleep(0.1 * 2**attempt)
        reply = http.post("/bulletins", json_body=body, key=key, headers=headers)
    assert reply.status in (200, 201), reply.body
    return str(reply.json()["id"])


ATOM = "{http://www.w3.org/2005/Atom}"


def feed_ids(http: Http, path: str) -> dict[str, list[str]]:
    """The entry ids of a feed, per format."""
    ids: dict[str, list[str]] = {}
    for fmt, ext in (("json", "json"), ("rss", "xml"), ("atom", "atom")):
        reply = http.get(f"/feeds/{path}.{ext}")
        assert reply.status == 200, f"{path}.{ext}: {reply.status}"
        if fmt == "json":
            ids[fmt] = [str(i["id"]) for i in json.loads(reply.body)["items"]]
            continue
        root = ElementTree.fromstring(reply.body)  # noqa: S314 - our own feed, from our own stack
        found = root.iterfind("channel/item/guid") if fmt == "rss" else root.iterfind(f"{ATOM}entry/{ATOM}id")
        ids[fmt] = [str(e.text) for e in found]
    return ids


_headers: dict[Path, tuple[str, str]] = {}  # outbox file -> (To, Subject); an outbox only grows


def emails_about(outbox: Path, address: str, title: str) -> list[Path]:
    """The emails to `address` whose subject carries `title`."""
    for path in sorted(outbox.glob("*.eml")):
        if path not in _headers:
            headers = BytesParser(policy=policy.default).parsebytes(path.read_bytes(), headersonly=True)
            _headers[path] = (str(headers["To"]), str(headers["Subject"]))
    return [
        path
        for path, (to, subject) in _headers.items()
        if path.parent == outbox and address in to and title in subject
    ]


@dataclass
class Submitted:
    bulletin_id: str
    title: str
    office: str
    key: str


def submit_and_settle(
    stack: Any, http: Http, new_office: Any, country: str, title: str, *armed: Fault | Crash
) -> Submitted:
    office, key = new_office("Fault matrix")
    with faults(*armed):
        bulletin_id = submit(http, key, title, country)
        stack.wait_until_idle(timeout=45)
    return Submitted(bulletin_id, title, office, key)


def assert_nothing_lost_or_duplicated(
    stack: Any,
    http: Http,
    bulletin: Submitted,
    who: Subscribers,
    expected: Expected,
    events: list[dict[str, Any]],
    dead_letters: dict[str, int],
) -> None:
    urn = f"urn:boletin:bulletin:{bulletin.bulletin_id}"
    # Stored once (the office has this one bulletin), and published at its first version
    own = http.get(f"/bulletins?office={bulletin.office}&limit=10", key=bulletin.key).json()["items"]
    assert [i["id"] for i in own] == [bulletin.bulletin_id], "the office holds exactly this bulletin"
    public = http.get(f"/bulletins/{bulletin.bulletin_id}").json()
    assert (public["status"], public["version"]) == ("published", 1)
    # Announced once (a crash after PutEvents may announce it again; at most that once more)
    assert {e["detail-type"] for e in events} == {"Bulletin Published"}, events
    least, most = expected.announced
    assert least <= len(events) <= most, f"announced {len(events)} times"
    # Listed once in the whole feed and in its country feed, in every format
    for path in ("all", f"countries/{who.country}"):
        for fmt, ids in feed_ids(http, path).items():
            assert ids.count(urn) == 1, f"{path} ({fmt}) lists it {ids.count(urn)} times"
    # One email to the matching subscriber, none to the other
    received = emails_about(stack.outbox_dir, who.matching, bulletin.title)
    assert len(received) == 1, f"{len(received)} email(s), expected 1"
    assert emails_about(stack.outbox_dir, who.other, bulletin.title) == []
    # One ledger line, sent, as the owner's delivery report shows (nothing stuck 'queued' or 'sending')
    report = http.get(f"/bulletins/{bulletin.bulletin_id}", key=bulletin.key).json()["delivery"]["emails"]
    assert {status: n for status, n in report.items() if n} == {"sent": 1}
    # And nothing failed for good
    assert dead_letters == {}


# ---------------------------------------------------------------------------- the tests
def test_the_matrix_covers_every_aws_call_of_the_pipeline(
    pipeline: Any, http: Http, new_office: Any, subscribers: dict[str, Subscribers]
) -> None:
    # Given every function in a new execution environment (so cold-start calls happen too)
    who = subscribers[RECORDING]
    for logical_id in pipeline.functions:
        cold_start(pipeline, logical_id)
    log = call_log()
    log.calls.clear()
    # When one bulletin goes through while the handlers' calls are recorded
    log.recording = True
    try:
        bulletin = submit_and_settle(pipeline, http, new_office, who.country, f"Fault matrix {RECORDING}")
    finally:
        log.recording = False
    # Then the matrix has a row for every (function, service, operation) made, and no other row
    declared = {(s.function, s.service, s.operation) for s in STEPS}
    assert log.calls == declared, (
        f"calls without a matrix row: {sorted(log.calls - declared)}; "
        f"rows the pipeline no longer calls: {sorted(declared - log.calls)}"
    )
    assert len(emails_about(pipeline.outbox_dir, who.matching, bulletin.title)) == 1


@pytest.mark.parametrize("case", FAULT_CASES + CRASH_CASES, ids=lambda case: case.id)
def test_one_fault_at_a_time_loses_nothing_and_duplicates_nothing(
    pipeline: Any,
    http: Http,
    new_office: Any,
    subscribers: dict[str, Subscribers],
    observer: Callable[[str], list[dict[str, Any]]],
    dead_letter_queues: dict[str, str],
    case: Case,
) -> None:
    # Given a matching and a non-matching confirmed subscriber, and one fault armed
    who = subscribers[case.id]
    if case.step.cold_start_only:
        cold_start(pipeline, case.step.function)
    armed = case.inject()
    # When a bulletin about the subscriber's country is submitted and the stack settles
    bulletin = submit_and_settle(
        pipeline, http, new_office, who.country, f"Fault matrix {case.id} {uuid.uuid4().hex[:6]}", armed
    )
    dead_letters = take_dead_letters(dead_letter_queues)
    # Then the fault fired, once, and after the retries nothing is lost and nothing duplicated
    assert armed.fired == 1, f"never happened: {case.what}"
    assert_nothing_lost_or_duplicated(
        pipeline, http, bulletin, who, case.expected, observer(bulletin.bulletin_id), dead_letters
    )
