"""The one catalogue of fixed strings in feeds, in English, Spanish, French and Portuguese.

Feed titles and descriptions name the scope; the browser note tells a person who opened a feed in a
browser what it is and how to subscribe. Each entry exists in all four languages with the same
``{placeholders}`` (a unit test enforces it). Unknown languages fall back to English.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from boletin.models.feeds import FeedScope

FeedLanguage = Literal["en", "es", "fr", "pt"]
FEED_LANGUAGES: Final[tuple[FeedLanguage, ...]] = get_args(FeedLanguage)

#: The publication's name: feed titles, generator, Atom author, OPML title.
BRAND: Final = "Boletín"

#: How each language names itself, when the caller passes no label for a language feed.
LANGUAGE_ENDONYMS: Final[dict[str, str]] = {
    "en": "English",
    "es": "español",
    "fr": "français",
    "pt": "português",
}

CATALOGUE: Final[dict[str, dict[FeedLanguage, str]]] = {
    "title.all": {
        "en": "Boletín",
        "es": "Boletín",
        "fr": "Boletín",
        "pt": "Boletín",
    },
    "description.all": {
        "en": "Every news bulletin published by the regional offices.",
        "es": "Todos los boletines de noticias publicados por las oficinas regionales.",
        "fr": "Tous les bulletins d’information publiés par les bureaux régionaux.",
        "pt": "Todos os boletins de notícias publicados pelos escritórios regionais.",
    },
    "title.country": {
        "en": "Boletín — {label}",
        "es": "Boletín — {label}",
        "fr": "Boletín — {label}",
        "pt": "Boletín — {label}",
    },
    "description.country": {
        "en": "News bulletins about this country: {label}.",
        "es": "Boletines de noticias sobre este país: {label}.",
        "fr": "Bulletins d’information sur ce pays : {label}.",
        "pt": "Boletins de notícias sobre este país: {label}.",
    },
    "title.topic": {
        "en": "Boletín — {label}",
        "es": "Boletín — {label}",
        "fr": "Boletín — {label}",
        "pt": "Boletín — {label}",
    },
    "description.topic": {
        "en": "News on {label}.",
        "es": "Noticias sobre {label}.",
        "fr": "Actualités sur le thème : {label}.",
        "pt": "Notícias sobre {label}.",
    },
    "title.language": {
        "en": "Boletín — {label}",
        "es": "Boletín — {label}",
        "fr": "Boletín — {label}",
        "pt": "Boletín — {label}",
    },
    "description.language": {
        "en": "Every news bulletin published in {label}.",
        "es": "Todos los boletines de noticias publicados en {label}.",
        "fr": "Tous les bulletins d’information publiés en {label}.",
        "pt": "Todos os boletins de notícias publicados em {label}.",
    },
    "note.heading": {
        "en": "This is a news feed",
        "es": "Esto es un canal de noticias (feed)",
        "fr": "Ceci est un flux d’actualités",
        "pt": "Este é um feed de notícias",
    },
    "note.body": {
        "en": (
            "Subscribe to get new bulletins automatically: copy the address below into your feed "
            "reader (news reader app). You don’t need to do anything else here."
        ),
        "es": (
            "Suscríbase para recibir los nuevos boletines automáticamente: copie la dirección de abajo "
            "en su lector de feeds (aplicación de noticias). No necesita hacer nada más aquí."
        ),
        "fr": (
            "Abonnez-vous pour recevoir automatiquement les nouveaux bulletins : copiez l’adresse "
            "ci-dessous dans votre lecteur de flux (application d’actualités). Rien d’autre à faire ici."
        ),
        "pt": (
            "Assine para receber os novos boletins automaticamente: copie o endereço abaixo no seu "
            "leitor de feeds (aplicativo de notícias). Não é preciso fazer mais nada aqui."
        ),
    },
    "opml.title": {
        "en": "Boletín — News feeds",
        "es": "Boletín — Canales de noticias",
        "fr": "Boletín — Flux d’actualités",
        "pt": "Boletín — Feeds de notícias",
    },
}


def resolve_feed_language(value: str | None) -> FeedLanguage:
    """``"es-MX"`` -> ``"es"``; anything unknown or missing -> ``"en"``."""
    primary = (value or "").strip().replace("_", "-").split("-", 1)[0].lower()
    for language in FEED_LANGUAGES:
        if primary == language:
            return language
    return "en"


def translate(key: str, language: str | None, **values: str) -> str:
    return CATALOGUE[key][resolve_feed_language(language)].format(**values)


def feed_texts(scope: FeedScope, *, label: str | None, language: str) -> tuple[str, str]:
    """The feed's title and description, in ``language``, naming the scope.

    ``label`` is the human name of the country, topic or language in that language ("Costa Rica",
    "Trata de personas", "español"); without one, the code itself is shown.
    """
    lang = resolve_feed_language(language)
    if scope.kind == "all":
        return translate("title.all", lang), translate("description.all", lang)
    name = (label or "").strip()
    if not name and scope.kind == "language":
        name = LANGUAGE_ENDONYMS.get(scope.value or "", "")
    name = name or (scope.value or "")
    title_name = description_name = name
    if scope.kind == "language":
        # Language names are capitalised in titles everywhere, but lower-case mid-sentence in
        # Spanish, French and Portuguese ("publicados en español").
        title_name = name[:1].upper() + name[1:]
        description_name = name if lang == "en" else name[:1].lower() + name[1:]
    return (
        translate(f"title.{scope.kind}", lang, label=title_name),
        translate(f"description.{scope.kind}", lang, label=description_name),
    )
