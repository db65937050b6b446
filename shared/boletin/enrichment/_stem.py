"""Stemming for topic rules: Snowball stemmers (PyStemmer, the Snowball project's C bindings) for
en/es/fr/pt, so that "retournés", "renvoyées" and "relatórios" meet the rule words "retour",
"renvoyé" and "relatório".

Rules are written accent-folded, so words are folded first and stemmed after. Folding hides two
endings the stemmers read from accents, restored here the same way on both sides: French feminine
participles ("retournées" -> "retournee" -> "retourne") and Portuguese "-ções" ("capacitações" ->
"capacitacoes" -> "capacitacao"). Stemmers load on first use, in microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

_ALGORITHMS = {"en": "english", "es": "spanish", "fr": "french", "pt": "portuguese"}


@cache
def _stemmer(language: str) -> object:
    import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no stubs; imported on first use

    return Stemmer.Stemmer(_ALGORITHMS.get(language, "english"))


def _restore(word: str, language: str) -> str:
    if language == "fr":
        if word.endswith("ees"):
            return word[:-2]
        if word.endswith("ee"):
            return word[:-1]
    elif language == "pt" and word.endswith("coes"):
        return word[:-3] + "ao"
    return word


# Stems per language, kept for the process (the vocabulary's words and the words of texts seen).
_STEMS: dict[str, dict[str, str]] = {}
_MAX_CACHED = 200_000


def stem(key: str, language: str) -> str:
    """The stem of one accent-folded word ('retournees', 'fr' -> 'retourn')."""
    known = _STEMS.setdefault(language, {})
    found = known.get(key)
    if found is None:
        found = _stemmer(language).stemWord(_restore(key, language))  # type: ignore[attr-defined]
        if len(known) < _MAX_CACHED:
            known[key] = found
    return found


def prime(keys: Iterable[str], language: str) -> None:
    """Stem many words in one call (the stemmer's batch API: a vocabulary loads in milliseconds)."""
    known = _STEMS.setdefault(language, {})
    missing = sorted({k for k in keys if k not in known})
    stems = _stemmer(language).stemWords([_restore(k, language) for k in missing])  # type: ignore[attr-defined]
    known.update(zip(missing, stems, strict=True))
