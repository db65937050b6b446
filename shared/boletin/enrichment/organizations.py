"""Registry organisations (by acronym or name, en/es/fr/pt) and other "Long Name (ABBR)" definitions."""

from __future__ import annotations

import re
from functools import cache
from typing import Any, NamedTuple

from boletin.enrichment._data import taxonomy_data
from boletin.enrichment._index import load_index
from boletin.enrichment._matcher import Match, PhraseMatcher
from boletin.enrichment._text import Token, fold, phrase_keys, phrase_raw, tokenize


class OrgEntry(NamedTuple):
    canonical: str
    exact: tuple[str, ...] | None  # acronyms match only in their exact spelling


def _decode_entry(row: list[Any]) -> OrgEntry:
    canonical, exact = row
    return OrgEntry(canonical, None if exact is None else tuple(exact))


@cache
def _org_index() -> tuple[PhraseMatcher[OrgEntry], frozenset[str]]:
    """The organisation matcher and the registry's spellings: from the shipped index, else the data."""
    index = load_index("organizations")
    if index is None:
        return _build_org_matcher(), _build_registry_spellings()
    return PhraseMatcher.from_data(index["matcher"], _decode_entry), frozenset(index["registry_spellings"])


def _org_matcher() -> PhraseMatcher[OrgEntry]:
    return _org_index()[0]


def registry_spellings() -> frozenset[str]:
    """Every acronym and folded name of the registry, to keep them out of the acronym list."""
    return _org_index()[1]


def organization_index_content() -> dict[str, Any]:
    return {
        "matcher": _build_org_matcher().to_data(list),
        "registry_spellings": sorted(_build_registry_spellings()),
    }


def _build_org_matcher() -> PhraseMatcher[OrgEntry]:
    matcher: PhraseMatcher[OrgEntry] = PhraseMatcher()
    for org in taxonomy_data()["organizations"]:
        for acronym in org["acronyms"]:
            matcher.add(phrase_keys(acronym), OrgEntry(org["acronym"], phrase_raw(acronym)))
        for name in org["names"]:
            matcher.add(phrase_keys(name), OrgEntry(org["acronym"], None))
    matcher.freeze()
    return matcher


def _build_registry_spellings() -> frozenset[str]:
    found: set[str] = set()
    for org in taxonomy_data()["organizations"]:
        found.update(org["acronyms"])
        found.update(" ".join(phrase_keys(n)) for n in org["names"])
        found.add(org["acronym"])
    return frozenset(found)


def _accept(tokens: list[Token], match: Match[OrgEntry]) -> bool:
    exact = match.entry.payload.exact
    return exact is None or tuple(t.raw for t in tokens[match.start : match.end]) == exact


def find_organizations(text: str) -> list[str]:
    tokens = tokenize(text)
    found = {m.entry.payload.canonical for m in _org_matcher().scan(tokens, lambda m: _accept(tokens, m))}
    return sorted(found)


# "Long Name (ABBR)": an abbreviation of 2-12 characters with at least two capitals.
_DEFINITION_RE = re.compile(r"\(\s*([A-Z][A-Za-z0-9&.\-]{1,11})\s*\)")
_WORD_RE = re.compile(r"[^\s()]+")
_BREAK_RE = re.compile(r"[()\[\]:;.!?]\s|[()\[\]]|\n")


_CONNECTORS = frozenset(
    [
        "of",
        "the",
        "and",
        "for",
        "on",
        "in",
        "to",
        "its",
        "their",
        "de",
        "del",
        "la",
        "las",
        "los",
        "el",
        "y",
        "para",
        "sobre",
        "en",
        "sus",
        "des",
        "du",
        "et",
        "le",
        "les",
        "pour",
        "ses",
        "leurs",
        "da",
        "do",
        "das",
        "dos",
        "e",
        "seus",
        "suas",
    ]
)


_ARTICLES = frozenset(
    [
        "the",
        "a",
        "an",
        "la",
        "el",
        "los",
        "las",
        "le",
        "les",
        "l'",
        "un",
        "una",
        "une",
        "o",
        "os",
        "as",
        "um",
        "uma",
        "this",
    ]
)


def _capitalised_run(words: list[str]) -> list[str]:
    """The trailing run of capitalised words, connectors allowed inside ("Ministry of Public Health")."""
    run: list[str] = []
    for word in reversed(words):
        if word[:1].isupper() or (word.lower() in _CONNECTORS and run):
            run.insert(0, word)
        else:
            break
    while run and (not run[0][:1].isupper() or run[0].lower() in _ARTICLES):
        run.pop(0)
    return run


def _long_form(abbr: str, before: str) -> str | None:
    """The long form of ``abbr`` at the end of ``before``: Schwartz & Hearst's matching, widened to the
    run of capitalised words it starts in; or, when the letters do not match (an abbreviation of another
    language's name), the capitalised run itself."""
    words = _WORD_RE.findall(before)
    found = _schwartz_hearst(abbr, words)
    if found is None:
        run = _capitalised_run(words[-(len(abbr) + 5) :])
        return " ".join(run) if len(run) >= 2 else None
    # widen over the capitalised words just before ("Coalición Nacional" + "contra la Trata...")
    start = len(words) - len(found.split())
    while start > 0 and words[start - 1][:1].isupper() and words[start - 1].lower() not in _ARTICLES:
        start -= 1
    return " ".join([*words[start : len(words) - len(found.split())], found]) if start < len(words) else found


def _schwartz_hearst(abbr: str, words: list[str]) -> str | None:
    """Schwartz & Hearst: the shortest span of the preceding words whose characters, right to left,
    contain the abbreviation's letters in order, the first one starting a word."""
    letters = [c.lower() for c in abbr if c.isalnum()]
    if not letters or not words:
        return None
    window = words[-min(len(letters) + 5, len(letters) * 2) :]
    candidate = " ".join(window)
    text = fold(candidate)
    if len(text) != len(candidate):
        text = candidate.lower()
    s_index, l_index = len(letters) - 1, len(text) - 1
    while s_index >= 0:
        char = letters[s_index]
        while l_index >= 0 and (
            text[l_index] != char or (s_index == 0 and l_index > 0 and text[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    start = text.rfind(" ", 0, l_index + 1) + 1
    long_form = candidate[start:].strip(" ,;:-–—\"'“”‘’")
    if len(long_form.split()) < 2 and len(long_form) <= len(abbr) + 1:
        return None
    return long_form


def find_acronyms(text: str) -> dict[str, str]:
    registry = registry_spellings()
    found: dict[str, str] = {}
    for match in _DEFINITION_RE.finditer(text):
        abbr = match.group(1).rstrip(".")
        if sum(c.isupper() for c in abbr) < 2 or abbr in registry or abbr in found:
            continue
        before = text[: match.start()]
        breaks = list(_BREAK_RE.finditer(before))
        if breaks:
            before = before[breaks[-1].end() :]
        long_form = _long_form(abbr, before)
        if long_form is None or " ".join(phrase_keys(long_form)) in registry:
            continue
        found[abbr] = long_form
    return found
