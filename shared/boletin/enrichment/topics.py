"""Topics: weighted multilingual keyword rules over accent-folded tokens (see data/taxonomy.json).

Each rule phrase counts once per part; a title match counts ``title_weight`` times; a topic is assigned
when its score reaches ``topic_threshold``. Phrases of organisation names ("Sistema de la Integración
Centroamericana") are matched first and count for nothing.
"""

from __future__ import annotations

from functools import cache

from boletin.enrichment._data import taxonomy_data
from boletin.enrichment._matcher import PhraseMatcher
from boletin.enrichment._text import phrase_keys, tokenize

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


def topic_scores(title: str, body: str) -> dict[str, float]:
    data = taxonomy_data()
    title_weight = float(data["title_weight"])
    scores: dict[str, float] = {}
    for text, factor in ((title, title_weight), (body, 1.0)):
        seen: set[tuple[str, ...]] = set()
        for match in _topic_matcher().scan(tokenize(text)):
            if match.entry.keys in seen:
                continue
            seen.add(match.entry.keys)
            for slug, weight in match.entry.payload:
                scores[slug] = scores.get(slug, 0.0) + weight * factor
    return scores


def find_topics(title: str, body: str) -> list[str]:
    threshold = float(taxonomy_data()["topic_threshold"])
    return sorted(slug for slug, score in topic_scores(title, body).items() if score >= threshold)
