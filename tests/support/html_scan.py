"""A small HTML reader for unit tests: the start tags, attributes and text of a piece of markup."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import TypeVar


class TagsAndText(HTMLParser):
    """Every start tag, every attribute (entity-decoded) and the text; subclasses collect more."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


ParserT = TypeVar("ParserT", bound=HTMLParser)


def parsed(parser: ParserT, markup: str) -> ParserT:
    """`parser` after reading the whole of `markup`."""
    parser.feed(markup)
    parser.close()
    return parser
