"""Topics: weighted multilingual keyword rules over stemmed, accent-folded tokens (data/taxonomy.json).

The rules are concepts: one concept, one topic and one weight, with its words in en, es, fr and pt,
so a term votes the same way in every language. Rule words and text are stemmed with the bulletin's
language (Snowball), so "retournés", "renvoyées" or "relatórios" meet their rule words.

The whole text is scored: each rule phrase counts once per part (title, body); a match counts
``title_weight`` times in the title, ``lead_weight`` times in the body's lead (its first
``lead_sentences`` sentences: the subject is announced there) and once further down. A passing mention counts
``passing_weight`` times: a match inside the name of a body ("Working Group on Migration and
Health", "Comisión ... contra la Trata") or inside a stop phrase that only mentions a subject
("COVID-19 restrictions"). A phrase repeated in a part gains ``repeat_bonus`` per repeat (two at
most). A topic is assigned when its score reaches ``topic_threshold``.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal, NamedTuple

from boletin.enrichment._data import taxonomy_data
from boletin.enrichment._index import load_index
from boletin.enrichment._matcher import PhraseMatcher
from boletin.enrichment._stem import prime, stem
from boletin.enrichment._text import Token, fold, phrase_keys, tokenize
from boletin.enrichment.text import sentences

# (slug, weight, specific) of every topic a phrase counts for; specific: the concept is a phrase of
# several words in some language ("vice ministers" = "viceministros"), so one word of it is no mere
# passing word in another.
Rule = tuple[tuple[str, int, bool], ...]
Part = Literal["title", "lead", "body"]
# Head words of a body's name: a topic word inside "<Head> ... <Capitalised words>" is its name.
_BODY_HEADS = frozenset(
    fold(w)
    for w in [
        "group",
        "working",
        "network",
        "committee",
        "council",
        "commission",
        "board",
        "forum",
        "roundtable",
        "table",
        "plan",
        "grupo",
        "red",
        "mesa",
        "comite",
        "comision",
        "consejo",
        "foro",
        "plan",
        "groupe",
        "reseau",
        "commission",
        "conseil",
        "forum",
        "comissao",
        "conselho",
        "rede",
        "institute",
        "instituto",
        "institut",
    ]
)
# Words that introduce the title of a study, report or guide, in the four languages.
_TITLE_INTRODUCERS = frozenset(
    {
        "titled",
        "entitled",
        "titulado",
        "titulada",
        "intitulado",
        "intitulada",
        "intitule",
        "intitulee",
    }
)
_NAME_LINKS = frozenset(
    {
        "of",
        "on",
        "for",
        "and",
        "the",
        "de",
        "del",
        "la",
        "las",
        "los",
        "el",
        "y",
        "e",
        "sobre",
        "contra",
        "para",
        "des",
        "du",
        "et",
        "le",
        "les",
        "pour",
        "da",
        "do",
        "das",
        "dos",
        "em",
        "against",
        "in",
    }
)


class Vote(NamedTuple):
    """One phrase of the text that voted: as written, where, and the points it gave its topic."""

    phrase: str
    part: Part
    points: float


class TopicEvidence(NamedTuple):
    topic: str
    score: float
    threshold: float
    assigned: bool
    votes: tuple[Vote, ...]


def _rule_keys(phrase: str, language: str, ambiguous: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """A phrase's keys: stems, the folded word itself ("=word") where the stem is ambiguous."""
    keys = phrase_keys(phrase)
    if not keys:
        return keys
    if phrase.startswith("="):  # written to match as it is ("=report": not "reported")
        return tuple(f"={k}" for k in keys)

    def key(word: str) -> str:
        stemmed = stem(word, language)
        return f"={word}" if stemmed in ambiguous else stemmed

    if phrase.endswith("*"):
        return (*(key(k) for k in keys[:-1]), keys[-1] + "*")
    return tuple(key(k) for k in keys)


def _ambiguous_stems(language: str) -> frozenset[str]:
    """Stems that words of different topics share ("estudio" and "estudiantes" -> "estudi"): those
    words are matched as written, not by stem, so that one concept votes for one topic."""
    topics_of: dict[str, set[str]] = {}
    for concept in _concepts():
        if concept.language not in (None, language):
            continue
        for phrase in concept.phrases:
            for word in phrase_keys(phrase.rstrip("*")):
                topics_of.setdefault(stem(word, language), set()).add(concept.topic)
    return frozenset(s for s, found in topics_of.items() if len(found) > 1)


def _decode_rule(votes: list[list[Any]]) -> Rule:
    return tuple((str(slug), int(weight), bool(specific)) for slug, weight, specific in votes)


@cache
def _topic_matcher(language: str) -> PhraseMatcher[Rule]:
    """The rules stemmed with one language's stemmer (loaded for the languages that occur)."""
    index = load_index(f"topics-{language}")
    if index is None:
        return _build_topic_matcher(language)
    return PhraseMatcher.from_data(index["matcher"], _decode_rule)


def topic_index_content(language: str) -> dict[str, Any]:
    return {"matcher": _build_topic_matcher(language).to_data(lambda rule: [list(vote) for vote in rule])}


def _build_topic_matcher(language: str) -> PhraseMatcher[Rule]:
    data = taxonomy_data()
    rules: dict[tuple[str, ...], dict[str, tuple[int, bool]]] = {}
    concepts = [c for c in _concepts() if c.language in (None, language)]
    phrases = [*data["topic_stop_phrases"], *(p for c in concepts for p in c.phrases)]
    prime((word for phrase in phrases for word in phrase_keys(phrase)), language)
    ambiguous = _ambiguous_stems(language)
    for phrase in data["topic_stop_phrases"]:
        rules.setdefault(_rule_keys(phrase, language), {})
    # A concept's words in another language are not this one's: stemmed with this language's
    # stemmer, Spanish "informe" (a report) would meet English "information".
    for concept in concepts:
        for position, phrase in enumerate(concept.phrases):
            votes = rules.setdefault(_rule_keys(phrase, language, ambiguous), {})
            weight, specific = votes.get(concept.topic, (0, False))
            specific = specific or position in concept.specific
            votes[concept.topic] = (max(weight, concept.weight), specific)
    matcher: PhraseMatcher[Rule] = PhraseMatcher(prefix_on_raw=True)
    for keys, votes in rules.items():
        matcher.add(
            keys, tuple((slug, weight, specific) for slug, (weight, specific) in sorted(votes.items()))
        )
    matcher.freeze()
    return matcher


class Concept(NamedTuple):
    topic: str
    weight: int
    phrases: tuple[str, ...]
    language: str | None = None  # None: the older lists, whose words are of every language
    # Positions of phrases that are of several words in some language: the four lists of a
    # concept name the same things in the same order ("vice ministers", "viceministros", ...).
    specific: frozenset[int] = frozenset()


def _specific_positions(concept: dict[str, Any]) -> frozenset[int]:
    lists = [concept.get(language, ()) for language in ("en", "es", "fr", "pt")]
    if len({len(phrases) for phrases in lists}) != 1:
        return frozenset()  # not aligned: each phrase stands for itself
    return frozenset(
        i
        for i, row in enumerate(zip(*lists, strict=True))
        if any(len(phrase_keys(p.strip("=*"))) > 1 for p in row)
    )


@cache
def _concepts() -> tuple[Concept, ...]:
    """Every concept of every topic: its words in the four languages (and older untagged lists)."""
    found: list[Concept] = []
    for topic in taxonomy_data()["topics"]:
        for concept in topic.get("concepts", ()):
            specific = _specific_positions(concept)
            for language in ("en", "es", "fr", "pt"):
                phrases = tuple(concept.get(language, ()))
                found.append(Concept(topic["slug"], int(concept["weight"]), phrases, language, specific))
        for weight, phrases in topic.get("rules", {}).items():
            found.append(Concept(topic["slug"], int(weight), tuple(phrases)))
    return tuple(found)


def _stemmed(text: str, language: str) -> list[Token]:
    """Tokens keyed by stem; ``raw`` is the folded word (what prefix rules read)."""
    return [Token(t.start, t.end, t.key, stem(t.key, language)) for t in tokenize(text)]


def _is_body_head(token: Token) -> bool:
    """A body's head word as written or in the plural ("Groups"), not a word that only shares its
    stem: "Planning for Prosperity" is a report's title, not a plan."""
    word = token.raw
    return word in _BODY_HEADS or (word.endswith("s") and word[:-1] in _BODY_HEADS)


def _in_work_title(tokens: list[Token], start: int) -> bool:
    """True when a word that introduces a work's title ("a report titled ...", "un estudio
    titulado ...") comes before tokens[start] in its sentence: a report's title states its subject."""
    return any(token.raw in _TITLE_INTRODUCERS for token in tokens[:start])


def _in_body_name(text: str, tokens: list[Token], start: int, end: int) -> bool:
    """True when tokens[start:end] sit in a capitalised name that a body's head word opens or
    carries ("Working Group on Migration and Health", "Comisión Interinstitucional contra la Trata")."""
    i = start - 1
    while i >= 0 and (text[tokens[i].start].isupper() or tokens[i].key in _NAME_LINKS):
        if _is_body_head(tokens[i]) and text[tokens[i].start].isupper():
            # A name, when the matched words are capitalised too (else it is running text).
            return all(text[t.start].isupper() or t.key in _NAME_LINKS for t in tokens[start:end])
        i -= 1
    return False


def _weighted_parts(title: str, body: str) -> list[tuple[str, int, Part, float]]:
    data = taxonomy_data()
    parts: list[tuple[str, int, Part, float]] = [(title, 0, "title", float(data["title_weight"]))]
    lead_weight, lead_sentences = float(data["lead_weight"]), int(data["lead_sentences"])
    for index, sentence in enumerate(sentences(body)):
        lead = index < lead_sentences
        parts.append((sentence, 1, "lead" if lead else "body", lead_weight if lead else 1.0))
    return parts


def topic_evidence(title: str, body: str, language: str = "en") -> list[TopicEvidence]:
    """Every topic that got a vote, strongest first, with the phrases that voted."""
    data = taxonomy_data()
    threshold = float(data["topic_threshold"])
    passing_weight = float(data["passing_weight"])
    matcher = _topic_matcher(language)
    # Each phrase counts once per part (title, body), at its strongest occurrence: a word first
    # met inside a body's name and later as the subject counts as the subject.
    best: dict[tuple[int, tuple[str, ...]], tuple[float, str, Part, Rule]] = {}
    repeats: dict[tuple[int, tuple[str, ...]], int] = {}
    repeat_bonus = float(data["repeat_bonus"])
    lead_weight = float(data["lead_weight"])
    for text, part_index, part, factor in _weighted_parts(title, body):
        tokens = _stemmed(text, language)
        for match in matcher.scan(tokens):
            # A stop phrase (an organisation's name, "COVID-19 restrictions") votes for nothing.
            if not match.entry.payload:
                continue
            points_factor = factor
            if part == "body" and _in_work_title(tokens, match.start):
                points_factor = lead_weight  # the title of the study the bulletin presents
            if part != "title" and _in_body_name(text, tokens, match.start, match.end):
                points_factor = min(factor, 1.0) * passing_weight
            key = (part_index, match.entry.keys)
            repeats[key] = repeats.get(key, 0) + 1
            if key not in best or best[key][0] < points_factor:
                phrase = text[tokens[match.start].start : tokens[match.end - 1].end]
                best[key] = (points_factor, phrase, part, match.entry.payload)
    scores: dict[str, float] = {}
    votes: dict[str, list[Vote]] = {}
    specific: set[str] = set()  # topics with a vote of several words, in the title, or decisive
    decisive = int(data.get("decisive_weight", 0)) or None
    for key, (points_factor, phrase, part, payload) in best.items():
        # A phrase the body repeats is more likely its subject: each repeat adds a little.
        points_factor += repeat_bonus * min(repeats[key] - 1, 2)
        for slug, weight, specific_concept in payload:
            points = weight * points_factor
            scores[slug] = scores.get(slug, 0.0) + points
            votes.setdefault(slug, []).append(Vote(phrase, part, round(points, 2)))
            several_words = len(key[1]) > 1 or specific_concept
            if several_words or part == "title" or (decisive is not None and weight >= decisive):
                specific.add(slug)
    # One word, once, in the text ("training", "returned", "cours" in the lead) is as often a passing
    # mention as the subject: alone it assigns nothing. A second phrase, a phrase of several words
    # ("victimes de la traite"), the word in the title (which states the subject) or a decisive word
    # ("regularización", "passeurs": concepts of ``decisive_weight``) does.
    needs_support = bool(data.get("single_word_needs_support"))

    def assigned(slug: str, score: float) -> bool:
        supported = len(votes[slug]) > 1 or slug in specific or not needs_support
        return score >= threshold and supported

    return sorted(
        (
            TopicEvidence(slug, round(score, 2), threshold, assigned(slug, score), tuple(votes[slug]))
            for slug, score in scores.items()
        ),
        key=lambda e: (-e.score, e.topic),
    )


def topic_scores(title: str, body: str, language: str = "en") -> dict[str, float]:
    return {e.topic: e.score for e in topic_evidence(title, body, language)}


def find_topics(title: str, body: str, language: str = "en") -> list[str]:
    return sorted(e.topic for e in topic_evidence(title, body, language) if e.assigned)
