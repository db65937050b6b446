"""Enrichment of bulletins: language, countries, regions, organisations, acronyms, topics, summary,
slug, reading time and sanitised HTML, from the title and the Markdown body. Pure logic, no AWS.

    from boletin.enrichment import enrich, render_body_html
    from boletin.enrichment import taxonomy  # the vocabulary; imported when asked for, not by enrich
"""

from __future__ import annotations

from boletin.enrichment.engine import enrich
from boletin.enrichment.html import render_body_html

__all__ = ["enrich", "render_body_html", "taxonomy"]
