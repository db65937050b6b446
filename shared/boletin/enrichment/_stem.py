"""Stemming for topic rules: Snowball stemmers (PyStemmer, the Snowball project's C bindings) for
en/es/fr/pt, so that "retournés", "renvoyées" and "relatórios" meet the rule words "retour",
"renvoyé" and "relatório".

Rules are written accent-folded, so words are folded first and stemmed after. Folding hides two
endings the stemmers read from accents, restored here the same way on both sides: French feminine
participles ("retournées" -> "retournee" -> "retourne") and Portuguese "-ções" ("capacitações" ->
"capacitacoes" -> "capacitacao"). Stemmers load on first use, in microseconds.
"""

from __future__ import annotations

from functools import cache, lru_cache

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


@lru_cache(maxsize=131072)
def stem(key: str, language: str) -> str:
    """The stem of one accent-folded word ('retournees', 'fr' -> 'retourn')."""
    stemmer = _stemmer(language)
    stemmed: str = stemmer.stemWord(_restore(key, language))  # type: ignore[attr-defined]
    return stemmed
