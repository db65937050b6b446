"""Where each feed lives under the feeds root, and the strict inverse for incoming paths."""

from __future__ import annotations

import re
from typing import Final

from boletin.models.feeds import FeedFormat, FeedScope, ScopeKind

EXTENSIONS: Final[dict[FeedFormat, str]] = {"rss": "xml", "atom": "atom", "json": "json"}
_FORMATS_BY_EXTENSION: Final[dict[str, FeedFormat]] = {ext: fmt for fmt, ext in EXTENSIONS.items()}
_DIRECTORIES: Final[dict[ScopeKind, str]] = {
    "country": "countries",
    "topic": "topics",
    "language": "languages",
}
_KINDS_BY_DIRECTORY: Final[dict[str, ScopeKind]] = {d: kind for kind, d in _DIRECTORIES.items()}

MAX_TOPIC_LENGTH: Final = 64
_VALUE_PATTERNS: Final[dict[ScopeKind, re.Pattern[str]]] = {
    "country": re.compile(r"[A-Z]{2}"),
    "topic": re.compile(rf"(?=.{{1,{MAX_TOPIC_LENGTH}}}\Z)[a-z0-9]+(?:-[a-z0-9]+)*"),
    "language": re.compile(r"en|es|fr|pt"),
}
_PATH: Final = re.compile(
    r"(?:(?P<all>all)|(?P<dir>countries|topics|languages)/(?P<value>[^/]+))\.(?P<ext>xml|atom|json)"
)


def is_valid_scope(scope: FeedScope) -> bool:
    """``all`` has no value; the others need a well-formed one (``CR``, ``labour-migration``, ``es``)."""
    if scope.kind == "all":
        return scope.value is None
    return scope.value is not None and _VALUE_PATTERNS[scope.kind].fullmatch(scope.value) is not None


def feed_path(scope: FeedScope, fmt: FeedFormat) -> str:
    """``all.xml``, ``countries/CR.atom``, ``topics/labour-migration.json``, ``languages/es.xml``.

    Raises ``ValueError`` for a malformed scope, so no value can ever escape the feeds root.
    """
    if not is_valid_scope(scope):
        raise ValueError(f"not a valid feed scope: {scope.kind}={scope.value!r}")
    ext = EXTENSIONS[fmt]
    if scope.kind == "all":
        return f"all.{ext}"
    return f"{_DIRECTORIES[scope.kind]}/{scope.value}.{ext}"


def parse_feed_path(path: str) -> tuple[FeedScope, FeedFormat] | None:
    """The inverse of :func:`feed_path`; ``None`` for anything it would not have produced."""
    match = _PATH.fullmatch(path)
    if match is None:
        return None
    fmt = _FORMATS_BY_EXTENSION[match["ext"]]
    if match["all"]:
        return FeedScope(kind="all"), fmt
    kind = _KINDS_BY_DIRECTORY[match["dir"]]
    scope = FeedScope(kind=kind, value=match["value"])
    return (scope, fmt) if is_valid_scope(scope) else None


def feed_url(feeds_base_url: str, scope: FeedScope, fmt: FeedFormat) -> str:
    return f"{feeds_base_url.rstrip('/')}/{feed_path(scope, fmt)}"
