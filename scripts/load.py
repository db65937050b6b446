"""`make load`: drive the local stack with concurrent clients and check the system's promises at scale.

Starts a DevStack (its own ports, its own temporary folder), creates offices, subscribes and confirms
email subscribers over HTTP (double opt-in through the outbox, like a person would), then submits
bulletins concurrently over HTTP from a pool of client threads, while watching the feeds and the outbox.
`--bulletins` is the total, spread round-robin over `--offices` (8 offices x 50 = 400 by default).
The bulletins are generated: realistic titles and bodies in English, Spanish, French and Portuguese that
name countries and topics of the project's vocabulary, so enrichment gives them countries and topics.

It prints throughput, end-to-end latency percentiles (submit -> published, -> in a feed, -> email in the
outbox), the AWS calls per bulletin by function and operation (every call the functions make, counted with
`boletin.aws.on_call`), and each invariant with PASS/FAIL:

- every submission accepted, no 5xx anywhere;
- every bulletin published exactly once (one 'Bulletin Published' event on the bus, status published,
  listed once in the whole list and in its office's list);
- every feed right (the whole feed and every country/topic/language feed, in RSS, Atom and JSON, hold
  exactly the newest 50 matching published bulletins, newest first, no duplicates);
- every confirmed immediate subscriber got exactly one email per matching bulletin and none other; every
  daily subscriber with matches got exactly one digest (forced through `POST /_local/digests/run`)
  holding exactly its matches; every subscriber exactly one confirmation;
- nothing in any dead-letter queue of the template;
- no AWS call a function made was refused by its IAM policy in the template (the local stack
  enforces them).

Sizes. The issue's size (`--bulletins 1000 --subscribers 2000`) is reachable but takes hours here: the
whole system runs in one Python process (moto included), so the GIL serialises it, and moto's costs grow
with its tables (TransactWriteItems deep-copies the whole table, stream history included, for its
rollback; a Query sorts the whole table). Submissions slow from ~20/s to ~2/s by the 700th bulletin, and
emails go out at 4-8/s, while the default subscriber mix asks for ~70 emails per immediate subscriber per
1,000 bulletins (136,000 emails for 2,000 subscribers). The defaults (8 offices, 400 bulletins,
50 subscribers) finish in minutes, with moto's Query patched to read one partition as DynamoDB does
(`partition_queries_for_moto`; `--moto-as-is` to measure moto unpatched).

The exit code is 1 when an invariant fails. The core, `run_load(stack, config)`, takes a running stack:
tests run it in-process at a small size. It expects a stack with no bulletins yet (a fresh one).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parents[1]
FEED_SIZE = 50  # boletin.services.feeds.FEED_SIZE: the newest 50 of each scope
FORMATS = {"json": "json", "rss": "xml", "atom": "atom"}
_ENTRY_ID = re.compile(r"urn:boletin:bulletin:([0-9A-Za-z-]+)")
_BULLETIN_URL = re.compile(r"/bulletins/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
_CONFIRM_URL = re.compile(r"https?://\S+/subscriptions/confirm\?token=[A-Za-z0-9_\-=.]+")


# ====================================================================================== configuration
@dataclass(frozen=True)
class LoadConfig:
    offices: int = 8
    # The size is --bulletins 1000 --subscribers 2000: reachable, but hours long on the local
    # stack (see the module docstring); the defaults finish in minutes.
    bulletins: int = 400  # in total, spread round-robin over the offices
    subscribers: int = 50
    clients: int = 8  # concurrent HTTP client threads
    digest_share: float = 0.1  # of subscribers, daily digests (the rest are immediate)
    rate: float = 0.0  # bulletins/s to submit at (0: as fast as the clients go)
    backdated_share: float = 0.1  # bulletins dated 1-30 days back (the rest are today's news)
    seed: int = 2025
    timeout: float = 3600.0  # for the system to deliver everything, after the last submission
    feed_poll: float = 0.1  # seconds between two looks at the feeds
    progress: float = 10.0  # seconds between progress lines (on stderr)


# ====================================================================================== generated news
# Offices: a home country and the languages it writes in (weights).
OFFICE_HOMES: list[tuple[str, dict[str, float]]] = [
    ("CR", {"es": 0.6, "en": 0.4}),
    ("PA", {"es": 0.5, "en": 0.5}),
    ("GT", {"es": 0.8, "en": 0.2}),
    ("MX", {"es": 0.7, "en": 0.3}),
    ("HT", {"fr": 0.7, "en": 0.3}),
    ("BR", {"pt": 0.8, "en": 0.2}),
    ("DO", {"es": 0.7, "en": 0.3}),
    ("CO", {"es": 0.6, "en": 0.4}),
    ("HN", {"es": 0.8, "en": 0.2}),
    ("SV", {"es": 0.8, "en": 0.2}),
    ("EC", {"es": 0.7, "en": 0.3}),
    ("PE", {"es": 0.7, "en": 0.3}),
]
# Other countries a bulletin names, with how often.
NEIGHBOURS: dict[str, float] = {
    "CR": 3, "PA": 3, "GT": 3, "HN": 3, "SV": 3, "NI": 2, "MX": 3, "BZ": 1, "DO": 2, "HT": 2,
    "CU": 1, "JM": 1, "TT": 1, "CO": 2, "VE": 2, "EC": 2, "PE": 2, "BO": 1, "CL": 1, "AR": 1,
    "BR": 2, "US": 2, "CA": 1, "GY": 1,
}  # fmt: skip
TOPIC_PHRASES: dict[str, dict[str, list[str]]] = {
    "labour-migration": {
        "en": ["labour migration", "fair recruitment of migrant workers", "seasonal work programmes"],
        "es": ["la migración laboral", "el reclutamiento equitativo de trabajadores migrantes"],
        "fr": ["la migration de travail", "les droits des travailleurs migrants au recrutement"],
        "pt": ["a migração laboral", "os trabalhadores migrantes"],
    },
    "trafficking-in-persons": {
        "en": ["the fight against trafficking in persons", "support for victims of trafficking"],
        "es": ["la lucha contra la trata de personas", "la atención a víctimas de trata"],
        "fr": ["la lutte contre la traite des personnes"],
        "pt": ["o combate ao tráfico de pessoas"],
    },
    "migrant-smuggling": {
        "en": ["the dismantling of migrant smuggling networks", "the prosecution of migrant smuggling"],
        "es": ["el desmantelamiento de redes de tráfico ilícito de migrantes"],
        "fr": ["le démantèlement des réseaux de trafic illicite de migrants"],
        "pt": ["o combate ao contrabando de migrantes"],
    },
    "emergencies": {
        "en": ["hurricane preparedness", "the emergency response to the tropical storm"],
        "es": ["la preparación ante huracanes", "la respuesta humanitaria tras la tormenta tropical"],
        "fr": ["la préparation aux ouragans"],
        "pt": ["a resposta aos furacões"],
    },
    "health": {
        "en": ["mental health services for migrants", "a vaccination campaign"],
        "es": ["los servicios de salud mental", "una campaña de vacunación"],
        "fr": ["la santé mentale des migrants"],
        "pt": ["a saúde mental dos migrantes"],
    },
    "education": {
        "en": ["access to education for migrant children", "inclusive education"],
        "es": ["el acceso a la educación de la niñez migrante", "la educación inclusiva"],
        "fr": ["l'accès à l'éducation des enfants migrants"],
        "pt": ["o acesso à educação das crianças migrantes"],
    },
    "governance": {
        "en": ["migration governance", "a new national migration policy"],
        "es": ["la gobernanza migratoria", "una nueva política migratoria"],
        "fr": ["la gouvernance migratoire", "une nouvelle politique migratoire"],
        "pt": ["a governança migratória"],
    },
    "capacity-building": {
        "en": ["capacity building for border officials", "a training of trainers"],
        "es": ["el fortalecimiento de capacidades institucionales", "un taller sobre atención consular"],
        "fr": ["le renforcement des capacités des fonctionnaires"],
        "pt": ["o fortalecimento de capacidades institucionais"],
    },
    "data-research": {
        "en": ["a regional study on migration data", "a new household survey"],
        "es": ["un estudio regional sobre datos migratorios", "una encuesta de hogares"],
        "fr": ["une étude régionale sur les données migratoires"],
        "pt": ["um estudo regional sobre dados migratórios"],
    },
    "borders": {
        "en": ["border management", "conditions at border crossings"],
        "es": ["la gestión de fronteras", "la atención en los puestos fronterizos"],
        "fr": ["la gestion des frontières"],
        "pt": ["a gestão de fronteiras"],
    },
    "return-reintegration": {
        "en": ["the reintegration of returned migrants", "assisted voluntary return"],
        "es": ["la reintegración de personas migrantes retornadas"],
        "fr": ["la réinsertion des migrants de retour"],
        "pt": ["a reintegração de migrantes retornados"],
    },
    "protection": {
        "en": ["the human rights of migrants", "the protection of unaccompanied children"],
        "es": ["los derechos humanos de las personas migrantes", "la protección de la niñez no acompañada"],
        "fr": ["les droits humains des migrants"],
        "pt": ["os direitos humanos dos migrantes"],
    },
    "integration": {
        "en": ["the social inclusion of migrants", "social cohesion with host communities"],
        "es": [
            "la inclusión social de las personas migrantes",
            "la cohesión social en comunidades de acogida",
        ],
        "fr": ["l'inclusion sociale des migrants"],
        "pt": ["a inclusão social de migrantes"],
    },
    "climate": {
        "en": ["climate change and human mobility", "drought in the Dry Corridor"],
        "es": ["el cambio climático y la movilidad humana", "la sequía en el Corredor Seco"],
        "fr": ["le changement climatique et la mobilité humaine"],
        "pt": ["as mudanças climáticas e a mobilidade humana"],
    },
}
ORGANISATIONS = {
    "en": ["IOM", "IOM", "UNICEF", "UNHCR", "ILO"],
    "es": ["OIM", "OIM", "UNICEF", "ACNUR", "OIT"],
}
ORGANISATIONS |= {"fr": ["OIM", "OIM", "UNICEF"], "pt": ["OIM", "OIM", "UNICEF", "OIT"]}
TITLES = {
    "en": [
        "{org} and {country} step up work on {topic}",
        "{country}: authorities and {org} advance {topic}",
        "Officials from {country} and {country2} agree on {topic}",
        "{org} supports {country} in {topic}",
    ],
    "es": [
        "{org} y {country} impulsan {topic}",
        "{country}: autoridades y {org} avanzan en {topic}",
        "Funcionarios de {country} y {country2} acuerdan acciones sobre {topic}",
        "{org} apoya a {country} en {topic}",
    ],
    "fr": [
        "{org} et {country} renforcent {topic}",
        "{country} : les autorités et {org} avancent sur {topic}",
        "{org} appuie {country} dans {topic}",
    ],
    "pt": [
        "{org} e {country} fortalecem {topic}",
        "{country}: autoridades e {org} avançam em {topic}",
        "{org} apoia {country} em {topic}",
    ],
}
OPENINGS = {
    "en": "Representatives of the governments of {countries} met this week with {org} to review {topic}. "
    "The meeting brought together ministries, local governments and civil society organisations.",
    "es": "Representantes de los gobiernos de {countries} se reunieron esta semana con {org} para revisar "
    "{topic}. El encuentro reunió a ministerios, gobiernos locales y organizaciones de la sociedad civil.",
    "fr": "Des représentants des gouvernements de {countries} se sont réunis cette semaine avec {org} pour "
    "examiner {topic}. La rencontre a réuni des ministères, des autorités locales et des organisations de "
    "la société civile.",
    "pt": "Representantes dos governos de {countries} reuniram-se esta semana com a {org} para analisar "
    "{topic}. O encontro reuniu ministérios, governos locais e organizações da sociedade civil.",
}
SECONDS = {
    "en": "Participants also discussed {topic}, and agreed on a work plan for the coming months.",
    "es": "Las personas participantes también abordaron {topic} y acordaron un plan de trabajo para los "
    "próximos meses.",
    "fr": "Les participants ont également abordé {topic} et ont convenu d'un plan de travail pour les "
    "prochains mois.",
    "pt": "Os participantes também discutiram {topic} e acordaram um plano de trabalho para os próximos meses.",
}
CLOSINGS = {
    "en": [
        '"This is a shared responsibility, and today we take a concrete step," said the head of the '
        "{org} office.",
        "More than {n} people took part in the sessions, which will continue next month.",
        "The next meeting is planned for the end of the year in {city}.",
    ],
    "es": [
        '"Esta es una responsabilidad compartida y hoy damos un paso concreto", afirmó la jefa de la '
        "oficina de {org}.",
        "Más de {n} personas participaron en las sesiones, que continuarán el próximo mes.",
        "La próxima reunión está prevista para finales de año en {city}.",
    ],
    "fr": [
        "« C'est une responsabilité partagée, et nous faisons aujourd'hui un pas concret », a déclaré la "
        "cheffe du bureau de l'{org}.",
        "Plus de {n} personnes ont participé aux sessions, qui se poursuivront le mois prochain.",
    ],
    "pt": [
        '"Esta é uma responsabilidade partilhada e hoje damos um passo concreto", afirmou a chefe do '
        "escritório da {org}.",
        "Mais de {n} pessoas participaram das sessões, que continuarão no próximo mês.",
    ],
}
AND = {"en": "and", "es": "y", "fr": "et", "pt": "e"}
CITIES = {"CR": "San José", "PA": "Panama City", "GT": "Guatemala City", "MX": "Mexico City"}


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


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _join(names: Sequence[str], language: str) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" {AND[language]} " + names[-1]


def generate_bulletins(config: LoadConfig, run: str, today: date) -> list[Planned]:
    """Realistic generated bulletins: each names its office's country and 0-2 others, one or two topics,
    in one of its office's languages; a unique reference in the title maps its emails back to it."""
    from boletin.enrichment.taxonomy import country_name

    rng = random.Random(config.seed)
    planned = []
    for n in range(config.bulletins):
        office = n % config.offices
        home, languages = OFFICE_HOMES[office % len(OFFICE_HOMES)]
        language = _weighted(rng, languages)
        others = {c: w for c, w in NEIGHBOURS.items() if c != home}
        countries = [home]
        for _ in range(rng.choice([0, 1, 1, 2])):
            pick = _weighted(rng, others)
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


@dataclass
class Subscriber:
    address: str
    language: str
    countries: list[str]
    topics: list[str]
    frequency: str  # immediate | daily
    confirmed: bool = False

    def matches(self, countries: Sequence[str], topics: Sequence[str]) -> bool:
        """The documented filter semantics: an empty filter is everything; both must match."""
        return (not self.countries or bool(set(self.countries) & set(countries))) and (
            not self.topics or bool(set(self.topics) & set(topics))
        )


# How subscribers filter, with how often: most follow a country and a topic, some a country or a topic,
# a few two countries, and one in 200 everything.
FILTER_KINDS = {"country+topic": 0.5, "country": 0.25, "topic": 0.12, "two countries": 0.125, "all": 0.005}


def generate_subscribers(config: LoadConfig, run: str) -> list[Subscriber]:
    rng = random.Random(config.seed + 1)
    subscribers = []
    topics = sorted(TOPIC_PHRASES)
    for i in range(config.subscribers):
        kind = _weighted(rng, FILTER_KINDS)
        countries: list[str] = []
        chosen: list[str] = []
        if kind in ("country", "country+topic"):
            countries = [_weighted(rng, NEIGHBOURS)]
        elif kind == "two countries":
            first = _weighted(rng, NEIGHBOURS)
            countries = [first, _weighted(rng, {c: w for c, w in NEIGHBOURS.items() if c != first})]
        if kind in ("topic", "country+topic"):
            chosen = [rng.choice(topics)]
        subscribers.append(
            Subscriber(
                address=f"load-{run}-{i:05d}@example.org",
                language=_weighted(rng, {"en": 0.45, "es": 0.4, "fr": 0.08, "pt": 0.07}),
                countries=sorted(countries),
                topics=chosen,
                frequency="daily" if rng.random() < config.digest_share else "immediate",
            )
        )
    return subscribers


# ====================================================================================== HTTP
@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """urllib against the stack; counts every status and retries what never reached the handler."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.statuses: Counter[int] = Counter()
        self.server_errors: list[str] = []
        self.connection_errors = 0
        self._lock = threading.Lock()

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        key: str | None = None,
        attempts: int = 4,
    ) -> Reply:
        data = None
        all_headers = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode()
            all_headers["Content-Type"] = "application/json"
        if key is not None:
            all_headers["Authorization"] = f"Bearer {key}"
        url = path if path.startswith("http") else self.base_url + path
        for attempt in range(attempts):
            request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    reply = Reply(response.status, dict(response.headers), response.read())
            except urllib.error.HTTPError as error:
                reply = Reply(error.code, dict(error.headers), error.read())
            except (ConnectionError, TimeoutError, urllib.error.URLError) as error:
                with self._lock:
                    self.connection_errors += 1
                if attempt == attempts - 1:
                    raise
                time.sleep(0.2 * 2**attempt)
                _ = error
                continue
            with self._lock:
                self.statuses[reply.status] += 1
                if reply.status >= 500:
                    self.server_errors.append(f"{method} {path}: {reply.status} {reply.body[:300]!r}")
            return reply
        raise AssertionError("unreachable")


# ====================================================================================== counting
class _CallCounter:
    """boletin.aws.on_call hook: every AWS call of the functions, by function and operation."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: Counter[tuple[str, str]] = Counter()
        self.active = False

    def __call__(self, model: Any, **_: Any) -> None:
        if not self.active:
            return
        from devstack.functions import running_function

        function = running_function() or "(outside the functions)"
        operation = f"{model.service_model.service_name}:{model.name}"
        with self.lock:
            self.calls[(function, operation)] += 1

    def take(self) -> Counter[tuple[str, str]]:
        with self.lock:
            taken, self.calls = self.calls, Counter()
        return taken


_COUNTER: _CallCounter | None = None


def _call_counter() -> _CallCounter:
    """One hook per process (boletin.aws keeps hooks for good): registered once, switched on and off."""
    global _COUNTER
    if _COUNTER is None:
        from boletin import aws

        _COUNTER = _CallCounter()
        aws.on_call(_COUNTER)
    return _COUNTER


@dataclass
class FunctionStats:
    errors: Counter[str] = field(default_factory=Counter)  # raised
    partial: Counter[str] = field(default_factory=Counter)  # batch items reported failed
    lock: threading.Lock = field(default_factory=threading.Lock)


def _count_failures(stack: Any, stats: FunctionStats) -> list[Callable[[], None]]:
    """Wrap every function's handler: what it raises and the batch items it reports failed are counted."""
    undo = []
    for logical_id in list(stack.functions):

        def wrapper(handler: Any, name: str = logical_id) -> Any:
            def counted(event: Any, context: Any) -> Any:
                try:
                    result = handler(event, context)
                except BaseException:
                    with stats.lock:
                        stats.errors[name] += 1
                    raise
                failures = result.get("batchItemFailures") if isinstance(result, dict) else None
                if failures:
                    with stats.lock:
                        stats.partial[name] += len(failures)
                return result

            return counted

        undo.append(stack.wrap_handler(logical_id, wrapper))
    return undo


# ====================================================================================== watchers
class Watcher(threading.Thread):
    def __init__(self, name: str, interval: float) -> None:
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.stopping = threading.Event()
        self.failure: str | None = None

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.once()
            except Exception as error:  # a watcher must not die silently: its figures would be wrong
                self.failure = f"{type(error).__name__}: {error}"
            self.stopping.wait(self.interval)

    def once(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self.stopping.set()
        self.join(30)
        self.once()  # a last look


@dataclass
class Email:
    path: str
    to: str
    subject: str
    written_at: float
    kind: str  # bulletin | confirmation | digest | other
    bulletin: Planned | None = None  # the bulletin whose title is the subject

    @property
    def garbled(self) -> bool:
        """The subject does not read as the title (RFC 2047 decoding, as mail clients do)."""
        return self.bulletin is not None and self.subject != self.bulletin.title

    digest_ids: frozenset[str] = frozenset()
    confirm_url: str = ""

    @property
    def bulletin_id(self) -> str:
        return self.bulletin.id if self.bulletin is not None else ""


def _text_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return str(part.get_content()) if part is not None else ""


class OutboxWatcher(Watcher):
    """Reads each new .eml once: its recipient, its subject (a bulletin's title), when it was written."""

    def __init__(self, directory: Path, interval: float = 0.2) -> None:
        super().__init__("load-outbox", interval)
        self.directory = directory
        self.ignored = {p.name for p in directory.glob("*.eml")} if directory.is_dir() else set()
        # The bulletins' titles without whitespace (known before they are submitted): the subject as
        # decoded may differ from the title in its spaces only (see `garbled`).
        self.titles: dict[str, Planned] = {}
        self.emails: list[Email] = []
        self.lock = threading.Lock()
        self._seen: set[str] = set()

    def expect(self, bulletins: Sequence[Planned]) -> None:
        with self.lock:
            self.titles.update(("".join(b.title.split()), b) for b in bulletins)

    def once(self) -> None:
        if not self.directory.is_dir():
            return
        with os.scandir(self.directory) as entries:
            fresh = [
                e
                for e in entries
                if e.name.endswith(".eml") and e.name not in self._seen and e.name not in self.ignored
            ]
        parser = BytesParser(policy=policy.default)
        for entry in sorted(fresh, key=lambda e: e.name):
            self._seen.add(entry.name)
            raw = Path(entry.path).read_bytes()
            written_at = entry.stat().st_mtime
            headers = parser.parsebytes(raw, headersonly=True)
            to = parseaddr(str(headers["To"] or ""))[1].lower()
            subject = str(headers["Subject"] or "").strip()  # a subject folded at once keeps a space
            email = Email(entry.name, to, subject, written_at, "other")
            with self.lock:
                bulletin = self.titles.get("".join(subject.split()))
            if bulletin is not None:
                email.kind, email.bulletin = "bulletin", bulletin
            else:
                message = parser.parsebytes(raw)
                assert isinstance(message, EmailMessage)
                text = _text_body(message)
                confirm = _CONFIRM_URL.search(text)
                if confirm:
                    email.kind, email.confirm_url = "confirmation", confirm.group(0)
                elif _BULLETIN_URL.search(text):
                    email.kind, email.digest_ids = "digest", frozenset(_BULLETIN_URL.findall(text))
            with self.lock:
                self.emails.append(email)

    def snapshot(self) -> list[Email]:
        with self.lock:
            return list(self.emails)


class FeedWatcher(Watcher):
    """Looks at the feeds bucket; fetches each JSON feed that changed through the feeds URL (as a reader
    would) and notes when each bulletin was first seen in any feed."""

    def __init__(self, stack: Any, client: Client, interval: float) -> None:
        super().__init__("load-feeds", interval)
        self.s3 = stack.client("s3")
        self.bucket = stack.environment["FEEDS_BUCKET"]
        self.client = client
        self.etags: dict[str, str] = {}
        self.first_seen: dict[str, float] = {}
        self.fetches = 0
        self.rounds = 0

    def once(self) -> None:
        self.rounds += 1
        changed = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix="feeds/"):
            for item in page.get("Contents", []):
                key = item["Key"]
                if key.endswith(".json") and self.etags.get(key) != item["ETag"]:
                    changed.append((key, item["ETag"]))
        for key, etag in changed:
            reply = self.client.request("GET", "/" + key)
            seen_at = time.time()
            self.fetches += 1
            if reply.status != 200:
                continue
            self.etags[key] = etag
            for item in reply.json().get("items", []):
                found = _ENTRY_ID.search(str(item.get("id", "")))
                if found and found.group(1) not in self.first_seen:
                    self.first_seen[found.group(1)] = seen_at


class EventTap(Watcher):
    """A rule of the driver's own on the bulletins bus, into a queue of its own: every event the bus
    carries, counted (what 'published exactly once' is checked against)."""

    def __init__(self, stack: Any, run: str) -> None:
        super().__init__("load-tap", 0.0)
        self.events_client = stack.client("events")
        self.sqs = stack.client("sqs")
        self.bus = stack.environment["EVENT_BUS_NAME"]
        self.rule = f"load-tap-{run}"
        self.queue_url = self.sqs.create_queue(QueueName=f"load-tap-{run}")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.events_client.put_rule(
            Name=self.rule, EventBusName=self.bus, EventPattern=json.dumps({"source": ["boletin.bulletins"]})
        )
        self.events_client.put_targets(
            Rule=self.rule, EventBusName=self.bus, Targets=[{"Id": "load-tap", "Arn": arn}]
        )
        self.events: list[tuple[str, dict[str, Any]]] = []  # (detail-type, detail)
        self.lock = threading.Lock()

    def once(self) -> None:
        while True:
            received = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=0 if self.stopping.is_set() else 1,
            ).get("Messages", [])
            if not received:
                return
            with self.lock:
                for message in received:
                    envelope = json.loads(message["Body"])
                    self.events.append((str(envelope.get("detail-type")), dict(envelope.get("detail") or {})))
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)],
            )

    def published(self) -> dict[str, dict[str, Any]]:
        with self.lock:
            return {d["id"]: d for kind, d in self.events if kind == "Bulletin Published" and "id" in d}

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.events_client.remove_targets(Rule=self.rule, EventBusName=self.bus, Ids=["load-tap"])
            self.events_client.delete_rule(Name=self.rule, EventBusName=self.bus)
            self.sqs.delete_queue(QueueUrl=self.queue_url)


# ====================================================================================== the report
@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class LoadReport:
    config: LoadConfig
    lines: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    calls_per_bulletin: dict[tuple[str, str], float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))

    def render(self) -> str:
        out = list(self.lines)
        out.append("\nInvariants")
        out += [f"  {'PASS' if c.ok else 'FAIL'}  {c.name}: {c.detail}" for c in self.checks]
        out.append(f"\nRESULT: {'PASS' if self.passed else 'FAIL'}")
        return "\n".join(out)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _latency_row(name: str, values: Sequence[float]) -> str:
    if not values:
        return f"  {name:44s} {0:>7,}  (none observed)"
    cells = " ".join(f"{percentile(values, q):8.2f}" for q in (50, 90, 99)) + f" {max(values):8.2f}"
    return f"  {name:44s} {len(values):>7,} {cells}"


# ====================================================================================== the run
class _Progress:
    def __init__(self, every: float, stream: TextIO) -> None:
        self.every = every
        self.stream = stream
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, text: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.last >= self.every:
            self.last = now
            print(f"[load {now - self.started:7.1f} s] {text}", file=self.stream, flush=True)


def _wait_idle(stack: Any, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            stack.wait_until_idle(timeout=min(30.0, max(1.0, deadline - time.monotonic())))
            return True
        except TimeoutError:
            continue
    return False


def _fetch_all(client: Client, path: str, key: str | None = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = path + ("&" if "?" in path else "?") + "limit=100" + (f"&cursor={cursor}" if cursor else "")
        reply = client.request("GET", query, key=key)
        if reply.status != 200:
            raise RuntimeError(f"GET {query}: {reply.status} {reply.body[:200]!r}")
        page = reply.json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


_DEAD_LETTER_KEYS = {"deadLetterTargetArn", "DeadLetterQueue", "DeadLetterConfig", "OnFailure"}


def _logical_ids(node: Any) -> Iterator[str]:
    """The resources a template value points at (!Ref X, !GetAtt X.Arn)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else str(value).split(".", 1)[0]
                yield str(target)
            else:
                yield from _logical_ids(value)
    elif isinstance(node, list):
        for value in node:
            yield from _logical_ids(value)


def _dead_letter_targets(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _DEAD_LETTER_KEYS:
                yield from _logical_ids(value)
            else:
                yield from _dead_letter_targets(value)
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


def run_load(stack: Any, config: LoadConfig, *, progress_stream: TextIO | None = None) -> LoadReport:
    """Drive `stack` (started, with no bulletins yet) and check its invariants; the report says all."""
    from boletin.services.offices import create_office

    report = LoadReport(config)
    say = report.lines.append
    progress = _Progress(config.progress, progress_stream or sys.stderr)
    run = uuid.uuid4().hex[:6]
    today = datetime.now(UTC).date()
    client = Client(stack.url)
    counter = _call_counter()
    stats = FunctionStats()
    started = time.monotonic()

    existing = client.request("GET", "/bulletins?limit=1").json()["items"]
    if existing:
        raise RuntimeError("the stack already holds bulletins: the load driver needs a fresh stack")

    say(
        f"Boletín load: {config.offices} offices, {config.bulletins:,} bulletins in total, "
        f"{config.subscribers:,} subscribers, {config.clients} clients"
        + (f", {config.rate:g} bulletins/s" if config.rate else ", as fast as the clients go")
    )
    say(f"  stack {stack.url} (moto {stack.moto_url}); outbox {stack.outbox_dir}")
    say(
        f"  SES quota {os.environ.get('LOCAL_SES_MAX_SEND_RATE', '50')}/s; one local sender paces itself "
        "as one of 2 (ScalingConfig MaximumConcurrency 2)"
    )
    from moto.dynamodb.models.table import Table

    say(
        "  moto's DynamoDB Query "
        + (
            "patched to read one partition (partition_queries_for_moto)"
            if getattr(Table, "_load_partition_queries", False)
            else "as moto has it (sorts the whole table)"
        )
    )

    # ---------------------------------------------------------------- setup: offices and subscribers
    offices: list[tuple[str, str]] = []
    for i in range(config.offices):
        home = OFFICE_HOMES[i % len(OFFICE_HOMES)][0]
        office, key = create_office(f"IOM {home} load {run} {i}")
        offices.append((office.id, key))
    outbox = OutboxWatcher(Path(stack.outbox_dir))
    outbox.start()
    undo = _count_failures(stack, stats)
    tap: EventTap | None = None
    feeds: FeedWatcher | None = None
    try:
        subscribers = generate_subscribers(config, run)
        by_address = {s.address: s for s in subscribers}
        setup_started = time.monotonic()
        counter.active = True
        with ThreadPoolExecutor(config.clients) as pool:
            answers = list(
                pool.map(
                    lambda s: (
                        client.request(
                            "POST",
                            "/subscriptions",
                            json_body={
                                "email": s.address,
                                "language": s.language,
                                "countries": s.countries,
                                "topics": s.topics,
                                "frequency": s.frequency,
                            },
                        ).status
                    ),
                    subscribers,
                )
            )
            subscribed = Counter(answers)
            confirming: set[str] = set()
            futures = []
            deadline = time.monotonic() + max(120.0, config.subscribers / 5)
            while len(confirming) < len(subscribers) and time.monotonic() < deadline:
                for email in outbox.snapshot():
                    if email.kind == "confirmation" and email.to in by_address and email.to not in confirming:
                        confirming.add(email.to)
                        futures.append((email.to, pool.submit(client.request, "GET", email.confirm_url)))
                progress(f"setup: {len(confirming):,}/{len(subscribers):,} confirmation emails")
                time.sleep(0.2)
            for address, future in futures:
                by_address[address].confirmed = future.result().status == 200
        _wait_idle(stack, time.monotonic() + 120)
        setup_calls = counter.take()
        counter.active = False
        confirmed = [s for s in subscribers if s.confirmed]
        setup_seconds = time.monotonic() - setup_started
        say(
            f"\nSetup: {len(offices)} offices; {len(subscribers):,} subscriptions (answers "
            f"{dict(sorted(subscribed.items()))}), {len(confirmed):,} confirmed through the emailed link "
            f"in {setup_seconds:.1f} s"
        )
        say(
            f"  {sum(1 for s in confirmed if s.frequency == 'immediate'):,} immediate, "
            f"{sum(1 for s in confirmed if s.frequency == 'daily'):,} daily; filters: "
            + ", ".join(
                f"{kind} {n:,}"
                for kind, n in Counter(
                    "all"
                    if not s.countries and not s.topics
                    else "two countries"
                    if len(s.countries) == 2
                    else "+".join(k for k, v in (("country", s.countries), ("topic", s.topics)) if v)
                    for s in subscribers
                ).most_common()
            )
        )
        say(
            f"  AWS calls per subscriber (subscribe, confirmation email, confirm): "
            f"{sum(setup_calls.values()) / max(1, len(subscribers)):.2f}"
        )

        # ---------------------------------------------------------------- load: submit concurrently
        planned = generate_bulletins(config, run, today)
        outbox.expect(planned)
        tap = EventTap(stack, run)
        tap.start()
        feeds = FeedWatcher(stack, client, config.feed_poll)
        feeds.start()
        counter.active = True
        load_started = time.time()
        load_clock = time.monotonic()

        def submit(bulletin: Planned) -> None:
            if config.rate:
                due = load_clock + bulletin.n / config.rate
                time.sleep(max(0.0, due - time.monotonic()))
            key = offices[bulletin.office][1]
            body = {
                "title": bulletin.title,
                "body": bulletin.body,
                "published_on": bulletin.published_on.isoformat(),
            }
            bulletin.submitted_at = time.time()
            for attempt in range(1, 4):
                bulletin.attempts = attempt
                reply = client.request(
                    "POST",
                    "/bulletins",
                    json_body=body,
                    key=key,
                    headers={"Idempotency-Key": f"load-{run}-{bulletin.n}"},
                )
                bulletin.status = reply.status
                if reply.status < 500:
                    break
                time.sleep(0.5 * attempt)  # the same Idempotency-Key: a retry is safe
            bulletin.accepted_at = time.time()
            if bulletin.status == 201:
                bulletin.id = str(reply.json()["id"])

        with ThreadPoolExecutor(config.clients) as pool:
            futures = [pool.submit(submit, b) for b in planned]
            while not all(f.done() for f in futures):
                done = sum(f.done() for f in futures)
                progress(f"submitted {done:,}/{len(planned):,}; published {len(tap.published()):,}")
                time.sleep(0.2)
            for f in futures:
                f.result()
        submit_seconds = time.time() - load_started
        accepted = [b for b in planned if b.status == 201]
        by_id = {b.id: b for b in accepted}

        # ---------------------------------------------------------------- wait for everything to arrive
        immediate = [s for s in confirmed if s.frequency == "immediate"]
        deadline = time.monotonic() + config.timeout
        expected_emails = 0
        last_change, last_counts = time.monotonic(), (-1, -1)
        while time.monotonic() < deadline:
            published = tap.published()
            expected_emails = sum(
                1
                for detail in published.values()
                for s in immediate
                if s.matches(detail.get("countries", []), detail.get("topics", []))
            )
            arrived = sum(1 for e in outbox.snapshot() if e.kind == "bulletin")
            progress(
                f"published {len(published):,}/{len(accepted):,}; bulletin emails {arrived:,}/"
                f"{expected_emails:,} so far expected"
            )
            if len(published) >= len(accepted) and arrived >= expected_emails:
                break
            if (len(published), arrived) != last_counts:
                last_change, last_counts = time.monotonic(), (len(published), arrived)
            elif time.monotonic() - last_change > 20 and _wait_idle(stack, time.monotonic() + 5):
                progress("the stack is idle and nothing more arrives: checking what is there", force=True)
                break  # the checks say what is missing
            time.sleep(1.0 if expected_emails > 1000 else 0.25)
        idle = _wait_idle(stack, deadline)
        drained_at = time.time()
        load_calls = counter.take()
        counter.active = False
        feeds.stop()
        tap.stop()

        # ---------------------------------------------------------------- digests, forced
        digest_subscribers = [s for s in confirmed if s.frequency == "daily"]
        digest_reply: Reply | None = None
        if digest_subscribers:
            counter.active = True
            digest_reply = client.request("POST", "/_local/digests/run")
            _wait_idle(stack, time.monotonic() + max(120.0, len(digest_subscribers)))
            digest_calls = counter.take()
            counter.active = False
        else:
            digest_calls = Counter()
        outbox.stop()
        finished = time.monotonic()

        # ---------------------------------------------------------------- what is there now
        states: dict[str, dict[str, Any]] = {}
        with ThreadPoolExecutor(config.clients) as pool:
            for reply in pool.map(lambda i: client.request("GET", f"/bulletins/{i}"), list(by_id)):
                if reply.status == 200:
                    view = reply.json()
                    states[view["id"]] = view
        emails = outbox.snapshot()

        # ---------------------------------------------------------------- figures
        figures = report.figures
        figures.update(
            submitted=len(planned),
            accepted=len(accepted),
            published=sum(1 for v in states.values() if v["status"] == "published"),
            emails=sum(1 for e in emails if e.kind == "bulletin"),
            digests=sum(1 for e in emails if e.kind == "digest"),
            confirmations=sum(1 for e in emails if e.kind == "confirmation"),
            wall_seconds=finished - started,
            submit_seconds=submit_seconds,
        )
        published_at = {
            i: datetime.fromisoformat(v["published_at"].replace("Z", "+00:00")).timestamp()
            for i, v in states.items()
            if v.get("published_at")
        }
        last_published = max(published_at.values(), default=load_started)
        bulletin_emails = [e for e in emails if e.kind == "bulletin" and e.bulletin_id in by_id]
        report.latencies = {
            "submit → accepted (201)": [b.accepted_at - b.submitted_at for b in accepted],
            "submit → published (published_at)": [t - by_id[i].submitted_at for i, t in published_at.items()],
            "submit → in a feed (first seen)": [
                t - by_id[i].submitted_at for i, t in feeds.first_seen.items() if i in by_id
            ],
            "submit → email in the outbox (every email)": [
                e.written_at - by_id[e.bulletin_id].submitted_at for e in bulletin_emails
            ],
        }
        last_email: dict[str, float] = {}
        for e in bulletin_emails:
            last_email[e.bulletin_id] = max(last_email.get(e.bulletin_id, 0.0), e.written_at)
        report.latencies["submit → last email of its bulletin"] = [
            t - by_id[i].submitted_at for i, t in last_email.items()
        ]
        email_times = [e.written_at for e in bulletin_emails]
        say(
            f"\nLoad: {len(accepted):,}/{len(planned):,} bulletins accepted in {submit_seconds:.1f} s "
            f"({len(accepted) / max(submit_seconds, 1e-9):.1f} submitted/s; "
            f"{sum(b.attempts - 1 for b in planned)} retried)"
        )
        published_span = last_published - load_started
        say(
            f"  {len(published_at):,} published, the last {published_span:.1f} s after the first submission "
            f"({len(published_at) / max(published_span, 1e-9):.1f} published/s)"
        )
        if email_times:
            span = max(email_times) - min(email_times)
            say(
                f"  {len(bulletin_emails):,} bulletin emails to {len(immediate):,} immediate subscribers "
                f"({len(bulletin_emails) / max(1, len(accepted)):.1f} per bulletin), written over {span:.1f} s "
                f"({len(bulletin_emails) / max(span, 1e-9):.1f} emails/s); the last "
                f"{max(email_times) - load_started:.1f} s after the first submission"
            )
            garbled = [e for e in bulletin_emails if e.garbled]
            if garbled:
                say(
                    f"  NOTE {len(garbled):,} emails ({len({e.bulletin_id for e in garbled}):,} bulletins) have a "
                    f"subject that does not read as the title once decoded, e.g. {garbled[0].subject!r} for "
                    f"{garbled[0].bulletin.title if garbled[0].bulletin else ''!r}"
                )
        say(
            f"  everything delivered and the stack idle {drained_at - load_started:.1f} s after the first "
            f"submission{'' if idle else ' (NOT idle by the timeout)'}"
        )
        if digest_subscribers:
            say(
                f"  forced digests: {figures['digests']:,} to {len(digest_subscribers):,} daily subscribers "
                f"(POST /_local/digests/run: {digest_reply.status if digest_reply else '-'})"
            )
        say(
            f"  wall time {figures['wall_seconds']:.1f} s (setup {setup_seconds:.1f} s); feeds polled "
            f"{feeds.rounds:,} times ({feeds.fetches:,} feed fetches); HTTP statuses "
            f"{dict(sorted(client.statuses.items()))}, connection errors {client.connection_errors}"
        )
        say("\nLatency, seconds" + " " * 31 + "count      p50      p90      p99      max")
        for name, values in report.latencies.items():
            say(_latency_row(name, values))
        unseen = len(accepted) - len(report.latencies["submit → in a feed (first seen)"])
        say(
            f"  (feeds looked at every {config.feed_poll:g} s plus the time a look takes; {unseen:,} bulletins "
            "were never seen in a feed: overtaken by 50 newer ones in each of their feeds between two looks, "
            "or backdated below them)"
        )

        n = max(1, len(accepted))
        report.calls_per_bulletin = {k: v / n for k, v in load_calls.items()}
        say(
            f"\nAWS calls per bulletin (the functions' own calls, from the first submission until idle, "
            f"divided by {n:,} bulletins; {len(bulletin_emails):,} emails among them)"
        )
        by_function: dict[str, Counter[str]] = defaultdict(Counter)
        for (function, operation), calls in load_calls.items():
            by_function[function][operation] += calls
        for function, operations in sorted(by_function.items(), key=lambda kv: -sum(kv[1].values())):
            total = sum(operations.values())
            say(f"  {function:32s} {total / n:8.2f}")
            for operation, calls in operations.most_common():
                say(f"    {operation:40s} {calls / n:8.3f}")
        say(f"  {'total':32s} {sum(load_calls.values()) / n:8.2f}")
        if bulletin_emails:
            sends = sum(v for (f, _o), v in load_calls.items() if f == "SenderFunction")
            say(f"  (SenderFunction per email sent: {sends / len(bulletin_emails):.2f})")
        if digest_calls:
            say(f"  forced digest run: {sum(digest_calls.values()):,} AWS calls in all")
        say(
            "\nInvocations (the whole run, setup and checks included): "
            + ", ".join(
                f"{name} {count:,}"
                + (f" ({stats.errors[name]} raised)" if stats.errors[name] else "")
                + (f" ({stats.partial[name]} batch items failed)" if stats.partial[name] else "")
                for name, count in sorted(stack.invocations.items())
            )
        )
        for watcher in (outbox, feeds, tap):
            if watcher.failure:
                say(f"  watcher {watcher.name} failed: {watcher.failure}")

        # ---------------------------------------------------------------- invariants
        _check_submissions(report, client, planned)
        _check_published_once(report, tap, by_id, states)
        _check_listed_once(report, client, offices, accepted, states)
        _check_feeds(report, client, states)
        _check_emails(report, emails, subscribers, confirmed, states)
        check_dead_letters(report, stack)
        check_policies(report, stack)
        return report
    finally:
        counter.active = False
        for step in undo:
            step()
        for watcher in (outbox, feeds, tap):
            if watcher is not None and watcher.is_alive():
                watcher.stopping.set()
        if tap is not None:
            tap.close()


# ====================================================================================== the checks
def _check_submissions(report: LoadReport, client: Client, planned: list[Planned]) -> None:
    refused = Counter(b.status for b in planned if b.status != 201)
    report.check(
        "every submission accepted, no 5xx",
        not refused and not client.server_errors,
        f"{sum(1 for b in planned if b.status == 201):,}/{len(planned):,} answered 201"
        + (f"; refused {dict(refused)}" if refused else "")
        + f"; 5xx answers {len(client.server_errors)}"
        + (f" (first: {client.server_errors[0]})" if client.server_errors else ""),
    )


def _check_published_once(
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


def _check_listed_once(
    report: LoadReport,
    client: Client,
    offices: list[tuple[str, str]],
    accepted: list[Planned],
    states: dict[str, dict[str, Any]],
) -> None:
    problems = []
    listed = Counter(item["id"] for item in _fetch_all(client, "/bulletins"))
    expected = {b.id for b in accepted}
    if set(listed) != expected:
        problems.append(
            f"whole list: {len(set(listed) - expected)} unexpected, {len(expected - set(listed))} missing"
        )
    if any(c > 1 for c in listed.values()):
        problems.append(f"whole list: {sum(1 for c in listed.values() if c > 1)} listed more than once")
    for index, (office_id, key) in enumerate(offices):
        own = Counter(item["id"] for item in _fetch_all(client, f"/bulletins?office={office_id}", key=key))
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


def _check_feeds(report: LoadReport, client: Client, states: dict[str, dict[str, Any]]) -> None:
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
            ids = _ENTRY_ID.findall(reply.body.decode("utf-8"))
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


def _check_emails(
    report: LoadReport,
    emails: list[Email],
    subscribers: list[Subscriber],
    confirmed: list[Subscriber],
    states: dict[str, dict[str, Any]],
) -> None:
    ours = {s.address for s in subscribers}
    published = {i: v for i, v in states.items() if v["status"] == "published"}
    got: Counter[tuple[str, str]] = Counter((e.to, e.bulletin_id) for e in emails if e.kind == "bulletin")
    unknown = [e for e in emails if e.kind == "other" and e.to in ours]
    expected: set[tuple[str, str]] = set()
    for s in confirmed:
        if s.frequency != "immediate":
            continue
        for i, v in published.items():
            if s.matches(v["countries"], v["topics"]):
                expected.add((s.address, i))
    missing = expected - set(got)
    extra = set(got) - expected
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
    daily = [s for s in confirmed if s.frequency == "daily"]
    digests: dict[str, list[frozenset[str]]] = defaultdict(list)
    for e in emails:
        if e.kind == "digest" and e.to in ours:
            digests[e.to].append(e.digest_ids)
    daily_addresses = {s.address for s in daily}
    problems = [f"{a}: a digest, but not a daily subscriber" for a in digests if a not in daily_addresses]
    with_matches = 0
    for s in daily:
        matching = {i for i, v in published.items() if s.matches(v["countries"], v["topics"])}
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
    if daily or digests:
        report.check(
            "every daily subscriber with matches got one digest holding exactly its matches (forced run)",
            not problems,
            f"{sum(len(v) for v in digests.values()):,} digests to {len(daily):,} daily subscribers "
            f"({with_matches:,} with matches)" + (f"; {'; '.join(problems[:4])}" if problems else ""),
        )


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


# ====================================================================================== moto
def partition_queries_for_moto() -> None:
    """Make moto's DynamoDB Query read only the queried partition, as DynamoDB does.

    moto 5 answers a base-table Query by sorting every item of the table and then keeping the partition
    (`Table.all_items()`, O(table) per Query). The product's design is one Query per list, feed or
    subscriber lookup, so under load the local stack slows down with the size of its tables, not with
    the work asked of it. With this patch (the driver's default; `--moto-as-is` leaves moto alone), `all_items()` returns just the
    partition while a base-table Query runs; the Query sorts and filters it itself as before. Applied
    in-process, before the stack starts; global queries and scans are unchanged."""
    from moto.dynamodb.models.table import Table

    if getattr(Table, "_load_partition_queries", False):
        return
    original_query, original_all_items = Table.query, Table.all_items
    hint = threading.local()

    def all_items(self: Any) -> Any:
        key = getattr(hint, "key", None)
        if key is not None and self.range_key_attr:
            hint.key = None
            bucket = self.items.get(key)
            return list(bucket.values()) if bucket else []
        return original_all_items(self)

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        hint.key = hash_key if index_name is None else None
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            hint.key = None

    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
    Table._load_partition_queries = True  # type: ignore[attr-defined]


# ====================================================================================== command line
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    defaults = LoadConfig()
    parser = argparse.ArgumentParser(
        description="Drive the local stack with concurrent clients and check the invariants "
        "(exit code 1 if one fails).",
    )
    parser.add_argument("--offices", type=int, default=defaults.offices)
    parser.add_argument(
        "--bulletins",
        type=int,
        default=defaults.bulletins,
        help="in total, spread round-robin over the offices (default %(default)s)",
    )
    parser.add_argument("--subscribers", type=int, default=defaults.subscribers)
    parser.add_argument(
        "--clients", type=int, default=defaults.clients, help="concurrent HTTP client threads"
    )
    parser.add_argument(
        "--digest-share", type=float, default=defaults.digest_share, help="share of daily-digest subscribers"
    )
    parser.add_argument(
        "--rate", type=float, default=defaults.rate, help="bulletins/s to submit at (0: as fast as possible)"
    )
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--timeout",
        type=float,
        default=defaults.timeout,
        help="seconds to wait for delivery after submitting",
    )
    parser.add_argument("--port", type=int, default=0, help="the stack's HTTP port (0: a free one)")
    parser.add_argument(
        "--ses-rate",
        type=float,
        default=None,
        help="SES MaxSendRate the local account reports (LOCAL_SES_MAX_SEND_RATE; the stack's default 50)",
    )
    parser.add_argument(
        "--moto-as-is",
        action="store_true",
        help="do not patch moto's Query to read one partition (by default it is: see "
        "partition_queries_for_moto); moto's own Query sorts the whole table each time",
    )
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=None,
        help="sys.setswitchinterval for the process (seconds; Python's default 0.005)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (outbox, function logs)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    import logging

    args = parse_args(argv)
    config = LoadConfig(
        offices=args.offices,
        bulletins=args.bulletins,
        subscribers=args.subscribers,
        clients=args.clients,
        digest_share=args.digest_share,
        rate=args.rate,
        seed=args.seed,
        timeout=args.timeout,
    )
    warnings.filterwarnings("ignore", "No application metrics to publish")
    if not args.moto_as_is:
        partition_queries_for_moto()
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    if args.ses_rate is not None:
        os.environ["LOCAL_SES_MAX_SEND_RATE"] = f"{args.ses_rate:g}"
    work = Path(tempfile.mkdtemp(prefix="boletin-load-"))
    report: LoadReport | None = None
    out = sys.stdout
    log = (work / "functions.log").open("w", encoding="utf-8")
    logging.basicConfig(
        stream=log, level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        from devstack import DevStack

        # Every simulated subscriber comes from this machine's one IP: lift the per-IP send limit.
        stack = DevStack(
            ROOT,
            port=args.port,
            outbox_dir=work / "outbox",
            create_demo_office=False,
            parameter_overrides={"SubscribeLimitPerSourceIp": 0},
        )
        # What the functions print (Powertools' JSON logs) goes to the work folder, not the report.
        with stack, contextlib.redirect_stdout(log):
            report = run_load(stack, config)
    finally:
        log.close()
        keep = args.keep or report is None or not report.passed
        if report is not None:
            print(report.render(), file=out, flush=True)
        if keep:
            print(f"\nwork folder kept: {work} (outbox/, functions.log)", file=out)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if report is not None and report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
