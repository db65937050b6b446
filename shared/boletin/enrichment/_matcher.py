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


class PhraseMatcher(Generic[P]):
    """``prefix_on_raw``: prefix patterns match a token's ``raw`` form, exact ones its ``key`` (the
    topic matcher keys tokens by stem, and "migra*" reads the folded word, not its stem). A key
    "=word" matches the token's ``raw`` form exactly."""

    def __init__(self, *, prefix_on_raw: bool = False) -> None:
        self._exact: dict[str, list[Entry[P]]] = {}
        self._prefix: dict[str, list[Entry[P]]] = {}
        self._prefix_lengths: set[int] = set()
        self._prefix_on_raw = prefix_on_raw
        self._surface: dict[str, list[Entry[P]]] = {}

    def _key_matches(self, pattern: str, token: Token) -> bool:
        if pattern.startswith("="):  # the surface form exactly (a word whose stem is ambiguous)
            return token.raw == pattern[1:]
        if pattern.endswith("*"):
            return (token.raw if self._prefix_on_raw else token.key).startswith(pattern[:-1])
        return pattern == token.key

    def add(self, keys: tuple[str, ...], payload: P) -> None:
        if not keys:
            return
        entry = Entry(keys, payload)
        first = keys[0]
        if first.startswith("="):
            self._surface.setdefault(first[1:], []).append(entry)
        elif first.endswith("*"):
            stem = first[:-1]
            self._prefix.setdefault(stem, []).append(entry)
            self._prefix_lengths.add(len(stem))
        else:
            self._exact.setdefault(first, []).append(entry)

    def freeze(self) -> None:
        for bucket in (*self._exact.values(), *self._prefix.values(), *self._surface.values()):
            bucket.sort(key=lambda e: -len(e.keys))

    def _candidates(self, token: Token) -> list[Entry[P]]:
        found = list(self._exact.get(token.key, ()))
        found.extend(self._surface.get(token.raw, ()))
        surface = token.raw if self._prefix_on_raw else token.key
        for length in self._prefix_lengths:
            if length <= len(surface):
                found.extend(self._prefix.get(surface[:length], ()))
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
