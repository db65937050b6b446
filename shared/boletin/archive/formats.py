"""Reading a source (a file or an http(s) URL) and telling which archive format it is."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from boletin.archive.feeds import looks_like_feed, parse_feed
from boletin.archive.items import Archive, ArchiveError
from boletin.archive.newspage import looks_like_news_page, parse_news_page
from boletin.archive.tabular import looks_like_csv, looks_like_jsonl, parse_csv, parse_jsonl

FORMATS = ("news-page", "rss", "atom", "csv", "jsonl")
MAX_SOURCE_BYTES = 64 * 1024 * 1024
_NOT_AN_ARCHIVE = (
    "is not an archive: expected a news page (date lines, titles, paragraphs), an RSS or Atom feed, "
    "CSV with the columns published_on,title,body, or JSON Lines with those keys"
)


@dataclass(frozen=True)
class Source:
    name: str  # as the user gave it, for messages
    source_id: str  # what idempotency keys are derived from: stable wherever the file is run from
    data: bytes


def read_source(location: str, *, timeout: float = 30.0) -> Source:
    """The bytes of a file or an http(s) URL; ArchiveError with one clear sentence otherwise."""
    scheme = urlsplit(location).scheme.lower()
    if scheme in ("http", "https"):
        return Source(location, _url_id(location), _download(location, timeout))
    if scheme and len(scheme) > 1:
        raise ArchiveError(f"{location}: only files and http(s) URLs can be imported")
    try:
        size = os.path.getsize(location)
        if size > MAX_SOURCE_BYTES:
            raise ArchiveError(f"{location}: larger than {MAX_SOURCE_BYTES // 2**20} MB")
        with open(location, "rb") as handle:
            data = handle.read()
    except IsADirectoryError:
        raise ArchiveError(f"{location}: is a directory, not a file") from None
    except OSError as error:
        raise ArchiveError(f"{location}: {error.strerror or error}") from None
    return Source(location, os.path.basename(location), data)


def _download(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "boletin-import"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) only)
            data: bytes = response.read(MAX_SOURCE_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise ArchiveError(f"{url}: the server answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ArchiveError(f"{url}: could not be fetched ({reason})") from None
    if len(data) > MAX_SOURCE_BYTES:
        raise ArchiveError(f"{url}: larger than {MAX_SOURCE_BYTES // 2**20} MB")
    return data


def _url_id(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))


def decode(source: Source) -> str:
    if b"\x00" in source.data[:8192]:
        raise ArchiveError(f"{source.name}: a binary file, which {_NOT_AN_ARCHIVE}")
    try:
        return source.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Old CMS exports are often Windows-1252; every byte but five decodes there.
        try:
            return source.data.decode("cp1252")
        except UnicodeDecodeError:
            raise ArchiveError(f"{source.name}: not UTF-8 or Windows-1252 text") from None


def detect_format(source: Source) -> str:
    head = source.data[:4096].decode("utf-8", errors="replace")
    if looks_like_feed(head):
        return "rss"  # feedparser tells RSS from Atom
    text = decode(source)
    if looks_like_jsonl(text):
        return "jsonl"
    if looks_like_csv(text):
        return "csv"
    if looks_like_news_page(text):
        return "news-page"
    raise ArchiveError(f"{source.name} {_NOT_AN_ARCHIVE}")


def parse_source(source: Source, fmt: str | None = None) -> Archive:
    """Every item of the source, readable or not; ArchiveError when it is not an archive at all."""
    fmt = fmt or detect_format(source)
    if fmt in ("rss", "atom"):
        archive = parse_feed(source.data)
    elif fmt == "jsonl":
        archive = parse_jsonl(decode(source))
    elif fmt == "csv":
        archive = parse_csv(decode(source))
    elif fmt == "news-page":
        archive = parse_news_page(decode(source))
    else:
        raise ArchiveError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if not archive.items and not archive.unreadable:
        raise ArchiveError(f"{source.name} holds no bulletins ({fmt})")
    if fmt == "news-page" and not archive.items:
        raise ArchiveError(f"{source.name} {_NOT_AN_ARCHIVE}")
    return archive
