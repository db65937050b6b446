"""The site's one stylesheet (``boletin/data/site.css``), published at ``/assets/site.css``."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Final

STYLESHEET_CONTENT_TYPE: Final = "text/css; charset=utf-8"


@cache
def stylesheet_bytes() -> bytes:
    return files("boletin").joinpath("data", "site.css").read_bytes()
