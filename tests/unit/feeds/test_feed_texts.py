"""Feed titles and descriptions name their scope in the feed's language."""

from __future__ import annotations

import string

import pytest

from boletin.feeds import feed_texts
from boletin.feeds.texts import CATALOGUE, FEED_LANGUAGES
from boletin.models.feeds import FeedScope

CR = FeedScope(kind="country", value="CR")
TRAFFICKING = FeedScope(kind="topic", value="human-trafficking")


@pytest.mark.parametrize(
    ("scope", "label", "language", "expected"),
    [
        (
            FeedScope(kind="all"),
            None,
            "en",
            ("Boletín", "Every news bulletin published by the regional offices."),
        ),
        (
            FeedScope(kind="all"),
            None,
            "es",
            ("Boletín", "Todos los boletines de noticias publicados por las oficinas regionales."),
        ),
        (CR, "Costa Rica", "en", ("Boletín — Costa Rica", "News bulletins about this country: Costa Rica.")),
        (
            CR,
            "Costa Rica",
            "es",
            ("Boletín — Costa Rica", "Boletines de noticias sobre este país: Costa Rica."),
        ),
        (
            CR,
            "Costa Rica",
            "fr",
            ("Boletín — Costa Rica", "Bulletins d’information sur ce pays : Costa Rica."),
        ),
        (
            CR,
            "Costa Rica",
            "pt",
            ("Boletín — Costa Rica", "Boletins de notícias sobre este país: Costa Rica."),
        ),
        (
            TRAFFICKING,
            "Trata de personas",
            "es",
            ("Boletín — Trata de personas", "Noticias sobre Trata de personas."),
        ),
        (
            TRAFFICKING,
            "Traite des personnes",
            "fr",
            ("Boletín — Traite des personnes", "Actualités sur le thème : Traite des personnes."),
        ),
        (
            TRAFFICKING,
            "Tráfico de pessoas",
            "pt",
            ("Boletín — Tráfico de pessoas", "Notícias sobre Tráfico de pessoas."),
        ),
        (
            FeedScope(kind="language", value="es"),
            "español",
            "es",
            ("Boletín — Español", "Todos los boletines de noticias publicados en español."),
        ),
        (
            FeedScope(kind="language", value="fr"),
            "Français",
            "fr",
            ("Boletín — Français", "Tous les bulletins d’information publiés en français."),
        ),
        (
            FeedScope(kind="language", value="pt"),
            None,
            "pt",
            ("Boletín — Português", "Todos os boletins de notícias publicados em português."),
        ),
        (
            FeedScope(kind="language", value="en"),
            "English",
            "en",
            ("Boletín — English", "Every news bulletin published in English."),
        ),
    ],
)
def test_given_a_scope_and_language_then_title_and_description_say_the_scope_in_that_language(
    scope: FeedScope, label: str | None, language: str, expected: tuple[str, str]
) -> None:
    assert feed_texts(scope, label=label, language=language) == expected


def test_given_no_label_then_the_code_is_shown_rather_than_nothing() -> None:
    assert feed_texts(CR, label=None, language="en")[0] == "Boletín — CR"


def test_given_an_unsupported_or_regional_language_then_english_or_the_base_language_is_used() -> None:
    assert (
        feed_texts(CR, label="Costa Rica", language="de")[1]
        == "News bulletins about this country: Costa Rica."
    )
    assert feed_texts(CR, label="Costa Rica", language="pt-BR")[1].startswith("Boletins de notícias")


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_given_the_catalogue_then_every_string_exists_in_every_language_with_the_same_placeholders(
    key: str,
) -> None:
    entry = CATALOGUE[key]
    fields = {lang: {f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f} for lang in entry}

    assert set(entry) == set(FEED_LANGUAGES)
    assert all(text.strip() for text in entry.values())
    assert len({frozenset(f) for f in fields.values()}) == 1
