"""What enrichment would make of a submission, and why: the evidence `POST /bulletins/preview` shows."""

from __future__ import annotations

from boletin.models.enrichment import (
    CountryEvidence,
    Enrichment,
    EnrichmentPreview,
    PhraseVote,
    PreviewEvidence,
    TopicEvidence,
)
from boletin.models.submissions import BulletinSubmission
from boletin.services.enrich import enrich_text


def preview_enrichment(submission: BulletinSubmission) -> EnrichmentPreview:
    """What enrichment will make of a submission, storing nothing, and the evidence for it."""
    enrichment = enrich_text(
        submission.title, submission.body, submission.language, submission.countries, submission.topics
    )
    evidence = enrichment_evidence(submission, enrichment)
    return EnrichmentPreview(**enrichment.model_dump(), evidence=evidence)


def enrichment_evidence(submission: BulletinSubmission, enrichment: Enrichment) -> PreviewEvidence:
    """Per topic and country: the phrases that voted, their points and the threshold."""
    from boletin.enrichment.countries import country_mentions
    from boletin.enrichment.text import plain_text
    from boletin.enrichment.topics import topic_evidence

    text = plain_text(enrichment.body_html)
    stated_topics = set(submission.topics or ())
    stated_countries = set(submission.countries or ())
    topics = [
        TopicEvidence(
            topic=e.topic,
            score=e.score,
            threshold=e.threshold,
            detected=e.assigned,
            assigned=e.topic in enrichment.topics,
            given_by_office=e.topic in stated_topics,
            votes=[PhraseVote(phrase=v.phrase, part=v.part, points=v.points) for v in e.votes],
        )
        for e in topic_evidence(submission.title, text, enrichment.language)
    ]
    voted = {t.topic for t in topics}
    topics += [
        TopicEvidence(
            topic=t,
            score=0,
            threshold=topics[0].threshold if topics else 0,
            detected=False,
            assigned=True,
            given_by_office=True,
        )
        for t in sorted(stated_topics - voted)
    ]
    mentions: dict[str, list[str]] = {}
    for part in (submission.title, text):
        for code, phrases in country_mentions(part).items():
            mentions.setdefault(code, []).extend(phrases)
    countries = [
        CountryEvidence(
            country=code,
            score=len(phrases),
            detected=True,
            assigned=code in enrichment.countries,
            given_by_office=code in stated_countries,
            phrases=phrases,
        )
        for code, phrases in mentions.items()
    ]
    countries += [
        CountryEvidence(country=code, score=0, detected=False, assigned=True, given_by_office=True)
        for code in sorted(stated_countries - set(mentions))
    ]
    return PreviewEvidence(topics=topics, countries=countries)
