"""Plain prose is rendered without markdown-it-py, exactly as markdown-it-py renders it.

Most bulletins are paragraphs of prose; importing markdown-it-py for them is a third of the enrich
function's cold start. These tests hold the shortcut to CommonMark's own output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boletin.enrichment.html import render_body_html, render_markdown, render_prose, sanitize_html

ROOT = Path(__file__).resolve().parents[3]
CORPORA = sorted((ROOT / "tests" / "data" / "enrichment").glob("*.json"))


def _bodies() -> list[str]:
    found: list[str] = []
    for path in CORPORA:
        data = json.loads(path.read_text(encoding="utf-8"))
        found.extend(b["body"] for b in (data["bulletins"] if isinstance(data, dict) else data))
    return found


def _both(text: str) -> tuple[str | None, str]:
    prose = render_prose(text)
    shortcut = None if prose is None else sanitize_html(prose).strip()
    return shortcut, sanitize_html(render_markdown(text)).strip()


def test_every_bulletin_of_the_corpora_is_prose_and_renders_as_commonmark_does() -> None:
    # Given the project's corpora (bulletins written like the real ones: paragraphs of prose)
    bodies = _bodies()
    assert len(bodies) > 100
    for body in bodies:
        # When the body is rendered by the shortcut and by markdown-it-py
        shortcut, commonmark = _both(body)
        # Then the shortcut takes it and gives the same HTML
        assert shortcut == commonmark


PROSE_EDGES = [
    "One line.",
    "  Indented by two.\nNext line \n\n\n   Third paragraph, three spaces in. ",
    "Tom & Jerry met the U.S. delegation (2021): 100% agreed; \"quoted\" and 'single'.",
    "Line one \nline two with one trailing space",
    "A year at the start:\n2021 was hard.\nThe 3rd point.",
    "Ends with an ampersand &",
    "Árbol, niño, ação, élève, œuvre — “curly” «guillemets» ¿qué? ¡sí!",
    "\r\nWindows\r\nline ends\r\rand old Mac ones",
    "",
    "\n\n \n",
]
MARKDOWN = [
    "# A heading",
    "Para\n- a list item",
    "1. first\n2. second",
    "Title\n=====",
    "Text\n---",
    "> quoted",
    "    indented code",
    "**bold** and _it_",
    "a [link](https://example.org)",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "~~gone~~",
    "line with hard break  \nnext",
    "tab\there",
    "non\u00a0breaking space",
    "&amp; an entity",
    "<b>html</b>",
    "a\\*b",
    "```\ncode\n```",
]


@pytest.mark.parametrize("text", PROSE_EDGES)
def test_prose_with_spaces_ampersands_digits_and_line_ends_renders_as_commonmark_does(text: str) -> None:
    # Given prose with the details CommonMark is particular about; When rendered both ways
    shortcut, commonmark = _both(text)
    # Then the shortcut takes it and agrees with markdown-it-py
    assert shortcut == commonmark


@pytest.mark.parametrize("text", MARKDOWN)
def test_a_text_with_markdown_syntax_goes_to_markdown_it(text: str) -> None:
    # Given a body that uses Markdown (or might); When it is rendered
    # Then the shortcut declines and the body renders as markdown-it-py renders it
    assert render_prose(text) is None
    assert render_body_html(text) == sanitize_html(render_markdown(text)).strip()


PROSE_ALPHABET = st.sampled_from([*"abcdeXYZ éñçãœ0123456789.,;:!?'\"()&#-+=/%@$\n\n    ", "\r\n", "\t"])


@settings(max_examples=400, deadline=None)
@given(st.lists(PROSE_ALPHABET, max_size=60).map("".join))
def test_whatever_the_shortcut_accepts_renders_as_commonmark_does(text: str) -> None:
    # Given any text of prose characters, digits, line-opening symbols and odd whitespace
    # When the shortcut accepts it, Then its HTML is markdown-it-py's
    shortcut, commonmark = _both(text)
    if shortcut is not None:
        assert shortcut == commonmark


def test_enriching_prose_does_not_import_markdown_it() -> None:
    # Given a fresh interpreter; When it enriches a plain-prose bulletin
    probe = (
        "import sys\n"
        "from boletin.enrichment import enrich\n"
        "enrich('IOM and Guatemala meet', 'Officials met in Guatemala City.\\n\\nThey discussed trafficking.')\n"
        "print('markdown_it' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={"PYTHONPATH": str(ROOT / "shared")},
        capture_output=True,
        text=True,
        check=True,
    )
    # Then markdown-it-py was never imported
    assert result.stdout.strip() == "False"
