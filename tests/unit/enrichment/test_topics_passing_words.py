"""Topics that a single word mentions in passing are not assigned, and words that only share a stem
with a rule word ("deporte" and "deportación") do not vote at all."""

from __future__ import annotations

import pytest

from boletin.enrichment import enrich
from boletin.enrichment.topics import topic_evidence


def _evidence(title: str, body: str, language: str) -> dict[str, tuple[float, bool]]:
    return {e.topic: (e.score, e.assigned) for e in topic_evidence(title, body, language)}


def test_one_word_once_in_the_lead_reaches_the_threshold_but_assigns_nothing() -> None:
    # Given a health campaign whose lead mentions, once, young people who returned
    title = "Mental health campaign for young migrants launches in El Salvador"
    body = "The campaign reaches young people who returned last year. It offers counselling in schools."
    # When its topics are scored
    evidence = _evidence(title, body, "en")
    # Then "returned" scores up to the threshold yet does not make it a bulletin about return
    score, assigned = evidence["return-reintegration"]
    assert score >= 6
    assert not assigned
    assert "return-reintegration" not in enrich(title, body, "en").topics


@pytest.mark.parametrize(
    ("title", "body", "language", "topic"),
    [
        # a second phrase of the same topic
        (
            "Support for people coming home",
            "Returned migrants received reintegration kits on arrival.",
            "en",
            "return-reintegration",
        ),
        # a phrase of several words
        (
            "Nuevo protocolo en Honduras",
            "El protocolo orienta la atención de las víctimas de trata en los puertos.",
            "es",
            "trafficking-in-persons",
        ),
        # the word in the title, which states the subject
        (
            "Cours pour les agents de santé",
            "Les agents ont suivi trois jours de travail.",
            "fr",
            "capacity-building",
        ),
        # a decisive word
        (
            "Nova política no Brasil",
            "O governo anunciou a regularização de 40 mil migrantes venezuelanos.",
            "pt",
            "governance",
        ),
    ],
)
def test_a_word_with_support_a_phrase_a_title_word_or_a_decisive_word_assigns_its_topic(
    title: str, body: str, language: str, topic: str
) -> None:
    # Given a topic stated with more than one passing word; When the bulletin is enriched
    # Then the topic is assigned
    assert topic in enrich(title, body, language).topics


@pytest.mark.parametrize(
    ("language", "title", "body", "topic"),
    [
        (
            "es",
            "Jornada en Santo Domingo",
            "El deporte reúne a jóvenes de la comunidad. Hubo deporte todo el día.",
            "return-reintegration",
        ),
        (
            "es",
            "Consulados orientan a trabajadores",
            "Los consulados van a informar a los trabajadores agrícolas.",
            "data-research",
        ),
        (
            "pt",
            "Perfil dos migrantes em Santa Catarina",
            "Migrantes haitianos vivem em Santa Catarina.",
            "health",
        ),
        (
            "en",
            "Survey of migrants in Trinidad",
            "Regular flights connect the islands with regular schedules.",
            "governance",
        ),
        (
            "en",
            "IOM opens an office in Georgetown",
            "The diplomatic community attended the opening.",
            "capacity-building",
        ),
        (
            "fr",
            "Réunion à Port-au-Prince",
            "Au cours de la réunion, les autorités ont présenté le plan. Au cours des mois suivants.",
            "capacity-building",
        ),
    ],
)
def test_a_word_that_only_shares_a_stem_with_a_rule_word_does_not_vote(
    language: str, title: str, body: str, topic: str
) -> None:
    # Given text with sport, to inform, a saint's name, "regular", "diplomatic" or "au cours de"
    # When its topics are scored
    # Then the topic whose rule word shares that stem gets no vote at all
    assert topic not in _evidence(title, body, language)


def test_a_portuguese_noun_in_cao_meets_its_verb() -> None:
    # Given "interiorização" (the rule word) and "interioriza" (the verb of a title)
    title = "Brasil interioriza venezuelanos com vagas de emprego garantidas"
    body = "A estratégia de interiorização leva famílias a outras cidades."
    # When the bulletin is scored, Then both vote for integration
    votes = {v.phrase for e in topic_evidence(title, body, "pt") if e.topic == "integration" for v in e.votes}
    assert {"interioriza", "interiorização"} <= votes
