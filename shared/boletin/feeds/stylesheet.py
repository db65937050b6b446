"""The stylesheet that makes a feed readable when someone opens it in a browser.

It is CSS, not XSLT: Chromium 156 still runs XSLT but covers the page with a red "XSLT is being
removed from this browser" banner, and Chrome is removing it altogether. A CSS stylesheet
(``<?xml-stylesheet type="text/css"?>``) is applied by every browser with no such warning, and
never turns the escaped HTML of a bulletin into live markup.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Final

STYLESHEET_NAME: Final = "feed.css"
STYLESHEET_CONTENT_TYPE: Final = "text/css; charset=utf-8"


@cache
def stylesheet_bytes() -> bytes:
    """The bytes of ``boletin/data/feed.css``, to publish next to the feeds as :data:`STYLESHEET_NAME`."""
    return files("boletin").joinpath("data", STYLESHEET_NAME).read_bytes()
