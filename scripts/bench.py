"""`make bench`: what each operation costs, counted rather than timed where it matters.

Runs the real handlers and services against the local stack (moto behind a real endpoint), counts
every AWS call they make with a botocore hook, and prints items read, the import-time ratio of each
handler against `import boto3`, and the speed of enrichment and rendering.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "data" / "bulletins.json"


class CallCounter:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.active = False

    def __call__(self, model: Any, **_: Any) -> None:
        if self.active:
            self.calls[f"{model.service_model.service_name}:{model.name}"] += 1

    @contextmanager
    def counting(self) -> Iterator[Counter[str]]:
        self.calls = Counter()
        self.active = True
        try:
            yield self.calls
        finally:
            self.active = False


def row(name: str, calls: Counter[str], extra: str = "") -> None:
    total = sum(calls.values())
    detail = ", ".join(f"{k} {v}" for k, v in sorted(calls.items()))
    emit(f"  {name:52s} {total:5d} AWS calls  ({detail}){'  ' + extra if extra else ''}")


def api_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    office: str | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    path_params: dict[str, str] | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {"requestId": str(uuid.uuid4()), "stage": "local", "resourcePath": path}
    if office:
        context["authorizer"] = {"office": office, "office_name": office, "key_id": "bench"}
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "queryStringParameters": query,
        "pathParameters": path_params,
        "requestContext": context,
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


class Context:
    function_name = "bench"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


def load_handler(name: str) -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "functions" / name / "app.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lambda_handler


def bench_api(stack: Any, counter: CallCounter) -> None:
    from boletin.composition.offices import office_service

    emit("\nAPI (issue 2): AWS calls per operation, items read")
    api = load_handler("api")
    authorizer = load_handler("authorizer")
    office, key = office_service().create_office(f"Bench office {uuid.uuid4().hex[:6]}")
    seeds = json.loads(SEED.read_text())["bulletins"]
    body = {"title": seeds[0]["title"], "body": seeds[0]["body"], "published_on": seeds[0]["published_on"]}
    with counter.counting() as calls:
        authorizer(
            {
                "type": "TOKEN",
                "authorizationToken": f"Bearer {key}",
                "methodArn": "arn:aws:execute-api:us-east-1:123456789012:api/local/POST/bulletins",
            },
            Context(),
        )
    row("authorizer (key lookup, then cached by API Gateway)", calls)
    with counter.counting() as calls:
        reply = api(
            api_event(
                "POST", "/bulletins", body=body, office=office.id, headers={"Idempotency-Key": "bench-1"}
            ),
            Context(),
        )
    assert reply["statusCode"] == 201, reply
    bulletin_id = json.loads(reply["body"])["id"]
    row("POST /bulletins", calls)
    with counter.counting() as calls:
        reply = api(
            api_event(
                "POST", "/bulletins", body=body, office=office.id, headers={"Idempotency-Key": "bench-1"}
            ),
            Context(),
        )
    row("POST /bulletins, retried with the same Idempotency-Key", calls)
    with counter.counting() as calls:
        reply = api(api_event("POST", "/bulletins", body={"title": "x"}, office=office.id), Context())
    assert reply["statusCode"] == 422
    row("POST /bulletins, invalid (422)", calls)
    for seed in seeds[1:]:
        api(
            api_event(
                "POST",
                "/bulletins",
                body={"title": seed["title"], "body": seed["body"], "published_on": seed["published_on"]},
                office=office.id,
            ),
            Context(),
        )
    stack.wait_until_idle(timeout=60)
    with counter.counting() as calls:
        api(api_event("GET", f"/bulletins/{bulletin_id}", path_params={"id": bulletin_id}), Context())
    row("GET /bulletins/{id}", calls)
    from boletin.composition.bulletins import bulletin_lists
    from boletin.services.bulletin_lists import ListQuery

    for query in (
        {"limit": "5"},
        {"country": "GT", "limit": "20"},
        {"topic": "labour-migration", "language": "en", "limit": "3"},
    ):
        with counter.counting() as calls:
            _page, read = bulletin_lists().page(ListQuery.model_validate(query), None)
        row(
            f"GET /bulletins?{'&'.join(f'{k}={v}' for k, v in query.items())}",
            calls,
            f"items read {read} (limit + 1 = {int(query['limit']) + 1})",
        )


def bench_enrichment() -> None:
    from boletin.enrichment import enrich, render_body_html

    emit("\nEnrichment (issue 3): pure CPU, per KB of text (CPU time of this thread)")
    seeds = json.loads(SEED.read_text())["bulletins"]
    text = "\n\n".join(s["body"] for s in seeds)
    kb = len(text.encode()) / 1024
    enrich(seeds[0]["title"], seeds[0]["body"])  # vocabularies load once per container
    rounds = 50
    start = time.thread_time()
    for _ in range(rounds):
        enrich(seeds[0]["title"], text)
    enrich_ms = (time.thread_time() - start) * 1000 / rounds / kb
    start = time.thread_time()
    for _ in range(rounds):
        render_body_html(text)
    render_ms = (time.thread_time() - start) * 1000 / rounds / kb
    emit(f"  enrichment (all fields, body_html included) {enrich_ms:8.3f} ms/KB")
    emit(f"  rendering the same Markdown alone            {render_ms:8.3f} ms/KB")


def fill_index(count: int, scope: str = "*") -> None:
    """Write `count` listing entries straight into the index table, as the enrich function would."""
    from boletin.models.bulletin_views import summary_from_record
    from boletin.models.bulletins import BulletinRecord
    from boletin.models.enrichment import Enrichment
    from boletin.repositories.bulletin_index import BulletinIndexRepository, summary_entry
    from boletin.settings import get_settings

    settings = get_settings()
    index = BulletinIndexRepository(settings.bulletin_index_table)
    now = datetime.now(UTC)
    entries = []
    for n in range(count):
        record = BulletinRecord(
            id=str(uuid.uuid4()),
            office="bench",
            office_name="Bench",
            status="published",
            version=1,
            title=f"Bench bulletin number {n}",
            body="Body.",
            published_on=date(2020, 1, 1) + timedelta(days=n % 700),
            created_at=now,
            updated_at=now,
            published_at=now,
            content_hash="h",
            enriched_hash="h",
            request_hash="h",
            enrichment=Enrichment(
                language="en",
                countries=["CR"],
                topics=["health"],
                summary="Summary.",
                slug="b",
                word_count=1,
                reading_minutes=1,
                body_html="<p>Body.</p>",
            ),
        )
        entries.append(
            summary_entry(
                scope, record, summary_from_record(record, base_url="http://x"), content_html="<p>Body.</p>"
            )
        )
    index.put_entries(entries)


def bench_feeds(stack: Any, counter: CallCounter) -> None:
    from boletin.composition.site import feed_regenerator
    from boletin.models.events import BulletinEventDetail
    from boletin.services.feeds import scopes_touched

    emit("\nFeeds (issue 4)")
    regenerator = feed_regenerator()
    scope = "c=ZZ-bench"
    filled = 0
    for total in (100, 10_000):
        fill_index(total - filled, scope=scope)
        filled = total
        with counter.counting() as calls:
            entries = regenerator.index.latest(scope, 50)
        row(
            f"regenerate one feed, {total:,} bulletins in its scope (the Query)",
            calls,
            f"items read {len(entries)}",
        )
    details = [
        BulletinEventDetail(
            id=str(uuid.uuid4()),
            version=1,
            office="bench",
            language="en",
            countries=["CR", "PA"],
            topics=["health"],
            published_on=date(2021, 11, 30),
        )
        for _ in range(10)
    ]
    scopes: set[str] = set()
    for d in details:
        scopes |= scopes_touched(d)
    with counter.counting() as calls:
        report = regenerator.regenerate(scopes)
    row(
        f"a batch of 10 events touching {len(scopes)} feeds",
        calls,
        f"objects written {len(report.written)}, unchanged {len(report.unchanged)}",
    )
    with counter.counting() as calls:
        report = regenerator.regenerate(scopes)
    row("the same batch again (nothing changed)", calls, f"objects written {len(report.written)}")
    full = urllib.request.urlopen(f"{stack.url}/feeds/all.xml")
    body = full.read()
    etag = full.headers["ETag"]
    request = urllib.request.Request(f"{stack.url}/feeds/all.xml", headers={"If-None-Match": etag})
    try:
        urllib.request.urlopen(request)
        not_modified = -1
    except urllib.error.HTTPError as error:
        not_modified = len(error.read()) if error.code == 304 else -1
    emit(
        f"  poll of an unchanged feed: 304 with {not_modified} body bytes, beside a full fetch of {len(body):,} bytes"
    )


class PutCounter:
    """The keys of every S3 PutObject while active (pages under site/, feeds under feeds/)."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.active = False

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if self.active and model.name == "PutObject":
            self.keys.append(str(params.get("Key", "")))


def bench_site(stack: Any, counter: CallCounter, puts: PutCounter) -> None:
    from boletin.composition.offices import office_service
    from boletin.composition.site import site_regenerator
    from boletin.models.feeds import FeedScope
    from boletin.repositories.scopes import scope_key

    emit("\nPublic site (issue 15)")
    _, key = office_service().create_office(f"Bench site office {uuid.uuid4().hex[:6]}")
    submission = {
        "title": "Costa Rica y Panamá refuerzan la atención a personas migrantes en tránsito",
        "body": "Autoridades de Costa Rica y Panamá acordaron en San José mejorar la atención de la salud "
        "de las personas migrantes en tránsito por la frontera.",
        "published_on": "2021-11-30",
    }
    # On a fresh stack the first bulletin is the site's first run (empty pages and feeds for the
    # whole vocabulary); the second shows what a bulletin costs from then on.
    for n, label in ((1, "a first bulletin of this section"), (2, "a new bulletin (submit → published)")):
        body = {**submission, "title": f"{submission['title']} ({n})"}
        puts.keys, puts.active = [], True
        with counter.counting() as calls:
            request = urllib.request.Request(
                f"{stack.url}/bulletins",
                data=json.dumps(body).encode(),
                method="POST",
                headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            )
            created = json.loads(urllib.request.urlopen(request).read())
            stack.wait_until_idle(timeout=120)
        puts.active = False
        pages = sorted(k for k in puts.keys if k.startswith("site/"))
        feeds = [k for k in puts.keys if k.startswith("feeds/")]
        emit(
            f"  {label}: pages rewritten {len(pages)}, feed objects rewritten {len(feeds)}, "
            f"AWS calls by every function {sum(calls.values())}"
        )
    emit("    " + ", ".join(p.removeprefix("site/") for p in pages))
    submission = body
    correction = {**submission, "title": submission["title"] + " corregido", "change": "minor"}
    puts.keys, puts.active = [], True
    request = urllib.request.Request(
        f"{stack.url}/bulletins/{created['id']}",
        data=json.dumps(correction).encode(),
        method="PUT",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json", "If-Match": '"1"'},
    )
    urllib.request.urlopen(request).read()
    stack.wait_until_idle(timeout=120)
    puts.active = False
    emit(f"  a correction of its title: pages rewritten {sum(k.startswith('site/') for k in puts.keys)}")

    from boletin.models.bulletin_views import BulletinSummaryView
    from boletin.pages import NewsPage, render_news

    settings_ = site_regenerator()
    index = settings_.index
    scope = FeedScope(kind="topic", value="bench-pages")
    partition = scope_key(topic="bench-pages")
    base = f"{stack.url}"
    filled = 0
    for total in (100, 10_000):
        fill_index(total - filled, scope=partition)
        filled = total
        # The front page: one Query of 21 entries. Rendering is timed apart from moto, whose Query
        # time grows with the whole table (it sorts it), unlike DynamoDB's.
        with counter.counting() as calls:
            entries = index.latest(partition, 21)
        views = [BulletinSummaryView.model_validate_json(i["view"]) for i in entries]
        rounds = 20
        start = time.perf_counter()
        for _ in range(rounds):
            render_news(NewsPage(scope=scope, entries=views[:20]), language="en", site_base_url=base,
                        feeds_base_url=f"{base}/feeds")  # fmt: skip
        render_ms = (time.perf_counter() - start) * 1000 / rounds
        row(
            f"front page, {total:,} bulletins in its scope",
            calls,
            f"items read {len(entries)}, render {render_ms:.1f} ms",
        )
        month = views[-1].published_on.isoformat()[:7]
        with counter.counting() as calls:
            entries = index.month(partition, month)
            index.neighbour_month(partition, month, older=True)
            index.neighbour_month(partition, month, older=False)
        views = [BulletinSummaryView.model_validate_json(i["view"]) for i in entries]
        start = time.perf_counter()
        for _ in range(rounds):
            render_news(NewsPage(scope=scope, entries=views, month=month), language="en", site_base_url=base,
                        feeds_base_url=f"{base}/feeds")  # fmt: skip
        render_ms = (time.perf_counter() - start) * 1000 / rounds
        row(
            f"a month page, {total:,} bulletins in its scope",
            calls,
            f"items read {len(entries)} (that month), render {render_ms:.1f} ms",
        )
    emit(
        "  a front page reads 21 entries whatever its scope holds; a month page reads that month only "
        f"(here {len(entries)} at 10,000 bulletins spread over 700 days)"
    )


def bench_email(stack: Any, counter: CallCounter) -> None:
    from boletin.composition.email import email_fan_out
    from boletin.composition.offices import office_service
    from boletin.models.events import BulletinEventDetail
    from boletin.models.subscriptions import SubscriptionRecord
    from boletin.repositories.subscriptions import SubscriptionRepository
    from boletin.settings import get_settings

    emit("\nEmail (issue 5): 10,000 subscriptions, of which 100 confirmed ones match a bulletin")
    repo = SubscriptionRepository(get_settings().subscriptions_table)
    now = datetime.now(UTC)
    others = ["AR", "BO", "CL", "CO", "EC", "PE", "UY", "PY", "VE", "BR"]

    def record(n: int, countries: list[str], status: str) -> SubscriptionRecord:
        return SubscriptionRecord(
            id=str(uuid.uuid4()),
            address=f"bench{n}@example.org",
            address_key=f"{n:064x}",
            language="en",
            countries=countries,
            topics=[],
            frequency="immediate",
            status=status,
            created_at=now,  # type: ignore[arg-type]
        )

    with stack.paused():
        for n in range(100):  # confirmed and matching: stored in full, then listed
            matching = record(n, ["BZ"], "pending")
            repo.create_pending(matching, [now])
            repo.activate(matching, now)
        for n in range(100, 110):  # matching but never confirmed: never listed
            repo.create_pending(record(n, ["BZ"], "pending"), [now])
        for n in range(110, 115):  # matching, then suppressed by a bounce (still listed: a race)
            suppressed = record(n, ["BZ"], "pending")
            repo.create_pending(suppressed, [now])
            repo.activate(suppressed, now)
            repo.suppress(suppressed.address_key, "bounced")
        for n in range(115, 10_000):  # everyone else: other countries
            repo.list_under_keys(record(n, [others[n % len(others)]], "active"))
        office, _key = office_service().create_office(f"Bench email office {uuid.uuid4().hex[:6]}")
        seeds = json.loads(SEED.read_text())["bulletins"]
        from boletin.composition.bulletins import bulletin_service
        from boletin.models.offices import Caller
        from boletin.models.submissions import BulletinSubmission

        belize = seeds[8]
        submitted = (
            bulletin_service()
            .submit(
                Caller(office=office.id, office_name=office.name, key_id="bench"),
                BulletinSubmission.model_validate_json(
                    json.dumps({k: belize[k] for k in ("title", "body", "published_on")})
                ),
            )
            .record
        )
    stack.wait_until_idle(timeout=60)  # published; its own fan-out and sends happen here, uncounted
    detail = BulletinEventDetail(
        id=submitted.id,
        version=1,
        office=office.id,
        language="en",
        countries=["BZ"],
        topics=[],
        published_on=submitted.published_on,
    )
    fan_out = email_fan_out()
    with stack.paused():
        with counter.counting() as calls:
            again = fan_out.fan_out(detail)
        row(
            "the same bulletin delivered to the notifier again",
            calls,
            f"new ledger lines {again.recorded}, re-queued {again.queued}",
        )
    with counter.counting() as calls:
        stack.wait_until_idle(timeout=60)
    emit(f"  ...and the sender afterwards: SES sends {calls.get('ses:SendRawEmail', 0)} (0 expected)")
    from boletin.repositories.deliveries import DeliveryRepository

    counts = DeliveryRepository(get_settings().deliveries_table).status_counts(submitted.id)
    emit(
        f"  ledger of the bulletin: {dict(sorted(counts.items()))} (sent = 100 confirmed matches, the 5 suppressed dropped)"
    )
    # A fresh bulletin for the counted run: fan-out, then the sends.
    second = {k: belize[k] for k in ("title", "body", "published_on")}
    second["title"] += " (second)"
    with stack.paused():
        submitted2 = (
            bulletin_service()
            .submit(
                Caller(office=office.id, office_name=office.name, key_id="bench"),
                BulletinSubmission.model_validate_json(json.dumps(second)),
            )
            .record
        )
        detail2 = detail.model_copy(update={"id": submitted2.id})
    with stack.paused(), counter.counting() as calls:
        report = fan_out.fan_out(detail2)
    row(
        "fan a bulletin out to its subscribers",
        calls,
        f"matched {report.matched}, items read {report.items_read}, ledger lines {report.recorded}, queued {report.queued}",
    )
    with counter.counting() as calls:
        stack.wait_until_idle(timeout=120)
    emit(
        f"  the sender for those deliveries: SES sends {calls.get('ses:SendRawEmail', 0)}, AWS calls {sum(calls.values())}"
    )


def bench_dynamodb_engine() -> None:
    """p50 of a Query page and a PutItem on the local stack's DynamoDB engine with 100 and 10,000 items
    held: the ratio should stay near 1 (a Query reads one partition, a write its own item)."""
    import statistics

    import boto3

    from devstack.aws import AwsEndpoint
    from devstack.aws.dynamodb import DynamoDbEngine

    def s(value: str) -> dict[str, str]:
        return {"S": value}

    with tempfile.TemporaryDirectory() as folder:
        engine = DynamoDbEngine(Path(folder) / "dynamodb.sqlite3")
        endpoint = AwsEndpoint([engine])
        endpoint.start()
        try:
            client = boto3.session.Session(
                aws_access_key_id="testing",
                aws_secret_access_key="testing",  # noqa: S106 - local dummy credentials
                region_name="us-east-1",
            ).client("dynamodb", endpoint_url=endpoint.url)
            client.create_table(
                TableName="bench",
                KeySchema=[
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            )

            def fill(start: int, stop: int) -> None:
                writes = [
                    {"PutRequest": {"Item": {"pk": s("*"), "sk": s(f"{i:08d}"), "body": s("x" * 800)}}}
                    for i in range(start, stop)
                ]
                for at in range(0, len(writes), 25):
                    client.batch_write_item(RequestItems={"bench": writes[at : at + 25]})

            def p50(call: Any, times: int = 60, warm_up: int = 20) -> float:
                spent = []
                for i in range(warm_up + times):  # the first calls warm the connection pool: not counted
                    began = time.perf_counter()
                    call(i)
                    spent.append(time.perf_counter() - began)
                return statistics.median(spent[warm_up:]) * 1000

            def query(_: int) -> None:
                client.query(
                    TableName="bench",
                    KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": s("*")},
                    Limit=20,
                    ScanIndexForward=False,
                )

            def put(i: int) -> None:
                client.put_item(
                    TableName="bench", Item={"pk": s(f"put-{i}"), "sk": s("0"), "body": s("y" * 800)}
                )

            fill(0, 100)
            small = (p50(query), p50(put))
            fill(100, 10_000)
            large = (p50(query), p50(put))
        finally:
            endpoint.stop()
    emit("\nLocal DynamoDB engine (devstack.aws.dynamodb): p50 with 100 vs 10,000 items held")
    for name, at_100, at_10000 in (
        ("Query, newest 20 of one partition", small[0], large[0]),
        ("PutItem", small[1], large[1]),
    ):
        emit(f"  {name:42s} {at_100:7.2f} ms  {at_10000:7.2f} ms   ratio {at_10000 / at_100:4.2f}")


# ---------------------------------------------------------------------- 100 vs 10,000 bulletins held
def seed_held(count: int, office: str, country: str) -> None:
    """`count` held bulletins, 500 at a time (the seeding's own objects are not what memory measures)."""
    for start in range(0, count, 500):
        _seed_held(min(500, count - start), office, country)


def _seed_held(count: int, office: str, country: str) -> None:
    """`count` published bulletins held, written as the pipeline leaves them: the bulletin items
    (BatchWriteItem into BulletinsTable, as stored records) and their index entries in the scopes the
    measured reads use (every bulletin, the country, the office). Seeded with their enrichment recorded
    as done and no enrichment payload, so the stream consumer passes them (nothing to enrich, nothing
    to announce) instead of rebuilding every feed and page 10,000 times."""
    from boletin import aws
    from boletin.models.bulletin_views import summary_from_record
    from boletin.models.bulletins import BulletinRecord
    from boletin.models.enrichment import Enrichment
    from boletin.repositories.bulletin_index import BulletinIndexRepository, summary_entry
    from boletin.repositories.bulletins import record_to_item
    from boletin.repositories.scopes import ALL, scope_key
    from boletin.settings import get_settings

    settings = get_settings()
    index = BulletinIndexRepository(settings.bulletin_index_table)
    client = aws.client("dynamodb")
    now = datetime.now(UTC)
    enrichment = Enrichment(
        language="en",
        countries=[country],
        topics=["health"],
        summary="Summary.",
        slug="b",
        word_count=1,
        reading_minutes=1,
        body_html="<p>Body.</p>",
    )
    records, entries = [], []
    for n in range(count):
        fields: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "office": office,
            "office_name": "Bench held",
            "status": "published",
            "version": 1,
            "title": f"Held bulletin number {n}",
            "body": "Body.",
            "published_on": date(2015, 1, 1) + timedelta(days=n % 2500),
            "created_at": now,
            "updated_at": now,
            "published_at": now,
            "content_hash": "h",
            "enriched_hash": "h",
            "request_hash": "h",
        }
        stored = BulletinRecord(**fields)  # as stored: the stream consumer finds nothing to do
        records.append({"PutRequest": {"Item": record_to_item(stored)}})
        listed = BulletinRecord(**fields, enrichment=enrichment)
        view = summary_from_record(listed, base_url="http://x")
        for scope in (ALL, scope_key(country=country), scope_key(office=office)):
            entries.append(summary_entry(scope, listed, view, content_html="<p>Body.</p>"))
    for at in range(0, len(records), 25):
        client.batch_write_item(RequestItems={settings.bulletins_table: records[at : at + 25]})
    index.put_entries(entries)


def bench_held(stack: Any) -> None:
    """Issue #11: p50 of a submission, a read, a list page and a feed regeneration (the first three over
    HTTP through the local stack's gateway, authorizer and functions; the regeneration through the RSS
    notifier's service) and the stack process's resident memory, with 100 and with 10,000 bulletins
    held, side by side as ratios."""
    import statistics

    from boletin.composition.offices import office_service
    from boletin.composition.site import feed_regenerator
    from boletin.repositories.scopes import scope_key
    from devstack.load.metering import memory_mb

    country = "BZ"
    office, key = office_service().create_office(f"Bench held {uuid.uuid4().hex[:6]}")
    regenerator = feed_regenerator()
    seeds = json.loads(SEED.read_text())["bulletins"]

    def http(method: str, path: str, body: Any = None) -> tuple[float, Any]:
        headers = {"Content-Type": "application/json"}
        if method == "POST":
            headers["Authorization"] = f"Bearer {key}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(stack.url + path, data=data, method=method, headers=headers)
        began = time.perf_counter()
        with urllib.request.urlopen(request) as reply:
            answer = json.loads(reply.read())
        return (time.perf_counter() - began) * 1000, answer

    def measure(times: int = 15) -> dict[str, float]:
        submitted, spent = [], []
        for n in range(times):
            seed = seeds[n % len(seeds)]
            text = {"title": f"{seed['title']} ({uuid.uuid4().hex[:6]})", "body": seed["body"]}
            ms, answer = http("POST", "/bulletins", {**text, "published_on": seed["published_on"]})
            spent.append(ms)
            submitted.append(answer["id"])
        stack.wait_until_idle(timeout=300)
        figures = {"submit (POST /bulletins, 201)": statistics.median(spent)}
        figures["read (GET /bulletins/{id})"] = statistics.median(
            http("GET", f"/bulletins/{i}")[0] for i in submitted
        )
        figures[f"list page (GET /bulletins?country={country}&limit=20)"] = statistics.median(
            http("GET", f"/bulletins?country={country}&limit=20")[0] for _ in range(times)
        )
        regeneration = []
        for _ in range(times):
            seed_held(1, office.id, country)  # a change, so the feed is rendered and written again
            began = time.perf_counter()
            regenerator.regenerate({scope_key(country=country)})
            regeneration.append((time.perf_counter() - began) * 1000)
        figures[f"feed regeneration (c={country}, 50 newest)"] = statistics.median(regeneration)
        stack.wait_until_idle(timeout=300)
        figures["resident memory of the stack process (MB)"] = memory_mb()[0]
        return figures

    emit("\nHeld bulletins (issue 11): p50 with 100 vs 10,000 bulletins held, through the real paths")
    measure(times=5)  # warm: the functions' cold starts and first renders are not what is compared
    seed_held(100 - 5 - 5, office.id, country)  # with the 5 warm-up bulletins and their 5 feed changes
    stack.wait_until_idle(timeout=300)
    small = measure()
    began = time.perf_counter()
    seed_held(10_000 - 100 - 2 * 15, office.id, country)
    stack.wait_until_idle(timeout=600)
    seeding = time.perf_counter() - began
    large = measure()
    for name, at_100 in small.items():
        unit = "" if "MB" in name else " ms"
        emit(
            f"  {name:58s} {at_100:8.1f}{unit}  {large[name]:8.1f}{unit}   ratio {large[name] / at_100:4.2f}"
        )
    emit(
        f"  ({10_000 - 130:,} more seeded in {seeding:.0f} s: BatchWriteItem of the items and their index "
        "entries; each column also counts the bulletins and feed changes its own measurements made)"
    )


def bench_queues() -> None:
    """The durable SQS engine: a send, receive and delete cost the same whatever other queues hold and
    however many messages this queue has held (p50 of 200 cycles, small vs large, as a ratio)."""
    import boto3

    from devstack.aws import AwsEndpoint
    from devstack.aws.sqs import SqsEngine

    emit("\nQueues (durable SQS engine, SQLite): p50 of send + receive + delete, small vs large backlog")
    results = {}
    for held in (100, 10_000):
        with tempfile.TemporaryDirectory() as folder:
            engine = SqsEngine(Path(folder) / "sqs.sqlite3", account="123456789012", region="us-east-1")
            endpoint = AwsEndpoint([engine])
            endpoint.start()
            try:
                sqs = boto3.client(
                    "sqs",
                    endpoint_url=endpoint.url,
                    region_name="us-east-1",
                    aws_access_key_id="testing",
                    aws_secret_access_key="testing",  # noqa: S106 - local dummy credentials
                )
                url = sqs.create_queue(QueueName="work")["QueueUrl"]
                sqs.create_queue(QueueName="backlog")
                for start in range(0, held, 500):  # another queue's backlog, and this queue's past
                    engine.store.send_many(
                        "backlog", [(f"b{i}", {}, {}, None) for i in range(start, start + 500)]
                    )
                    for message in engine.store.send_many(
                        "work", [(f"w{i}", {}, {}, None) for i in range(500)]
                    ):
                        engine.store._db.execute("DELETE FROM messages WHERE seq = ?", (message.seq,))
                timings = []
                for n in range(220):  # the first 20 warm the connection pool and are not counted
                    began = time.perf_counter()
                    sqs.send_message(QueueUrl=url, MessageBody=f"cycle {n}")
                    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
                    timings.append(time.perf_counter() - began)
                timings = sorted(timings[20:])
                results[held] = timings[len(timings) // 2]
            finally:
                endpoint.stop()
    small, large = results[100], results[10_000]
    emit(f"  {'send+receive+delete, 100 held':52s} {small * 1000:7.2f} ms")
    emit(
        f"  {'send+receive+delete, 10,000 held':52s} {large * 1000:7.2f} ms   ratio {large / small:4.2f} (target ~1)"
    )


def bench_import(stack: Any) -> None:
    """`boletin import` through the public API (a subprocess, as an office runs it), unpaced."""
    import subprocess

    from boletin.composition.offices import office_service

    count = 100
    _, key = office_service().create_office(f"Bench archive {uuid.uuid4().hex[:6]}")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "archive.jsonl"
        source.write_text(
            "".join(
                json.dumps(
                    {
                        "published_on": (date(2019, 1, 1) + timedelta(days=i)).isoformat(),
                        "title": f"Archived bulletin {i} on labour migration in Costa Rica",
                        "body": f"Officials from Costa Rica and Panama met in San José ({i}).",
                    }
                )
                + "\n"
                for i in range(count)
            )
        )
        command = [sys.executable, "-m", "boletin.cli", "import", str(source), "--api", stack.url]
        command += ["--key", key, "--rate", "0"]
        timings = []
        for _ in ("first", "again"):
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            timings.append((time.perf_counter() - started, done.stdout.splitlines()[0]))
            if len(timings) == 1:
                stack.wait_until_idle(timeout=300)
                timings.append((time.perf_counter() - started, "published, feeds regenerated"))
    (first, summary), (settled, _), (again, again_summary) = timings
    emit(
        f"\nImport (boletin import, {count} JSON Lines items, unpaced; the local stack runs every function in one process)"
    )
    emit(f"  submitted {count / first:6.1f} items/s ({first:5.2f} s incl. start-up): {summary}")
    emit(f"  all published, listed and in the feeds {settled:5.2f} s after the start")
    emit(f"  rerun (every item already there) {count / again:6.1f} items/s: {again_summary}")
    emit("  default --rate 10/s: a tenth of the API stage's throttle (100/s), room for the other offices")
    probe = "import time; t=time.perf_counter(); import rich.progress; print(time.perf_counter()-t)"
    rich_import = float(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout)
    emit(f"  progress bar: rich imported only on a terminal, {rich_import * 1000:.0f} ms once")


def emit(*parts: object) -> None:
    """The figures go to stdout; the functions' own logs (printed to stdout, as on Lambda) to stderr."""
    print(*parts, file=FIGURES, flush=True)


FIGURES = sys.stdout


def main() -> None:
    sys.path.insert(0, str(ROOT))  # devstack/ lives at the repository's root, beside scripts/
    from boletin import aws
    from devstack import DevStack

    sys.stdout = sys.stderr  # before the functions' loggers bind their stream

    counter = CallCounter()
    aws.on_call(counter)
    puts = PutCounter()
    aws.on_call(puts, event="before-parameter-build")
    # `--only SECTION` (dynamodb, api, enrichment, feeds, site, email, import, queues, held, coldstart)
    # runs one section.
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    if only in (None, "dynamodb"):
        bench_dynamodb_engine()
    if only == "coldstart":
        bench_cold_start()
        return
    with tempfile.TemporaryDirectory() as outbox, DevStack(ROOT, port=0, outbox_dir=Path(outbox)) as stack:
        emit(f"Boletín benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, local stack at {stack.url}")
        if only in (None, "api"):
            bench_api(stack, counter)
        if only in (None, "enrichment"):
            bench_enrichment()
        if only in (None, "feeds"):
            bench_feeds(stack, counter)
        if only in (None, "site"):
            bench_site(stack, counter, puts)
        if only in (None, "email"):
            bench_email(stack, counter)
        if only in (None, "import"):
            bench_import(stack)
        if only in (None, "held"):
            bench_held(stack)
    if only in (None, "queues"):
        bench_queues()
    if only is None:
        bench_cold_start()


def bench_cold_start() -> None:
    """`--only coldstart` runs this alone (no local stack needed)."""
    from importtime import measure  # scripts/ is this script's own folder

    rounds = 9
    emit(
        "\nCold start: a fresh interpreter importing the handler and running its pure logic once"
        f" (CPU time, medians of {rounds} interleaved rounds)"
    )
    for name, probe, base, ratio in measure(rounds):
        emit(
            f"  {name:42s} {probe * 1000:7.1f} ms   import boto3 {base * 1000:7.1f} ms   ratio {ratio:4.2f} (target <= 1.50)"
        )


if __name__ == "__main__":
    main()
