"""A small phrase matcher over tokens: exact or prefix ("migra*") token patterns, greedy longest match.

Built from data once per process; matching is a few dict lookups per token, no regular expressions to
compile (a large alternation costs tens of milliseconds to compile; this costs well under one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

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


def _key_matches(pattern: str, key: str) -> bool:
    if pattern.endswith("*"):
        return key.startswith(pattern[:-1])
    return pattern == key


class PhraseMatcher(Generic[P]):
    def __init__(self) -> None:
        self._exact: dict[str, list[Entry[P]]] = {}
        self._prefix: dict[str, list[Entry[P]]] = {}
        self._prefix_lengths: set[int] = set()

    def add(self, keys: tuple[str, ...], payload: P) -> None:
        if not keys:
            return
        entry = Entry(keys, payload)
        first = keys[0]
        if first.endswith("*"):
            stem = first[:-1]
            self._prefix.setdefault(stem, []).append(entry)
            self._prefix_lengths.add(len(stem))
        else:
            self._exact.setdefault(first, []).append(entry)

    def freeze(self) -> None:
        for bucket in (*self._exact.values(), *self._prefix.values()):
            bucket.sort(key=lambda e: -len(e.keys))

    def _candidates(self, key: str) -> list[Entry[P]]:
        found = list(self._exact.get(key, ()))
        for length in self._prefix_lengths:
            if length <= len(key):
                found.extend(self._prefix.get(key[:length], ()))
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
            for entry in self._candidates(tokens[i].key):
                size = len(entry.keys)
                if i + size > n:
                    continue
                if all(_key_matches(entry.keys[j], tokens[i + j].key) for j in range(1, size)):
                    match = Match(i, i + size, entry)
                    if accept is None or accept(match):
                        best = match
                        break
            if best is None:
                i += 1
            else:
                yield best
                i = best.end
