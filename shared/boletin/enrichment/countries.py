"""Countries and regions named in a text: names, demonyms and capitals in en/es/fr/pt.

Rules (TAXONOMY.md): names match with or without accents and articles when capitalised; all-capital
abbreviations ("US", "EE.UU.", "EUA") only in that exact form; demonyms in any case ("salvadoreños",
"Haïtiens"), except when glued by a hyphen to another word ("latino-americano", "English-speaking");
a demonym that is also a language name ("Spanish", "francés") counts only next to a word that denotes
the state ("the Spanish government", "la cooperación española" is already unambiguous). Phrases that
only look like a country ("New Mexico", "Guinea pig", "Haitian Creole") are matched first and ignored,
and the longest match wins ("Dominican Republic" over "Dominica", "Papua New Guinea" over "Guinea").
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal, NamedTuple

from boletin.enrichment._data import countries_data, taxonomy_data
from boletin.enrichment._index import load_index
from boletin.enrichment._matcher import Match, PhraseMatcher
from boletin.enrichment._text import Token, phrase_keys, phrase_raw

Kind = Literal["name", "city", "demonym", "language", "block"]

# Names that are also given names: not a country when a capitalised word follows ("Jordan Smith").
_PERSON_NAMES = frozenset({"jordan", "chad", "israel", "kenya", "india", "chile", "georgia"})
# Words that make a language-like demonym mean the state ("the French government", "gobierno francés").
_STATE_WORDS = frozenset(
    [
        "government",
        "governments",
        "authorities",
        "authority",
        "embassy",
        "embassies",
        "consulate",
        "consulates",
        "cooperation",
        "agency",
        "ministry",
        "ministries",
        "minister",
        "ministers",
        "nationals",
        "citizens",
        "citizen",
        "officials",
        "state",
        "president",
        "presidency",
        "army",
        "police",
        "navy",
        "red",
        "cross",
        "territory",
        "territories",
        "border",
        "borders",
        "capital",
        "companies",
        "company",
        "migrants",
        "workers",
        "people",
        "nationality",
        "passport",
        "passports",
        "coast",
        "guard",
        "delegation",
        "parliament",
        "congress",
        "courts",
        "court",
        "refugees",
        "refugee",
        "nationals",
        "families",
        "women",
        "children",
        "community",
        "communities",
        "diaspora",
        "gobierno",
        "gobiernos",
        "autoridades",
        "embajada",
        "embajadas",
        "consulado",
        "consulados",
        "cooperacion",
        "agencia",
        "ministerio",
        "ministerios",
        "ministro",
        "ministra",
        "nacionales",
        "ciudadanos",
        "ciudadanas",
        "ciudadano",
        "funcionarios",
        "estado",
        "presidente",
        "presidenta",
        "ejercito",
        "policia",
        "marina",
        "territorio",
        "frontera",
        "nacionalidad",
        "pasaporte",
        "pasaportes",
        "delegacion",
        "congreso",
        "cruz",
        "roja",
        "empresas",
        "migrantes",
        "trabajadores",
        "personas",
        "refugiados",
        "refugiadas",
        "familias",
        "mujeres",
        "comunidad",
        "diaspora",
        "gouvernement",
        "autorites",
        "ambassade",
        "consulat",
        "cooperation",
        "ministere",
        "ministre",
        "ressortissants",
        "citoyens",
        "citoyennes",
        "fonctionnaires",
        "etat",
        "president",
        "armee",
        "territoire",
        "frontiere",
        "nationalite",
        "passeport",
        "delegation",
        "croix",
        "rouge",
        "entreprises",
        "refugies",
        "familles",
        "communaute",
        "governo",
        "embaixada",
        "consulado",
        "cooperacao",
        "ministerio",
        "cidadaos",
        "cidadas",
        "funcionarios",
        "exercito",
        "territorio",
        "fronteira",
        "nacionalidade",
        "passaporte",
        "delegacao",
        "empresas",
        "pessoas",
        "refugiados",
        "familias",
        "comunidade",
    ]
)
_AFRO = frozenset({"afro"})


class CountryEntry(NamedTuple):
    code: str | None
    kind: Kind
    exact: tuple[str, ...] | None  # raw tokens that must match exactly (abbreviations)


def _is_abbreviation(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and not any(c.islower() for c in letters) and len(letters) <= 6


def _decode_entry(row: list[Any]) -> CountryEntry:
    code, kind, exact = row
    return CountryEntry(code, kind, None if exact is None else tuple(exact))


@cache
def _country_index() -> tuple[PhraseMatcher[CountryEntry], frozenset[str]]:
    """The country matcher and the demonyms' keys: from the shipped index, else from the data."""
    index = load_index("countries")
    if index is None:
        return _build_country_matcher(), _build_demonym_keys()
    return PhraseMatcher.from_data(index["matcher"], _decode_entry), frozenset(index["demonym_keys"])


def _country_matcher() -> PhraseMatcher[CountryEntry]:
    return _country_index()[0]


def _demonym_keys() -> frozenset[str]:
    return _country_index()[1]


def country_index_content() -> dict[str, Any]:
    return {"matcher": _build_country_matcher().to_data(list), "demonym_keys": sorted(_build_demonym_keys())}


def _build_country_matcher() -> PhraseMatcher[CountryEntry]:
    data = countries_data()
    matcher: PhraseMatcher[CountryEntry] = PhraseMatcher()
    for phrase in data["not_country"]:
        matcher.add(phrase_keys(phrase), CountryEntry(None, "block", None))
    for code, entry in data["countries"].items():
        for names in entry["names"].values():
            for name in names:
                exact = phrase_raw(name) if _is_abbreviation(name) else None
                matcher.add(phrase_keys(name), CountryEntry(code, "name", exact))
        for city in entry["cities"]:
            exact = phrase_raw(city) if _is_abbreviation(city) else None
            matcher.add(phrase_keys(city), CountryEntry(code, "city", exact))
        for word in entry["demonyms"]:
            matcher.add(phrase_keys(word), CountryEntry(code, "demonym", None))
        for word in entry["language_demonyms"]:
            matcher.add(phrase_keys(word), CountryEntry(code, "language", None))
    matcher.freeze()
    return matcher


def _gap(text: str, tokens: list[Token], left: int) -> str:
    """The characters between token ``left`` and the next one ('' at the ends)."""
    if left < 0 or left + 1 >= len(tokens):
        return ""
    return text[tokens[left].end : tokens[left + 1].start]


def _hyphen(gap: str) -> bool:
    return gap in ("-", "‐", "‑")


def _accept(text: str, tokens: list[Token], match: Match[CountryEntry]) -> bool:
    entry = match.entry.payload
    first, last = match.start, match.end - 1
    if entry.kind == "block":
        return True
    if entry.exact is not None:
        return tuple(t.raw for t in tokens[match.start : match.end]) == entry.exact
    if entry.kind in ("name", "city"):
        if not tokens[first].capitalised:
            return False
        if tokens[first].key in _PERSON_NAMES and match.end - match.start == 1:
            nxt = tokens[last + 1] if last + 1 < len(tokens) else None
            if nxt is not None and nxt.capitalised and _gap(text, tokens, last) == " ":
                return False
        return True
    # demonyms: not when glued by a hyphen to a word that is not a demonym ("latino-americano",
    # "English-speaking"); "haïtiano-dominicaine" names both countries.
    demonyms = _demonym_keys()
    if _hyphen(_gap(text, tokens, first - 1)) and tokens[first - 1].key not in demonyms | _AFRO:
        return False
    if _hyphen(_gap(text, tokens, last)) and tokens[last + 1].key not in demonyms:
        return False
    if entry.kind == "language":
        return _means_state(text, tokens, first, last)
    return True


def _means_state(text: str, tokens: list[Token], first: int, last: int) -> bool:
    """A language-like demonym next to a state word: "the Spanish government", "el gobierno francés",
    "Chinese and Indian nationals" (through a list of demonyms); not "in Spanish, for migrants"."""
    if first > 0 and tokens[first - 1].key in _STATE_WORDS and _gap(text, tokens, first - 1) == " ":
        return True
    demonyms = _demonym_keys()
    i = last + 1
    while i < len(tokens) and i <= last + 5:
        key = tokens[i].key
        if key in _STATE_WORDS:
            return True
        if key not in demonyms and key not in _CONJUNCTIONS:
            return False
        i += 1
    return False


_CONJUNCTIONS = frozenset({"and", "or", "y", "e", "et", "ou", "o"})


def _build_demonym_keys() -> frozenset[str]:
    keys: set[str] = set()
    for entry in countries_data()["countries"].values():
        for word in (*entry["demonyms"], *entry["language_demonyms"]):
            keys.update(phrase_keys(word))
    return frozenset(keys)


def find_countries(text: str) -> list[str]:
    """ISO codes in order of first mention, without duplicates."""
    return list(country_mentions(text))


def country_mentions(text: str) -> dict[str, list[str]]:
    """ISO code -> the phrases that named it, as written, in order of first mention."""
    tokens = _tokens_cached(text)
    seen: dict[str, list[str]] = {}
    for match in _country_matcher().scan(tokens, lambda m: _accept(text, tokens, m)):
        code = match.entry.payload.code
        if code is not None:
            seen.setdefault(code, []).append(text[tokens[match.start].start : tokens[match.end - 1].end])
    return seen


def _tokens_cached(text: str) -> list[Token]:
    from boletin.enrichment._text import tokenize

    return tokenize(text)


@cache
def _region_matcher() -> PhraseMatcher[str | None]:
    index = load_index("regions")
    return _build_region_matcher() if index is None else PhraseMatcher.from_data(index["matcher"], _region)


def _region(value: Any) -> str | None:
    return None if value is None else str(value)


def region_index_content() -> dict[str, Any]:
    return {"matcher": _build_region_matcher().to_data(_region)}


def _build_region_matcher() -> PhraseMatcher[str | None]:
    data = taxonomy_data()
    matcher: PhraseMatcher[str | None] = PhraseMatcher()
    for phrase in data["region_stop_phrases"]:
        matcher.add(phrase_keys(phrase), None)
    for region, names in data["regions"].items():
        for name in names:
            matcher.add(phrase_keys(name), region)
    matcher.freeze()
    return matcher


def find_regions(text: str) -> list[str]:
    tokens = _tokens_cached(text)
    found = {m.entry.payload for m in _region_matcher().scan(tokens)}
    return sorted(r for r in found if r is not None)
