"""Plain text, lead summary, slug and reading time of a bulletin."""

from __future__ import annotations

import math
import re

from boletin.enrichment._text import fold

SUMMARY_LIMIT = 300
SLUG_LIMIT = 80
WORDS_PER_MINUTE = 200

_BLOCK_END_RE = re.compile(
    r"</(?:p|li|h[1-6]|blockquote|pre|tr|table|ul|ol)>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE
)
_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"[ \t\r\f\v\u00a0]+")
_WORD_RE = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")

# Words before a full stop that do not end a sentence (compared folded, without the dot).
_ABBREVIATIONS = frozenset(
    [
        "dr",
        "dra",
        "drs",
        "mr",
        "mrs",
        "ms",
        "mme",
        "mlle",
        "m",
        "sr",
        "sra",
        "srta",
        "sres",
        "st",
        "ste",
        "sto",
        "sta",
        "no",
        "nos",
        "nro",
        "num",
        "art",
        "arts",
        "inc",
        "ltd",
        "co",
        "corp",
        "jr",
        "prof",
        "profa",
        "ing",
        "lic",
        "gen",
        "gov",
        "sen",
        "rep",
        "dept",
        "est",
        "approx",
        "vs",
        "etc",
        "al",
        "fig",
        "p",
        "pp",
        "vol",
        "ed",
        "eds",
        "av",
        "avda",
        "ave",
        "blvd",
        "cap",
        "min",
        "lt",
        "col",
        "capt",
        "sgt",
        "ee",
        "uu",
        "u.s",
        "u.s.a",
        "e.u.a",
        "ee.uu",
        "eeuu",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "ene",
        "abr",
        "ago",
        "dic",
        "janv",
        "fevr",
        "avr",
        "juil",
        "sept",
        "oct",
        "nov",
        "dec",
        "mi",
        "ca",
        "cf",
        "e.g",
        "i.e",
        "p.ej",
        "p.e",
    ]
)
_SENTENCE_END_RE = re.compile(r"[.!?…]+[\"'”’»)]*(?=\s+[\"'“‘«(¿¡]?[A-ZÀ-ÖØ-Þ0-9])")


def plain_text(body_html: str) -> str:
    """Text of rendered HTML: one line per block, entities decoded, spaces collapsed."""
    from html import unescape

    text = _BLOCK_END_RE.sub("\n", body_html)
    text = unescape(_TAG_RE.sub("", text))
    lines = (_SPACE_RE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def reading_minutes(word_count: int) -> int:
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE))


def sentences(text: str) -> list[str]:
    """Split on ., ! and ? followed by a capital, unless the dot ends an abbreviation or an initial."""
    found: list[str] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        end = match.end()
        if text[match.start()] == ".":
            word = (
                text[start : match.start()].rsplit(None, 1)[-1] if text[start : match.start()].strip() else ""
            )
            key = fold(word).strip("(\"'“‘«")
            if (
                key in _ABBREVIATIONS
                or (len(key) == 1 and key.isalpha())
                or re.fullmatch(r"(?:\w\.)+\w", key)
            ):
                continue
        found.append(text[start:end].strip())
        start = end
    rest = text[start:].strip()
    if rest:
        found.append(rest)
    return [s for s in found if s]


def cut_at_word(text: str, limit: int, ellipsis: str = "…") -> str:
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    cut = text[: room + 1]
    space = cut.rfind(" ")
    head = cut[:space] if space > 0 else text[:room]
    return head.rstrip(" ,;:-–—(") + ellipsis


def summary(text: str) -> str:
    """The lead: the first sentence, and the second too when both fit; at most 300 characters."""
    paragraphs = [p for p in text.split("\n") if p.strip()]
    if not paragraphs:
        return ""
    # Skip a heading-like first line (short, no final punctuation) when a paragraph follows.
    first = paragraphs[0]
    if len(paragraphs) > 1 and len(first) < 80 and not first.rstrip().endswith((".", "!", "?", ":")):
        paragraphs = paragraphs[1:]
    flat = " ".join(paragraphs)
    parts = sentences(flat)
    lead = parts[0] if parts else flat
    if len(parts) > 1 and len(lead) + 1 + len(parts[1]) <= SUMMARY_LIMIT and len(lead) < 160:
        lead = f"{lead} {parts[1]}"
    return cut_at_word(lead, SUMMARY_LIMIT)


def slugify(title: str, limit: int = SLUG_LIMIT) -> str:
    ascii_text = fold(title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > limit:
        cut = slug[: limit + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else slug[:limit]
        slug = slug.strip("-")
    return slug or "bulletin"
