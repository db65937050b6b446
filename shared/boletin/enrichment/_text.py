"""Text primitives shared by the matchers: accent folding and tokenisation with offsets."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# Dotted abbreviations ("U.S.", "EE.UU.") are one token; otherwise runs of letters/digits. Hyphens and
# apostrophes split tokens; the matchers look at the gap between tokens when it matters.
_TOKEN_RE = re.compile(r"(?:[^\W\d_]{1,2}\.){2,}|[^\W_]+")
_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "’": "'", "ı": "i"})


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case without accents: 'Haïtiens' -> 'haitiens', 'Œuvre' -> 'oeuvre'."""
    text = text.lower().translate(_SPECIAL)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Token(NamedTuple):
    start: int
    end: int
    raw: str
    key: str  # folded

    @property
    def capitalised(self) -> bool:
        return self.raw[:1].isupper()


def tokenize(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group(), fold(m.group())) for m in _TOKEN_RE.finditer(text)]


@lru_cache(maxsize=16384)
def phrase_keys(phrase: str) -> tuple[str, ...]:
    """The folded token keys of a gazetteer phrase, tokenised like running text."""
    if phrase.isascii() and phrase.replace(" ", "").isalpha():
        return tuple(phrase.lower().split())  # most vocabulary phrases: no regex needed
    return tuple(fold(m.group()) for m in _TOKEN_RE.finditer(phrase))


def phrase_raw(phrase: str) -> tuple[str, ...]:
    return tuple(m.group() for m in _TOKEN_RE.finditer(phrase))
