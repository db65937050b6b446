"""Stemming for topic rules: Snowball stemmers (PyStemmer, the Snowball project's C bindings) for
en/es/fr/pt, so that "retournés", "renvoyées" and "relatórios" meet the rule words "retour",
"renvoyé" and "relatório".

Rules are written accent-folded, so words are folded first and stemmed after. Folding hides two
endings the stemmers read from accents, restored here the same way on both sides: French feminine
participles ("retournées" -> "retournee" -> "retourne") and Portuguese "-ção"/"-ções"
("interiorizacao" -> "interiorização" -> "interioriz", the stem of "interioriza"). Words of
``unstemmed_words`` (taxonomy.json) stay as written: their stem is a rule word's, their meaning
another ("deporte" is sport, not "deportación"). Stemmers load on first use, in microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from boletin.enrichment._data import taxonomy_data
from boletin.enrichment._text import fold

_ALGORITHMS = {"en": "english", "es": "spanish", "fr": "french", "pt": "portuguese"}


@cache
def _stemmer(language: str) -> object:
    import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no stubs; imported on first use

    return Stemmer.Stemmer(_ALGORITHMS.get(language, "english"))


@cache
def _unstemmed(language: str) -> frozenset[str]:
    return frozenset(taxonomy_data().get("unstemmed_words", {}).get(language, ()))


def _restore(word: str, language: str) -> str:
    if language == "fr":
        if word.endswith("ees"):
            return word[:-2]
        if word.endswith("ee"):
            return word[:-1]
    elif language == "pt":
        if word.endswith("coes"):
            return word[:-4] + "ções"
        if word.endswith("cao"):
            return word[:-3] + "ção"
    return word


def _folded(stem: str) -> str:
    return stem if stem.isascii() else fold(stem)


# Stems per language, kept for the process (the vocabulary's words and the words of texts seen).
_STEMS: dict[str, dict[str, str]] = {}
_MAX_CACHED = 200_000


def stem(key: str, language: str) -> str:
    """The stem of one accent-folded word ('retournees', 'fr' -> 'retourn')."""
    known = _STEMS.setdefault(language, {})
    found = known.get(key)
    if found is None:
        if key in _unstemmed(language):
            found = f"={key}"  # a key no stem equals: only a rule for this very word matches it
        else:
            found = _folded(_stemmer(language).stemWord(_restore(key, language)))  # type: ignore[attr-defined]
        if len(known) < _MAX_CACHED:
            known[key] = found
    return found


def prime(keys: Iterable[str], language: str) -> None:
    """Stem many words in one call (the stemmer's batch API: a vocabulary loads in milliseconds)."""
    known = _STEMS.setdefault(language, {})
    unstemmed = _unstemmed(language)
    missing = sorted({k for k in keys if k not in known and k not in unstemmed})
    stems = _stemmer(language).stemWords([_restore(k, language) for k in missing])  # type: ignore[attr-defined]
    known.update(zip(missing, map(_folded, stems), strict=True))
    known.update((k, f"={k}") for k in unstemmed)
