"""Topics on real-style text: inflected forms, one concept one topic in every language, passing
mentions discounted, and the evidence an office sees in a preview."""

from __future__ import annotations

import json

import pytest

from boletin.enrichment import enrich
from boletin.enrichment.topics import topic_evidence
from boletin.models.submissions import BulletinSubmission
from boletin.services.preview import preview_enrichment


@pytest.mark.parametrize(
    ("language", "title", "body"),
    [
        (
            "fr",
            "Plus de 900 migrants retournés en octobre",
            "Les personnes renvoyées et expulsées ont été accueillies au port.",
        ),
        (
            "pt",
            "Migrantes deportados chegam a Porto Príncipe",
            "As pessoas deportadas e retornadas receberam apoio ao chegar.",
        ),
        (
            "es",
            "Llegan 300 personas deportadas a San Pedro Sula",
            "Las personas retornadas recibieron apoyo a su llegada.",
        ),
        ("en", "Deportees arrive in San Pedro Sula", "Returned migrants received support on arrival."),
    ],
)
def test_inflected_forms_of_return_vote_for_return_in_every_language(
    language: str, title: str, body: str
) -> None:
    # Given a bulletin about returned migrants, in inflected forms no rule lists verbatim
    # When it is enriched
    result = enrich(title, body)
    # Then it is about return and reintegration, in its language
    assert result.language == language
    assert "return-reintegration" in result.topics


@pytest.mark.parametrize(
    "words",
    [
        ("study", "estudio", "étude", "estudo"),
        ("forced labour", "trabajo forzoso", "travail forcé", "trabalho forçado"),
        ("discrimination", "discriminación", "discrimination", "discriminação"),
        ("non-food items", "artículos no alimentarios", "articles non alimentaires", "itens não alimentares"),
    ],
)
def test_one_concept_votes_for_the_same_topic_with_the_same_points_in_every_language(
    words: tuple[str, str, str, str],
) -> None:
    # Given the same concept in en, es, fr and pt, alone in a title
    votes = []
    for language, word in zip(("en", "es", "fr", "pt"), words, strict=True):
        # When it is scored in its language
        evidence = topic_evidence(f"{word} {word}", "", language)
        votes.append({e.topic: e.score for e in evidence})
    # Then every language gives the same topics the same score
    assert votes[0]
    assert all(v == votes[0] for v in votes), votes


def test_study_and_students_do_not_collide_after_stemming() -> None:
    # Given Spanish "estudiantes" (education) and "estudio" (data) share the stem "estudi"
    # When a bulletin only speaks of students
    evidence = {e.topic: e for e in topic_evidence("Estudiantes migrantes vuelven a clases", "", "es")}
    # Then no vote goes to data and research
    assert "data-research" not in evidence


def test_a_working_group_name_counts_less_than_the_same_words_as_subject() -> None:
    # Given "health" inside a working group's name, and the same words as the subject
    name = topic_evidence(
        "Meeting in Belize", "The Working Group on Migration and Health met on Monday.", "en"
    )
    subject = topic_evidence(
        "Meeting in Belize", "Officials met on Monday to discuss migration and health.", "en"
    )
    # Then the name's mention scores less and does not make a topic
    score = {e.topic: e.score for e in name}.get("health", 0.0)
    assert score < {e.topic: e.score for e in subject}.get("health", 0.0)
    assert not any(e.assigned and e.topic == "health" for e in name)


def test_a_covid_restriction_in_passing_does_not_make_the_bulletin_about_health() -> None:
    body = (
        "UNHCR warned that forced displacement in Central America is growing. "
        "Chronic violence, coupled with COVID-19 restrictions, is exacerbating hardship for refugees."
    )
    assert "health" not in enrich("Forced displacement grows in Central America", body).topics


def _submission(**extra: object) -> BulletinSubmission:
    body = {
        "title": "IOM study analyzes Nicaraguan migration flows in Costa Rica",
        "body": "A study conducted by IOM assessed the living conditions of Nicaraguan migrants in Costa Rica.",
        "published_on": "2021-01-05",
        **extra,
    }
    return BulletinSubmission.model_validate_json(json.dumps(body))


def test_a_preview_shows_the_phrases_that_voted_their_points_and_the_threshold() -> None:
    # When an office previews a submission
    preview = preview_enrichment(_submission())
    # Then each topic shows what voted and the threshold, and each country the phrases naming it
    data = {t.topic: t for t in preview.evidence.topics}["data-research"]
    assert data.assigned
    assert data.detected
    assert data.score >= data.threshold
    assert {"study", "title"} <= {v.phrase.lower() for v in data.votes} | {v.part for v in data.votes}
    assert sum(v.points for v in data.votes) == pytest.approx(data.score)
    countries = {c.country: c for c in preview.evidence.countries}
    assert countries["CR"].phrases == ["Costa Rica", "Costa Rica"]
    assert "Nicaraguan" in countries["NI"].phrases


def test_topics_and_countries_an_office_states_win_and_show_as_given() -> None:
    # When the office states topics and countries
    preview = preview_enrichment(_submission(topics=["health"], countries=["PA"]))
    # Then they replace what enrichment found, and the evidence says which were given
    assert preview.topics == ["health"]
    assert preview.countries == ["PA"]
    evidence = {t.topic: t for t in preview.evidence.topics}
    assert evidence["health"].given_by_office
    assert evidence["health"].assigned
    assert evidence["data-research"].detected
    assert not evidence["data-research"].assigned
    assert {c.country: c.assigned for c in preview.evidence.countries} == {
        "CR": False,
        "NI": False,
        "PA": True,
    }


def test_an_unknown_topic_is_refused_naming_the_value() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as error:
        _submission(topics=["health", "weather"])
    assert error.value.errors()[0]["loc"] == ("topics",)
    assert "'weather'" in str(error.value)


def test_a_submission_without_topics_hashes_as_before_topics_existed() -> None:
    # Given a submission stored before `topics`, `notify`, `link` were fields (hashes made without)
    from boletin.models.submissions import content_hash

    plain = _submission()
    canonical = json.dumps(
        plain.model_dump(mode="json", exclude={"topics", "notify", "link"}),
        sort_keys=True,
        separators=(",", ":"),
    )
    import hashlib

    before = hashlib.sha256(canonical.encode()).hexdigest()
    # Then its hashes are unchanged (a retried POST replays, a same-body PUT is a no-op)
    assert plain.request_hash() == before
    assert content_hash(plain) == before
    # and stating topics changes them
    assert content_hash(_submission(topics=["health"])) != before
