"""Generated bulletins: realistic titles and bodies in English, Spanish, French and Portuguese that name
countries and topics of the project's vocabulary; a unique reference in each title maps its emails back."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from devstack.load.client import Client
from devstack.load.config import LoadConfig
from devstack.load.vocabulary import (
    AND,
    CITIES,
    CLOSINGS,
    NEIGHBOURS,
    OFFICE_HOMES,
    OPENINGS,
    ORGANISATIONS,
    SECONDS,
    TITLES,
    TOPIC_PHRASES,
)


@dataclass
class Planned:
    """A bulletin to submit, and what the run saw of it."""

    n: int
    office: int
    title: str
    body: str
    published_on: date
    intended_countries: list[str]
    intended_topics: list[str]
    intended_language: str
    # what happened
    submitted_at: float = 0.0  # wall clock, just before the request
    accepted_at: float = 0.0
    status: int = 0
    attempts: int = 0
    id: str = ""


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _join(names: Sequence[str], language: str) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" {AND[language]} " + names[-1]


def generate_bulletins(config: LoadConfig, run: str, today: date) -> list[Planned]:
    """Each names its office's country and 0-2 others, one or two topics, in one of its office's
    languages; round-robin over the offices."""
    from boletin.enrichment.taxonomy import country_name

    rng = random.Random(config.seed)
    planned = []
    for n in range(config.bulletins):
        office = n % config.offices
        home, languages = OFFICE_HOMES[office % len(OFFICE_HOMES)]
        language = weighted(rng, languages)
        others = {c: w for c, w in NEIGHBOURS.items() if c != home}
        countries = [home]
        for _ in range(rng.choice([0, 1, 1, 2])):
            pick = weighted(rng, others)
            others.pop(pick)
            countries.append(pick)
        topics = rng.sample(sorted(TOPIC_PHRASES), rng.choice([1, 1, 2]))
        names = [country_name(c, language) for c in countries]
        org = rng.choice(ORGANISATIONS[language])
        phrase = [rng.choice(TOPIC_PHRASES[t][language]) for t in topics]
        pattern = rng.choice(TITLES[language])
        if len(names) == 1:  # "Officials from X and Y": only with two countries
            pattern = pattern if "{country2}" not in pattern else TITLES[language][0]
        title = pattern.format(org=org, country=names[0], country2=names[-1], topic=phrase[0])
        title = f"{title[0].upper()}{title[1:]} (ref. {run}-{n:05d})"
        paragraphs = [
            OPENINGS[language].format(countries=_join(names, language), org=org, topic=phrase[0]),
            SECONDS[language].format(topic=phrase[-1] if len(phrase) > 1 else phrase[0]),
            rng.choice(CLOSINGS[language]).format(
                org=org, n=rng.randrange(20, 400), city=CITIES.get(home, names[0])
            ),
        ]
        backdated = rng.random() < config.backdated_share
        published_on = today - timedelta(days=rng.randrange(1, 31)) if backdated else today
        planned.append(
            Planned(
                n=n,
                office=office,
                title=title,
                body="\n\n".join(paragraphs),
                published_on=published_on,
                intended_countries=sorted(countries),
                intended_topics=sorted(topics),
                intended_language=language,
            )
        )
    return planned


def submit_bulletin(client: Client, bulletin: Planned, key: str, idempotency_prefix: str) -> None:
    """POST /bulletins as its office; a 5xx is retried with the same Idempotency-Key (which makes a
    retry safe); what happened is kept on `bulletin`."""
    body = {"title": bulletin.title, "body": bulletin.body, "published_on": bulletin.published_on.isoformat()}
    bulletin.submitted_at = time.time()
    for attempt in range(1, 4):
        bulletin.attempts = attempt
        reply = client.request(
            "POST",
            "/bulletins",
            json_body=body,
            key=key,
            headers={"Idempotency-Key": f"{idempotency_prefix}-{bulletin.n}"},
        )
        bulletin.status = reply.status
        if reply.status < 500:
            break
        time.sleep(0.5 * attempt)
    bulletin.accepted_at = time.time()
    if bulletin.status == 201:
        bulletin.id = str(reply.json()["id"])
