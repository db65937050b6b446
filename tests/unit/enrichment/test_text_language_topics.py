"""Summary, slug, reading time, language detection and topics."""

from __future__ import annotations

import pytest

from boletin.enrichment import enrich, taxonomy
from boletin.enrichment.language import detect_language


def test_given_a_long_lead_when_enriched_then_summary_is_cut_at_a_word_with_an_ellipsis() -> None:
    body = "Officials " + "discussed regional cooperation on migration " * 20 + "today."
    summary = enrich("T", body).summary
    assert len(summary) <= 300
    assert summary.endswith("…")
    assert body.startswith(summary[:-1].rstrip())
    assert body[len(summary) - 1] == " "  # the cut falls between two words


def test_given_two_short_sentences_when_enriched_then_summary_is_both_without_the_third() -> None:
    body = "IOM opened an office. It will serve migrants. A third sentence follows here."
    assert enrich("T", body).summary == "IOM opened an office. It will serve migrants."


def test_given_abbreviations_when_enriched_then_summary_does_not_split_on_them() -> None:
    body = (
        "The U.S. Under Secretary of State met Dr. Smith in Panama to discuss the situation of the "
        "migratory flow through the Darién and many other related issues in great detail today. "
        + "Another long sentence follows with many words in it to fill the remaining space. "
        * 3
    )
    assert enrich("T", body).summary.startswith("The U.S. Under Secretary of State met Dr. Smith in Panama")
    assert "today." in enrich("T", body).summary


def test_given_markdown_when_enriched_then_summary_is_plain_text() -> None:
    assert enrich("T", "**IOM** opened [an office](https://x.org).").summary == "IOM opened an office."


def test_given_a_title_with_accents_when_enriched_then_slug_is_ascii_hyphenated() -> None:
    assert enrich("Haïti : l'OIM accueille ¡50 niños! en Cap-Haïtien", "x").slug == (
        "haiti-l-oim-accueille-50-ninos-en-cap-haitien"
    )


def test_given_a_long_title_when_enriched_then_slug_is_cut_at_a_word_within_80_chars() -> None:
    slug = enrich("Regional " * 20, "x").slug
    assert len(slug) <= 80
    assert slug.endswith("regional")


@pytest.mark.parametrize(("words", "minutes"), [(1, 1), (200, 1), (201, 2), (650, 4)])
def test_given_a_body_of_n_words_when_enriched_then_reading_time_is_ceil_n_over_200(
    words: int, minutes: int
) -> None:
    result = enrich("Title words are not counted", " ".join(["word"] * words))
    assert result.word_count == words
    assert result.reading_minutes == minutes


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("IOM promotes crisis communication in emergency contexts that includes migrants", "en"),
        ("Honduran government staff completed Diploma Course on Migration and Development", "en"),
        ("Guatemala y México refuerzan la coordinación fronteriza", "es"),
        ("Capacitan a jueces y fiscales de Honduras en tráfico ilícito de migrantes", "es"),
        ("Haïti : l'OIM accueille des migrants rapatriés", "fr"),
        ("Formation des agents de la police frontalière haïtienne", "fr"),
        ("Brasil interioriza mais de 100 mil venezuelanos pela Operação Acolhida", "pt"),
        ("Vacinação de migrantes venezuelanos em Pacaraima", "pt"),
        (
            "Las autoridades migratorias de los dos países acordaron mejorar la infraestructura del puesto "
            "fronterizo y compartir información sobre los flujos de personas en tránsito.",
            "es",
        ),
        (
            "Les équipes distribuent des bâches, des kits d'abris et de l'eau potable, en coordination avec "
            "la Protection civile.",
            "fr",
        ),
        (
            "A capacitação foi organizada pela OIM em parceria com o Ministério da Justiça, que também "
            "apoiou as equipes nas fronteiras.",
            "pt",
        ),
    ],
)
def test_given_text_in_a_language_when_detected_then_that_language_is_returned(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_given_a_supported_hint_when_enriched_then_the_hint_wins() -> None:
    assert enrich("Officials meet in Panama", "The meeting was held today.", "es").language == "es"
    assert enrich("Officials meet", "The meeting was held today.", "pt-BR").language == "pt"


def test_given_an_unsupported_hint_when_enriched_then_the_language_is_detected() -> None:
    assert enrich("Los funcionarios se reúnen", "La reunión fue hoy en la capital.", "de").language == "es"


@pytest.mark.parametrize(
    ("title", "body", "topic"),
    [
        ("Hurricane Eta hits Honduras", "Thousands of families are in shelters after floods.", "emergencies"),
        ("Vaccination campaign for migrants", "Health teams vaccinated 2,000 people.", "health"),
        (
            "Dismantled smuggling network",
            "Police arrested migrant smugglers on the route north.",
            "migrant-smuggling",
        ),
        ("Trata de personas", "Se identificaron víctimas de trata de personas.", "trafficking-in-persons"),
        (
            "Taller para funcionarios",
            "Un taller de capacitación para funcionarios de migración.",
            "capacity-building",
        ),
        ("Nuevo estudio", "Una encuesta a 2.000 hogares analiza la migración.", "data-research"),
        (
            "Personas retornadas",
            "Personas migrantes retornadas reciben apoyo de reintegración.",
            "return-reintegration",
        ),
        ("Darién", "Miles cruzan la selva del Darién por los pasos fronterizos.", "borders"),
        ("Sécheresse", "La sécheresse et le changement climatique poussent à migrer.", "climate"),
        ("Escolas recebem alunos", "As escolas matricularam alunos migrantes.", "education"),
        (
            "Against xenophobia",
            "Host communities and migrants join a campaign against xenophobia.",
            "integration",
        ),
        ("Regularización migratoria", "El gobierno aprobó una nueva política migratoria.", "governance"),
        ("Unaccompanied children", "Protection of unaccompanied children and human rights.", "protection"),
        ("Labour migration programme", "Temporary workers travel to Canada.", "labour-migration"),
    ],
)
def test_given_a_clear_subject_when_enriched_then_its_topic_is_assigned(
    title: str, body: str, topic: str
) -> None:
    assert topic in enrich(title, body).topics


def test_given_a_word_in_passing_when_enriched_then_no_topic_is_assigned() -> None:
    assert enrich("Officials meet", "They met at the school hall to discuss the agenda.").topics == []


def test_given_the_taxonomy_when_listed_then_topics_have_labels_in_four_languages() -> None:
    topics = taxonomy.list_topics()
    assert len(topics) == 14
    assert taxonomy.topic_label("trafficking-in-persons", "es") == "Trata de personas"
    assert taxonomy.topic_label("health", "fr") != taxonomy.topic_label("health", "en")
    assert all(t.label_en and t.label_es for t in topics)


def test_given_country_codes_when_asked_then_names_and_codes_are_known() -> None:
    assert len(taxonomy.ALL_COUNTRY_CODES) == 249
    assert taxonomy.is_country_code("HT")
    assert not taxonomy.is_country_code("XX")
    assert taxonomy.country_name("US", "es") == "Estados Unidos"
    assert taxonomy.country_name("HT", "fr") == "Haïti"
    assert taxonomy.country_name("DE", "pt") == "Alemanha"


@pytest.mark.parametrize("language", ["en", "es", "fr", "pt"])
def test_every_country_has_a_name_readers_see_even_when_detection_ignores_it(language: str) -> None:
    # Given the countries whose names detection drops as ambiguous ("Georgia", "Jersey", "Réunion")
    # When any country is named in feeds and emails
    names = {code: taxonomy.country_name(code, language) for code in taxonomy.ALL_COUNTRY_CODES}
    # Then every one has a name, and those keep theirs
    assert all(names.values())
    assert names["GE"] in {"Georgia", "Geórgia", "Géorgie"}
    assert names["JE"] == "Jersey"
    assert names["RE"].startswith(("Réunion", "Reunión", "Ilha Reunião"))
