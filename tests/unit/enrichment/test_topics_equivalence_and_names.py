"""A concept weighs the same in every language however many words it takes there, and only a body's
head word itself (not a word sharing its stem) makes a capitalised name a passing mention."""

from __future__ import annotations

import pytest

from boletin.enrichment import enrich
from boletin.enrichment.topics import topic_evidence


@pytest.mark.parametrize(
    ("title", "body", "language"),
    [
        (
            "Reunión regional en Tegucigalpa",
            "Los viceministros de la región revisaron los avances del año. La próxima reunión será en marzo.",
            "es",
        ),
        (
            "Reunião regional em Brasília",
            "Os vice-ministros da região revisaram os avanços do ano. A próxima reunião será em março.",
            "pt",
        ),
        (
            "Regional meeting in Tegucigalpa",
            "The vice ministers of the region reviewed the progress of the year. The next meeting is in March.",
            "en",
        ),
    ],
)
def test_one_word_that_is_several_words_in_english_is_no_passing_word(
    title: str, body: str, language: str
) -> None:
    # Given a lead whose only governance word is the vice ministers who met, in one word in Spanish
    # ("viceministros") and in several in English ("vice ministers")
    # When its topics are found
    topics = enrich(title, body, language).topics
    # Then governance is assigned in every language alike
    assert "governance" in topics


def test_a_report_title_opened_by_a_word_sharing_a_heads_stem_is_the_subject() -> None:
    # Given a lead that names a report, "Planning for Prosperity: Labour Migration ..." ("Planning"
    # shares its stem with "Plan", the head of a body's name, but is not one)
    title = "New study on the Caribbean economy"
    body = (
        "The study, Planning for Prosperity: Labour Migration in the Caribbean, was launched in Georgetown."
    )
    # When its topics are scored
    evidence = {e.topic: e for e in topic_evidence(title, body, "en")}
    # Then "Labour Migration" votes in full as the lead's subject and assigns the topic
    assert evidence["labour-migration"].assigned
    assert "labour-migration" in enrich(title, body, "en").topics


def test_a_plans_name_is_still_a_passing_mention() -> None:
    # Given a lead that names a national plan whose name holds a topic's words
    title = "Ministry presents its annual report"
    body = "The Plan for Labour Migration and Development was mentioned among many others in the report."
    # When its topics are scored
    evidence = {e.topic: e for e in topic_evidence(title, body, "en")}
    # Then the words inside the plan's name count as a passing mention, not as the subject
    assert not evidence["labour-migration"].assigned


@pytest.mark.parametrize(
    ("title", "body", "language"),
    [
        (
            "New IOM study on the Caribbean economy",
            "Arrivals from the Caribbean grew fastest between 2013 and 2018. This is according to a recent "
            "report titled Planning for Prosperity: Labour Migration and the Emerging Economy.",
            "en",
        ),
        (
            "Nuevo estudio de la OIM sobre la economía del Caribe",
            "Las llegadas desde el Caribe crecieron más que ninguna entre 2013 y 2018. Así lo indica un "
            "informe reciente titulado Migración laboral y economía emergente.",
            "es",
        ),
    ],
)
def test_the_title_of_the_report_a_bulletin_presents_weighs_as_its_lead(
    title: str, body: str, language: str
) -> None:
    # Given a bulletin whose subject is stated in the title of the report it presents, after the lead
    # When its topics are found
    topics = enrich(title, body, language).topics
    # Then the subject of the report's title is assigned as if the lead had stated it
    assert "labour-migration" in topics


def test_the_same_words_further_down_without_a_title_stay_a_single_mention() -> None:
    # Given the same words in a later sentence that names no report
    title = "New IOM study on the Caribbean economy"
    body = (
        "Arrivals from the Caribbean grew fastest between 2013 and 2018. The economy also depends on "
        "labour migration and tourism."
    )
    # When its topics are found
    topics = enrich(title, body, "en").topics
    # Then one mention further down does not make it a bulletin about labour migration
    assert "labour-migration" not in topics


@pytest.mark.parametrize(
    ("title", "body", "language"),
    [
        (
            "Shelters in Tapachula",
            "The programme strengthens child protection in the shelters of the city.",
            "en",
        ),
        ("Albergues en Tapachula", "El programa fortalece la protección de la niñez en los albergues.", "es"),
        (
            "Refuges au Cap-Haïtien",
            "Le programme renforce la protection des enfants dans les refuges de la ville.",
            "fr",
        ),
        ("Abrigos em Boa Vista", "O programa fortalece a proteção de crianças nos abrigos da cidade.", "pt"),
    ],
)
def test_child_protection_votes_alike_in_every_language(title: str, body: str, language: str) -> None:
    # Given a lead about protecting children in one of the four languages (English and Spanish had it)
    # When its topics are found
    topics = enrich(title, body, language).topics
    # Then protection is assigned in each language, as it is in English
    assert "protection" in topics


@pytest.mark.parametrize(
    ("title", "body", "language"),
    [
        (
            "Support for Venezuelan professionals",
            "The office speeds up the recognition of degrees of migrants.",
            "en",
        ),
        (
            "Apoyo a profesionales venezolanos",
            "La oficina agiliza el reconocimiento de títulos de los migrantes.",
            "es",
        ),
        (
            "Appui aux professionnels haïtiens",
            "Le bureau accélère la reconnaissance des diplômes des migrants.",
            "fr",
        ),
        (
            "Apoio a profissionais venezuelanos",
            "O escritório agiliza a revalidação de diplomas dos migrantes.",
            "pt",
        ),
    ],
)
def test_recognised_qualifications_are_labour_market_inclusion_not_a_course(
    title: str, body: str, language: str
) -> None:
    # Given a lead about recognising migrants' degrees, in one of the four languages
    # When its topics are found
    topics = enrich(title, body, language).topics
    # Then it is about integration (labour-market inclusion), and its "diplomas" are no training course
    assert "integration" in topics
    assert "capacity-building" not in topics
