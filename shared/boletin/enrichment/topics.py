"""Topics: weighted multilingual keyword rules over accent-folded tokens (see data/taxonomy.json).

Each rule phrase counts once per part (title, body); a title match counts ``title_weight`` times and a
match in the body's lead sentence ``lead_weight`` times (a subject is announced in the title or the lead;
a word further down is more often a word in passing); a topic is assigned when its score reaches
``topic_threshold``. Phrases of organisation names ("Sistema de la Integración
Centroamericana") are matched first and count for nothing.
"""

from __future__ import annotations

from functools import cache

from boletin.enrichment._data import taxonomy_data
from boletin.enrichment._matcher import PhraseMatcher
from boletin.enrichment._text import phrase_keys, tokenize
from boletin.enrichment.text import sentences

Rule = tuple[tuple[str, int], ...]  # (slug, weight) of every topic a phrase counts for


def _rule_keys(phrase: str) -> tuple[str, ...]:
    keys = phrase_keys(phrase)
    if phrase.endswith("*") and keys:
        keys = (*keys[:-1], keys[-1] + "*")
    return keys


@cache
def _topic_matcher() -> PhraseMatcher[Rule]:
    data = taxonomy_data()
    rules: dict[tuple[str, ...], list[tuple[str, int]]] = {}
    for phrase in data["topic_stop_phrases"]:
        rules[_rule_keys(phrase)] = []
    for topic in data["topics"]:
        for weight, phrases in topic["rules"].items():
            for phrase in phrases:
                rules.setdefault(_rule_keys(phrase), []).append((topic["slug"], int(weight)))
    matcher: PhraseMatcher[Rule] = PhraseMatcher()
    for keys, payload in rules.items():
        matcher.add(keys, tuple(payload))
    matcher.freeze()
    return matcher


def _weighted_parts(title: str, body: str) -> list[tuple[str, int, float]]:
    """(text, part, factor): the title (part 0), the body's lead sentence and the rest (part 1)."""
    data = taxonomy_data()
    parts = [(title, 0, float(data["title_weight"]))]
    lead_weight = float(data["lead_weight"])
    for index, sentence in enumerate(sentences(body)):
        parts.append((sentence, 1, lead_weight if index == 0 else 1.0))
    return parts


def topic_scores(title: str, body: str) -> dict[str, float]:
    scores: dict[str, float] = {}
    seen: tuple[set[tuple[str, ...]], set[tuple[str, ...]]] = (set(), set())
    for text, part, factor in _weighted_parts(title, body):
        for match in _topic_matcher().scan(tokenize(text)):
            if match.entry.keys in seen[part]:
                continue
            seen[part].add(match.entry.keys)
            for slug, weight in match.entry.payload:
                scores[slug] = scores.get(slug, 0.0) + weight * factor
    return scores


def find_topics(title: str, body: str) -> list[str]:
    threshold = float(taxonomy_data()["topic_threshold"])
    return sorted(slug for slug, score in topic_scores(title, body).items() if score >= threshold)
