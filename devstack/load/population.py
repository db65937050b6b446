"""Who takes part: the offices (created through the product's own service, each with its key) and the
subscribers, subscribed over HTTP and confirmed through the link of their confirmation email (double
opt-in through the outbox, as a person would), many at a time."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from devstack.load.bulletins import Planned, weighted
from devstack.load.client import Client
from devstack.load.config import FILTER_KINDS, SUBSCRIBER_LANGUAGES, LoadConfig
from devstack.load.vocabulary import NEIGHBOURS, OFFICE_HOMES, TOPIC_PHRASES
from devstack.load.watchers import OutboxWatcher


@dataclass
class Subscriber:
    address: str
    language: str
    countries: list[str]
    topics: list[str]
    frequency: str  # immediate | daily | weekly
    kind: str  # which of FILTER_KINDS
    bulletin_languages: list[str] = field(default_factory=list)  # the bulletins wanted; empty: every one
    confirmed: bool = False

    def matches(self, countries: Sequence[str], topics: Sequence[str], language: str | None) -> bool:
        """The product's semantics (boletin.matching, and the email notifier's language check): an empty
        filter is everything, countries and topics must both match, and a bulletin in a language the
        subscriber did not ask for is not theirs."""
        from boletin.matching import matches

        if self.bulletin_languages and language not in self.bulletin_languages:
            return False
        return matches(self.countries, self.topics, list(countries), list(topics))

    @property
    def language_choice(self) -> str:
        return "every language" if not self.bulletin_languages else "their own language"


def _pick(rng: random.Random, weights: dict[str, float], count: int) -> list[str]:
    left = dict(weights)
    chosen = []
    for _ in range(count):
        choice = weighted(rng, left)
        left.pop(choice)
        chosen.append(choice)
    return sorted(chosen)


def generate_subscribers(config: LoadConfig, run: str) -> list[Subscriber]:
    """Filters as real subscribers pick them (FILTER_KINDS), the language of their emails, the bulletins'
    languages they want (config.own_language_share: their own only, else every language), a frequency."""
    rng = random.Random(config.seed + 1)
    topics = dict.fromkeys(sorted(TOPIC_PHRASES), 1.0)
    frequencies = dict(config.frequencies)
    subscribers = []
    for i in range(config.subscribers):
        kind = weighted(rng, FILTER_KINDS)
        country_count = {"one country": 1, "two countries": 2, "country and topic": 1}.get(kind, 0)
        topic_count = {"one topic": 1, "two topics": 2, "country and topic": 1}.get(kind, 0)
        language = weighted(rng, SUBSCRIBER_LANGUAGES)
        own_only = rng.random() < config.own_language_share
        subscribers.append(
            Subscriber(
                address=f"load-{run}-{i:05d}@example.org",
                language=language,
                countries=_pick(rng, NEIGHBOURS, country_count),
                topics=_pick(rng, topics, topic_count),
                frequency=weighted(rng, frequencies),
                kind=kind,
                bulletin_languages=[language] if own_only else [],
            )
        )
    return subscribers


def describe(subscribers: Sequence[Subscriber], planned: Sequence[Planned]) -> list[str]:
    """The mix, printed before the run: filters, frequencies, languages, and the emails it asks for
    (from the countries and topics the bulletins were written about; enrichment decides the real ones)."""
    n = max(1, len(subscribers))

    def shares(counts: Counter[str]) -> str:
        return ", ".join(
            f"{name} {count:,} ({100 * count / n:.0f} %)" for name, count in counts.most_common()
        )

    immediate = [s for s in subscribers if s.frequency == "immediate"]

    def wanted(s: Subscriber, b: Planned) -> bool:
        return s.matches(b.intended_countries, b.intended_topics, b.intended_language)

    emails = sum(1 for s in immediate for b in planned if wanted(s, b))
    digests = sum(1 for s in subscribers if s.frequency != "immediate" and any(wanted(s, b) for b in planned))
    # What the language choice changes, said plainly: the same subscribers with every language.
    from boletin.matching import matches

    every = sum(
        1
        for s in immediate
        for b in planned
        if matches(s.countries, s.topics, b.intended_countries, b.intended_topics)
    )
    return [
        f"  filters: {shares(Counter(s.kind for s in subscribers))}",
        f"  frequencies: {shares(Counter(s.frequency for s in subscribers))}",
        f"  languages of their emails: {shares(Counter(s.language for s in subscribers))}",
        f"  bulletins wanted (bulletin_languages): {shares(Counter(s.language_choice for s in subscribers))}"
        " - as real readers choose, not to lighten the run: with every subscriber on every language the "
        f"same filters would ask for {every:,} immediate emails",
        "  languages the bulletins are written in: "
        f"{dict(Counter(b.intended_language for b in planned).most_common())}",
        f"  asks for about {emails:,} immediate emails ({emails / max(1, len(immediate)):.1f} per immediate "
        f"subscriber, {emails / max(1, len(planned)):.1f} per bulletin) and {digests:,} digests",
    ]


def create_offices(config: LoadConfig, run: str) -> list[tuple[str, str]]:
    """(office id, key) for each office, created through the product's service."""
    from boletin.composition.offices import office_service

    offices = []
    for i in range(config.offices):
        home = OFFICE_HOMES[i % len(OFFICE_HOMES)][0]
        office, key = office_service().create_office(f"IOM {home} load {run} {i}")
        offices.append((office.id, key))
    return offices


def subscribe_and_confirm(
    client: Client,
    outbox: OutboxWatcher,
    subscribers: Sequence[Subscriber],
    workers: int,
    progress: Callable[[str], None],
    patience: float = 120.0,
) -> Counter[int]:
    """POST /subscriptions for each (`workers` at a time); each link of a confirmation email is followed
    as soon as the email is in the outbox (`workers` at a time too). Returns the answers' statuses."""
    by_address = {s.address: s for s in subscribers}

    def subscribe(s: Subscriber) -> int:
        body = {
            "email": s.address,
            "language": s.language,
            "countries": s.countries,
            "topics": s.topics,
            "frequency": s.frequency,
        }
        if s.bulletin_languages:  # absent: every language, as the API documents
            body["bulletin_languages"] = s.bulletin_languages
        return client.request("POST", "/subscriptions", json_body=body).status

    confirming: dict[str, Future[int]] = {}
    # Two pools: a link is followed as soon as its email is written, not after every subscription.
    with ThreadPoolExecutor(workers) as subscribing, ThreadPoolExecutor(workers) as pool:
        subscribed = [subscribing.submit(subscribe, s) for s in subscribers]
        # A busy stack writes them slowly: give up only when none has come for `patience` seconds.
        last_new, answered = time.monotonic(), 0
        while len(confirming) < len(subscribers) and time.monotonic() - last_new < patience:
            for email in outbox.snapshot():
                if email.kind == "confirmation" and email.to in by_address and email.to not in confirming:
                    last_new = time.monotonic()
                    confirming[email.to] = pool.submit(
                        lambda url: client.request("GET", url).status, email.confirm_url
                    )
            if sum(f.done() for f in subscribed) != answered:
                last_new, answered = time.monotonic(), sum(f.done() for f in subscribed)
            if answered == len(subscribed) and not any(f.result() == 202 for f in subscribed):
                break  # nothing accepted: no confirmation is coming
            done = sum(f.done() for f in confirming.values())
            progress(
                f"setup: {sum(f.done() for f in subscribed):,}/{len(subscribers):,} subscribed, "
                f"{len(confirming):,} confirmation emails, {done:,} confirmed"
            )
            time.sleep(0.2)
        for address, future in confirming.items():
            by_address[address].confirmed = future.result() == 200
    return Counter(f.result() for f in subscribed)
