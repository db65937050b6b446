"""Where every public page lives, relative to the site root (the same path on CloudFront and locally).

Pages are stored in the feeds bucket under ``site/`` and served at ``/<path>``; the feeds stay at
``/feeds/...``. Every value that reaches a path is checked first, so nothing escapes the site root.
"""

from __future__ import annotations

import re
from typing import Final

from boletin.models.feeds import FeedScope

SITE_PREFIX: Final = "site/"
#: The languages of the news pages' fixed parts (offices write in these); bulletins keep their own.
NEWS_LANGUAGES: Final = ("en", "es")
#: The subscribe page's languages.
SUBSCRIBE_LANGUAGES: Final = ("en", "es", "fr", "pt")
STYLESHEET_PATH: Final = "assets/site.css"

_DIRECTORIES: Final = {"country": "countries", "topic": "topics", "language": "languages"}
_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")
_SLUG: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MONTH: Final = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_VALUE: Final = re.compile(r"[A-Za-z0-9]+(?:-[a-z0-9]+)*")


def _checked(pattern: re.Pattern[str], value: str, what: str) -> str:
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        raise ValueError(f"not a valid {what}: {value!r}")
    return value


def bulletin_path(bulletin_id: str, slug: str | None) -> str:
    """``news/<slug>-<id>.html``: readable, and unique by the id."""
    safe_slug = slug if slug and _SLUG.fullmatch(slug) and len(slug) <= 100 else "bulletin"
    return f"news/{safe_slug}-{_checked(_ID, bulletin_id, 'bulletin id')}.html"


def _scope_part(scope: FeedScope) -> str:
    if scope.kind == "all":
        return ""
    value = _checked(_VALUE, scope.value or "", f"{scope.kind} value")
    return f"{_DIRECTORIES[scope.kind]}/{value}"


def news_path(language: str, scope: FeedScope, month: str | None = None, page: int = 1) -> str:
    """A news list: ``en/index.html``, ``es/countries/GT.html``, ``en/topics/health/2021-11.html``,
    and a month's further pages of 20: ``en/topics/health/2021-11-p2.html``."""
    lang = _checked(re.compile("|".join(NEWS_LANGUAGES)), language, "news language")
    part = _scope_part(scope)
    if month is not None:
        _checked(_MONTH, month, "month")
        if not isinstance(page, int) or page < 1:
            raise ValueError(f"not a valid page number: {page!r}")
        name = month if page == 1 else f"{month}-p{page}"
        return f"{lang}/{part}/{name}.html" if part else f"{lang}/{name}.html"
    return f"{lang}/{part}.html" if part else f"{lang}/index.html"


def subscribe_path(language: str, scope: FeedScope | None = None) -> str:
    """``es/subscribe.html``, or pre-filled for a scope: ``es/subscribe/countries/GT.html``."""
    lang = _checked(re.compile("|".join(SUBSCRIBE_LANGUAGES)), language, "subscribe language")
    if scope is None or scope.kind == "all":
        return f"{lang}/subscribe.html"
    return f"{lang}/subscribe/{_scope_part(scope)}.html"


def site_url(site_base_url: str, path: str) -> str:
    return f"{site_base_url.rstrip('/')}/{path}"
