"""Request parsing: every bad body gets a clear RFC 9457 problem naming the field and the reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from boletin.errors import (
    BoletinError,
    MalformedRequestError,
    PayloadTooLargeError,
    RequestValidationError,
    UnsupportedMediaTypeError,
    problem_from_error,
)
from boletin.http import MAX_BODY_BYTES, parse_json_body
from boletin.models.submissions import BulletinSubmission

GOOD = {
    "title": "Regional exchange on labour migration",
    "body": "Officials from Costa Rica met in San José.",
    "published_on": "2021-11-30",
}


def parse(body: object, content_type: str = "application/json") -> BulletinSubmission:
    text = body if isinstance(body, str) else json.dumps(body)
    return parse_json_body(BulletinSubmission, text, is_base64=False, content_type=content_type)


def errors_of(body: object) -> dict[str, str]:
    with pytest.raises(BoletinError) as caught:
        parse(body)
    problem = problem_from_error(caught.value).to_dict()
    assert problem["status"] == caught.value.status
    return {e["field"]: e["detail"] for e in problem.get("errors", [])}


def test_a_good_submission_parses_and_is_normalised() -> None:
    submission = parse(
        {**GOOD, "title": "  Regional exchange on labour migration  ", "countries": ["GT", "CR", "GT"]}
    )
    assert submission.title == "Regional exchange on labour migration"
    assert submission.countries == ["CR", "GT"]


@pytest.mark.parametrize(
    ("change", "field", "reason_part"),
    [
        ({"title": "Too short"}, "title", "10 to 255"),
        ({"title": "x" * 256}, "title", "10 to 255"),
        ({"title": "Line one\nline two here"}, "title", "single line"),
        ({"body": ""}, "body", "empty"),
        ({"body": "   "}, "body", "empty"),
        ({"body": "x" * 100_001}, "body", "100,000"),
        ({"body": "nul \x00 byte"}, "body", "control"),
        ({"published_on": "2021-13-01"}, "published_on", "YYYY-MM-DD"),
        ({"published_on": 20211130}, "published_on", ""),
        ({"source_url": "http://example.org/news"}, "source_url", "https"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "https"),
        ({"language": "de"}, "language", ""),
        ({"countries": ["XX"]}, "countries", "ISO 3166-1"),
        ({"countries": ["cr"]}, "countries", "ISO 3166-1"),
        ({"countries": "CR"}, "countries", ""),
        ({"colour": "blue"}, "colour", "not a known field"),
        ({"title": 12345678901}, "title", ""),
    ],
)
def test_each_rule_names_the_field_and_why(change: dict[str, object], field: str, reason_part: str) -> None:
    errors = errors_of({**GOOD, **change})
    assert field in errors
    assert reason_part in errors[field]


def test_missing_fields_are_each_reported() -> None:
    errors = errors_of({})
    assert errors == {"title": "is required", "body": "is required", "published_on": "is required"}


def test_published_on_may_be_tomorrow_but_not_later() -> None:
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    later = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    assert parse({**GOOD, "published_on": tomorrow}).published_on.isoformat() == tomorrow
    assert "tomorrow" in errors_of({**GOOD, "published_on": later})["published_on"]


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("{not json", MalformedRequestError),
        ("", MalformedRequestError),
        ("[1, 2]", RequestValidationError),
        ('"a string"', RequestValidationError),
        ("[" * 100_000, MalformedRequestError),
    ],
)
def test_bodies_that_are_not_a_json_object_get_a_problem(raw: str, error: type[BoletinError]) -> None:
    with pytest.raises(error):
        parse(raw)


def test_wrong_media_type_is_415_and_oversized_is_413() -> None:
    with pytest.raises(UnsupportedMediaTypeError) as caught:
        parse(GOOD, content_type="text/plain")
    assert caught.value.status == 415
    with pytest.raises(PayloadTooLargeError) as too_large:
        parse({**GOOD, "body": "x" * (MAX_BODY_BYTES + 1)})
    assert too_large.value.status == 413


def test_problem_documents_follow_rfc_9457() -> None:
    with pytest.raises(BoletinError) as caught:
        parse({**GOOD, "title": "short"})
    problem = problem_from_error(caught.value, instance="/bulletins").to_dict()
    assert problem["type"].startswith("urn:boletin:problem:")
    assert problem["status"] == 422
    assert problem["instance"] == "/bulletins"
    assert problem["errors"] == [
        {"field": "title", "pointer": "#/title", "detail": "must be 10 to 255 characters long (got 5)"}
    ]
