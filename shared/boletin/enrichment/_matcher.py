"""A small phrase matcher over tokens: exact or prefix ("migra*") token patterns, greedy longest match.

Built from data once per process; matching is a few dict lookups per token, no regular expressions to
compile (a large alternation costs tens of milliseconds to compile; this costs well under one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from boletin.enrichment._text import Token

P = TypeVar("P")


class Entry(Generic[P]):
    """A phrase: folded token keys (a trailing "*" makes a key a prefix) and what it stands for."""

    __slots__ = ("keys", "payload")

    def __init__(self, keys: tuple[str, ...], payload: P) -> None:
        self.keys = keys
        self.payload = payload


class Match(Generic[P]):
    """Tokens ``start`` (inclusive) to ``end`` (exclusive) matched ``entry``."""

    __slots__ = ("end", "entry", "start")

    def __init__(self, start: int, end: int, entry: Entry[P]) -> None:
        self.start = start
        self.end = end
        self.entry = entry


class PhraseMatcher(Generic[P]):
    """``prefix_on_raw``: prefix patterns match a token's ``raw`` form, exact ones its ``key`` (the
    topic matcher keys tokens by stem, and "migra*" reads the folded word, not its stem). A key
    "=word" matches the token's ``raw`` form exactly."""

    def __init__(self, *, prefix_on_raw: bool = False) -> None:
        # A bucket loaded by ``from_data`` holds its rows (str) until a token first looks it up.
        self._exact: dict[str, list[Entry[P]] | list[str]] = {}
        self._prefix: dict[str, list[Entry[P]] | list[str]] = {}
        self._prefix_lengths: set[int] = set()
        self._prefix_on_raw = prefix_on_raw
        self._surface: dict[str, list[Entry[P]] | list[str]] = {}
        self._payloads: list[P] = []

    def _key_matches(self, pattern: str, token: Token) -> bool:
        if pattern.startswith("="):  # the surface form exactly (a word whose stem is ambiguous)
            return token.raw == pattern[1:]
        if pattern.endswith("*"):
            return (token.raw if self._prefix_on_raw else token.key).startswith(pattern[:-1])
        return pattern == token.key

    def add(self, keys: tuple[str, ...], payload: P) -> None:
        if not keys:
            return
        first = keys[0]
        if first.startswith("="):
            table, first = self._surface, first[1:]
        elif first.endswith("*"):
            table, first = self._prefix, first[:-1]
            self._prefix_lengths.add(len(first))
        else:
            table = self._exact
        table.setdefault(first, []).append(Entry(keys, payload))  # type: ignore[arg-type]

    def freeze(self) -> None:
        for table in (self._exact, self._prefix, self._surface):
            for first in table:
                table[first] = sorted(self._entries(table, first), key=lambda e: -len(e.keys))

    def _entries(self, table: dict[str, list[Entry[P]] | list[str]], first: str) -> list[Entry[P]]:
        """A bucket's entries, decoded from its rows on first use (a new list: never edited in place,
        so a concurrent reader sees the rows or the entries, both whole)."""
        found = table.get(first)
        if not found:
            return []
        if isinstance(found[0], Entry):
            return found
        entries: list[Entry[P]] = []
        for text in found:
            *keys, index = text.split(" ")
            entries.append(Entry(tuple(keys), self._payloads[int(index)]))
        table[first] = entries
        return entries

    def to_data(self, encode: Callable[[P], Any]) -> dict[str, Any]:
        """The frozen matcher as JSON-able data: per bucket, its entries in order as one string each,
        "key key ... payload-number" (keys never hold a space), and each distinct payload once."""
        payloads: dict[P, int] = {}

        def row(entry: Entry[P]) -> str:
            assert not any(" " in key for key in entry.keys), entry.keys
            index = payloads.setdefault(entry.payload, len(payloads))
            return " ".join((*entry.keys, str(index)))

        buckets = {
            name: {first: [row(e) for e in self._entries(table, first)] for first in sorted(table)}
            for name, table in (("exact", self._exact), ("prefix", self._prefix), ("surface", self._surface))
        }
        return {"prefix_on_raw": self._prefix_on_raw, **buckets, "payloads": [encode(p) for p in payloads]}

    @classmethod
    def from_data(cls, data: dict[str, Any], decode: Callable[[Any], P]) -> PhraseMatcher[P]:
        """A matcher from ``to_data``'s output, as built and frozen (no phrase is tokenised again; a
        bucket's entries are made when a token first looks it up)."""
        matcher: PhraseMatcher[P] = cls(prefix_on_raw=bool(data["prefix_on_raw"]))
        matcher._payloads = [decode(p) for p in data["payloads"]]
        matcher._exact, matcher._prefix, matcher._surface = data["exact"], data["prefix"], data["surface"]
        matcher._prefix_lengths = {len(stem) for stem in matcher._prefix}
        return matcher

    def _candidates(self, token: Token) -> list[Entry[P]]:
        found = list(self._entries(self._exact, token.key)) if token.key in self._exact else []
        if token.raw in self._surface:
            found.extend(self._entries(self._surface, token.raw))
        surface = token.raw if self._prefix_on_raw else token.key
        for length in self._prefix_lengths:
            if length <= len(surface) and surface[:length] in self._prefix:
                found.extend(self._entries(self._prefix, surface[:length]))
        if len(found) > 1:
            found.sort(key=lambda e: -len(e.keys))
        return found

    def scan(
        self, tokens: list[Token], accept: Callable[[Match[P]], bool] | None = None
    ) -> Iterator[Match[P]]:
        """Non-overlapping matches, left to right, the longest accepted one at each position."""
        i, n = 0, len(tokens)
        while i < n:
            best: Match[P] | None = None
            for entry in self._candidates(tokens[i]):
                size = len(entry.keys)
                if i + size > n:
                    continue
                if all(self._key_matches(entry.keys[j], tokens[i + j]) for j in range(1, size)):
                    match = Match(i, i + size, entry)
                    if accept is None or accept(match):
                        best = match
                        break
            if best is None:
                i += 1
            else:
                yield best
                i = best.end
