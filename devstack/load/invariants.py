"""The promises a load run checks, each one PASS or FAIL in the report: accepted, published once,
listed once, feeds right, emails exactly once, digests exactly their matches, no dead letters, no call
refused by a function's IAM policy."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from devstack.load.bulletins import Planned
from devstack.load.client import Client
from devstack.load.population import Subscriber
from devstack.load.report import LoadReport
from devstack.load.watchers import ENTRY_ID, Email, EventTap

FEED_SIZE = 50  # boletin.services.feeds.FEED_SIZE: the newest 50 of each scope
FORMATS = {"json": "json", "rss": "xml", "atom": "atom"}
_DEAD_LETTER_KEYS = {"deadLetterTargetArn", "DeadLetterQueue", "DeadLetterConfig", "OnFailure"}


def check_submissions(report: LoadReport, client: Client, planned: list[Planned]) -> None:
    refused = Counter(b.status for b in planned if b.status != 201)
    report.check(
        "every submission accepted, no 5xx",
        not refused and not client.server_errors,
        f"{sum(1 for b in planned if b.status == 201):,}/{len(planned):,} answered 201"
        + (f"; refused {dict(refused)}" if refused else "")
        + f"; 5xx answers {len(client.server_errors)}"
        + (f" (first: {client.server_errors[0]})" if client.server_errors else ""),
    )


def check_published_once(
    report: LoadReport, tap: EventTap, by_id: dict[str, Planned], states: dict[str, dict[str, Any]]
) -> None:
    with tap.lock:
        events = list(tap.events)
    published = Counter(d.get("id") for kind, d in events if kind == "Bulletin Published")
    others = Counter(kind for kind, _ in events if kind != "Bulletin Published")
    twice = {i: c for i, c in published.items() if c > 1}
    missing = [i for i in by_id if published[i] == 0]
    strangers = [i for i in published if i not in by_id]
    report.check(
        "every bulletin published exactly once (one 'Bulletin Published' event each)",
        not twice and not missing and not strangers and not others,
        f"{sum(published.values()):,} events for {len(published):,} bulletins of {len(by_id):,}"
        + (f"; more than once: {dict(list(twice.items())[:5])}" if twice else "")
        + (f"; never: {missing[:5]}" if missing else "")
        + (f"; unknown ids: {strangers[:5]}" if strangers else "")
        + (f"; other events: {dict(others)}" if others else ""),
    )
    not_published = [i for i in by_id if states.get(i, {}).get("status") != "published"]
    report.check(
        "every bulletin has status published",
        not not_published,
        f"{len(by_id) - len(not_published):,}/{len(by_id):,} published"
        + (
            f"; not: {[(i, states.get(i, {}).get('status')) for i in not_published[:5]]}"
            if not_published
            else ""
        ),
    )


def check_listed_once(
    report: LoadReport, client: Client, offices: list[tuple[str, str]], accepted: list[Planned]
) -> None:
    problems = []
    listed = Counter(item["id"] for item in client.fetch_all("/bulletins"))
    expected = {b.id for b in accepted}
    if set(listed) != expected:
        problems.append(
            f"whole list: {len(set(listed) - expected)} unexpected, {len(expected - set(listed))} missing"
        )
    if any(c > 1 for c in listed.values()):
        problems.append(f"whole list: {sum(1 for c in listed.values() if c > 1)} listed more than once")
    for index, (office_id, key) in enumerate(offices):
        own = Counter(item["id"] for item in client.fetch_all(f"/bulletins?office={office_id}", key=key))
        mine = {b.id for b in accepted if b.office == index}
        if set(own) != mine or any(c > 1 for c in own.values()):
            problems.append(f"office {office_id}: {len(own)} listed, {len(mine)} expected")
    report.check(
        "every bulletin listed once (GET /bulletins, and each office's own list)",
        not problems,
        f"{sum(listed.values()):,} entries for {len(expected):,} bulletins; {len(offices)} office lists"
        + (f"; {'; '.join(problems[:5])}" if problems else ""),
    )


def _sort_key(view: dict[str, Any]) -> str:
    created = datetime.fromisoformat(str(view["created_at"]).replace("Z", "+00:00"))
    return f"{view['published_on']}#{created.isoformat()}#{view['id']}"


def check_feeds(report: LoadReport, client: Client, states: dict[str, dict[str, Any]]) -> None:
    published = [v for v in states.values() if v["status"] == "published"]
    scopes: dict[str, list[dict[str, Any]]] = {"all": published}
    for view in published:
        for country in view["countries"]:
            scopes.setdefault(f"countries/{country}", []).append(view)
        for topic in view["topics"]:
            scopes.setdefault(f"topics/{topic}", []).append(view)
        if view.get("language"):
            scopes.setdefault(f"languages/{view['language']}", []).append(view)
    problems = []
    for scope, views in sorted(scopes.items()):
        expected = [v["id"] for v in sorted(views, key=_sort_key, reverse=True)[:FEED_SIZE]]
        for fmt, extension in FORMATS.items():
            reply = client.request("GET", f"/feeds/{scope}.{extension}")
            if reply.status != 200:
                problems.append(f"{scope}.{extension}: {reply.status}")
                continue
            ids = ENTRY_ID.findall(reply.body.decode("utf-8"))
            if fmt == "atom":  # the feed's own urn is not a bulletin's
                ids = [i for i in ids if i in states]
            if ids != expected:
                if len(ids) != len(set(ids)):
                    why = "duplicates"
                elif set(ids) != set(expected):
                    why = f"{len(set(ids) - set(expected))} extra, {len(set(expected) - set(ids))} missing"
                else:
                    why = "out of order"
                problems.append(f"{scope}.{extension}: {why}")
    report.check(
        f"every feed right (the newest {FEED_SIZE} of its scope, newest first, no duplicates)",
        not problems,
        f"{len(scopes)} scopes x {len(FORMATS)} formats"
        + f" ({sum(1 for s in scopes if s.startswith('countries/'))} countries, "
        f"{sum(1 for s in scopes if s.startswith('topics/'))} topics, "
        f"{sum(1 for s in scopes if s.startswith('languages/'))} languages)"
        + (f"; wrong: {', '.join(problems[:8])}" if problems else ""),
    )


def check_emails(
    report: LoadReport, emails: list[Email], subscribers: list[Subscriber], states: dict[str, dict[str, Any]]
) -> None:
    ours = {s.address for s in subscribers}
    confirmed = [s for s in subscribers if s.confirmed]
    published = {i: v for i, v in states.items() if v["status"] == "published"}
    got: Counter[tuple[str, str]] = Counter((e.to, e.bulletin_id) for e in emails if e.kind == "bulletin")
    unknown = [e for e in emails if e.kind == "other" and e.to in ours]
    expected = {
        (s.address, i)
        for s in confirmed
        if s.frequency == "immediate"
        for i, v in published.items()
        if s.matches(v["countries"], v["topics"], v.get("language"))
    }
    missing, extra = expected - set(got), set(got) - expected
    twice = {k: c for k, c in got.items() if c > 1}
    report.check(
        "every immediate subscriber got exactly one email per matching bulletin, and no other",
        not missing and not extra and not twice and not unknown,
        f"expected {len(expected):,}, got {sum(got.values()):,}"
        + (f"; missing {len(missing):,} (e.g. {sorted(missing)[:2]})" if missing else "")
        + (f"; unexpected {len(extra):,} (e.g. {sorted(extra)[:2]})" if extra else "")
        + (f"; more than once {len(twice):,} (e.g. {list(twice.items())[:2]})" if twice else "")
        + (f"; unrecognised emails {len(unknown)}" if unknown else ""),
    )
    confirmations = Counter(e.to for e in emails if e.kind == "confirmation" and e.to in ours)
    wrong = {a: confirmations[a] for a in ours if confirmations[a] != 1}
    report.check(
        "every subscriber got exactly one confirmation, and every confirmation link worked",
        not wrong and len(confirmed) == len(subscribers),
        f"{sum(confirmations.values()):,} confirmations to {len(ours):,} addresses; "
        f"{len(confirmed):,} confirmed" + (f"; wrong counts {list(wrong.items())[:3]}" if wrong else ""),
    )
    _check_digests(report, emails, ours, [s for s in confirmed if s.frequency != "immediate"], published)


def _check_digests(
    report: LoadReport,
    emails: list[Email],
    ours: set[str],
    digest_subscribers: list[Subscriber],
    published: dict[str, dict[str, Any]],
) -> None:
    digests: dict[str, list[frozenset[str]]] = defaultdict(list)
    for e in emails:
        if e.kind == "digest" and e.to in ours:
            digests[e.to].append(e.digest_ids)
    addresses = {s.address for s in digest_subscribers}
    problems = [f"{a}: a digest, but not a digest subscriber" for a in digests if a not in addresses]
    with_matches = 0
    for s in digest_subscribers:
        matching = {
            i for i, v in published.items() if s.matches(v["countries"], v["topics"], v.get("language"))
        }
        with_matches += bool(matching)
        received = digests.get(s.address, [])
        if not matching and received:
            problems.append(f"{s.address}: {len(received)} digest(s) with no match")
        elif matching and len(received) != 1:
            problems.append(f"{s.address}: {len(received)} digests")
        elif matching and received[0] != matching:
            problems.append(
                f"{s.address}: digest holds {len(received[0] - matching)} extra, "
                f"{len(matching - received[0])} missing"
            )
    if digest_subscribers or digests:
        report.check(
            "every daily and weekly subscriber with matches got one digest holding exactly its matches "
            "(forced run)",
            not problems,
            f"{sum(len(v) for v in digests.values()):,} digests to {len(digest_subscribers):,} daily/weekly "
            f"subscribers ({with_matches:,} with matches)"
            + (f"; {'; '.join(problems[:4])}" if problems else ""),
        )


def _logical_ids(node: Any) -> Iterator[str]:
    """The resources a template value points at (!Ref X, !GetAtt X.Arn)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                yield str(value[0] if isinstance(value, list) else str(value).split(".", 1)[0])
            else:
                yield from _logical_ids(value)
    elif isinstance(node, list):
        for value in node:
            yield from _logical_ids(value)


def _dead_letter_targets(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from (_logical_ids(value) if key in _DEAD_LETTER_KEYS else _dead_letter_targets(value))
    elif isinstance(node, list):
        for value in node:
            yield from _dead_letter_targets(value)


def dead_letter_queues(stack: Any) -> dict[str, str]:
    """Every dead-letter queue of the template (logical id -> URL): each queue named *DLQ*/*DeadLetter*,
    and each queue a redrive policy, a function's DeadLetterQueue, a rule target's DeadLetterConfig or a
    stream's on-failure destination points at."""
    from devstack.template import load_template

    template = load_template(stack.template_path)
    queues = set(template.of_type("AWS::SQS::Queue"))
    named = {q for q in queues if re.search(r"dlq|dead-?letter", q, re.IGNORECASE)}
    targets = set(_dead_letter_targets(template.resources)) & queues
    return {q: str(stack.ref(q)) for q in sorted(named | targets)}


def check_dead_letters(report: LoadReport, stack: Any) -> None:
    sqs = stack.client("sqs")
    depths = {}
    for name, url in dead_letter_queues(stack).items():
        attributes = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        depths[name] = sum(int(v) for v in attributes.values())
    report.check(
        "nothing in any dead-letter queue",
        bool(depths) and not any(depths.values()),
        ", ".join(f"{name} {depth}" for name, depth in depths.items()),
    )


def check_policies(report: LoadReport, stack: Any) -> None:
    refused = [str(denial) for denial in stack.policies.denied]
    report.check(
        "no AWS call refused by the function's IAM policy in the template",
        not refused,
        f"{len(refused)} refused" + (f": {'; '.join(sorted(set(refused))[:4])}" if refused else ""),
    )
