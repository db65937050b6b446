"""Listing bulletins: one Query on the index partition of exactly the filters asked for."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from boletin.errors import FieldError, MalformedRequestError
from boletin.models.bulletin_views import BulletinPage, BulletinSummaryView, summary_from_record
from boletin.models.bulletins import BulletinRecord, BulletinStatus
from boletin.models.enrichment import LanguageCode
from boletin.models.offices import Caller
from boletin.repositories.bulletin_index import BulletinIndexRepository
from boletin.repositories.bulletins import BulletinRepository
from boletin.repositories.dynamo import Page
from boletin.repositories.keys import is_sort_key
from boletin.repositories.scopes import scope_key

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class ListQuery(BaseModel):
    """Query parameters of `GET /bulletins`."""

    model_config = ConfigDict(defer_build=True, extra="forbid", populate_by_name=True)

    country: str | None = None
    topic: str | None = None
    language: LanguageCode | None = None
    office: str | None = None
    date_from: date | None = Field(default=None, alias="from")
    date_to: date | None = Field(default=None, alias="to")
    limit: int = Field(default=20, description="1 to 100.")
    cursor: str | None = None
    status: BulletinStatus | None = None

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: object) -> str | None:
        if value is None:
            return None
        from boletin.enrichment.taxonomy import is_country_code

        code = str(value).strip().upper()  # ?country=gt means GT
        if not _COUNTRY.match(code) or not is_country_code(code):
            raise ValueError("must be an ISO 3166-1 alpha-2 country code, e.g. GT")
        return code

    @field_validator("limit", mode="before")
    @classmethod
    def _limit(cls, value: object) -> int:
        try:
            limit = int(str(value).strip())
        except ValueError:
            raise ValueError("must be a whole number from 1 to 100") from None
        if not 1 <= limit <= 100:
            raise ValueError(f"must be a whole number from 1 to 100 (got {limit})")
        return limit

    @field_validator("topic")
    @classmethod
    def _topic(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from boletin.enrichment.taxonomy import list_topics

        slugs = [t.slug for t in list_topics()]
        if value not in slugs:
            raise ValueError("must be a topic slug from GET /topics")
        return value

    @field_validator("office")
    @classmethod
    def _office(cls, value: str | None) -> str | None:
        if value is not None and (len(value) > 60 or not _SLUG.match(value)):
            raise ValueError("must be an office id (lower-case letters, digits and hyphens)")
        return value

    @model_validator(mode="after")
    def _range(self) -> ListQuery:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("'from' must not be after 'to'")
        return self


def _encode_cursor(last_key: str, fingerprint: str) -> str:
    raw = json.dumps({"k": last_key, "q": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, fingerprint: str) -> str:
    error = MalformedRequestError(
        "The cursor is not valid for this query: pass next_cursor back unchanged, with the same filters.",
        errors=[FieldError("cursor", "not a cursor of this query")],
    )
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise error from None
    if not isinstance(data, dict) or data.get("q") != fingerprint or not isinstance(data.get("k"), str):
        raise error
    key: str = data["k"]
    if not is_sort_key(key):
        raise error
    return key


@dataclass(frozen=True)
class BulletinLists:
    bulletins: BulletinRepository
    index: BulletinIndexRepository
    public_base_url: str

    def page(self, query: ListQuery, caller: Caller | None) -> tuple[BulletinPage, int]:
        """One page of bulletins, newest first, and how many items were read to make it.

        The public sees published bulletins through the index (one Query on the partition of exactly
        these filters). An office asking for its own bulletins (`office=<its id>`) sees them at any
        status through the ByOffice index.
        """
        own = caller is not None and query.office == caller.office
        if query.status is not None and not own:
            raise MalformedRequestError(
                "Filtering by status is only for an office listing its own bulletins.",
                errors=[FieldError("status", "needs an office key and office=<your office id>")],
            )
        if own and caller is not None and (query.country or query.topic or query.language or query.status):
            # The office's own view is small; filters other than dates apply after the read.
            return self._own_filtered(query, caller)
        scope = scope_key(
            country=query.country, topic=query.topic, language=query.language, office=query.office
        )
        fingerprint = hashlib.sha256(f"{'own' if own else 'public'}|{scope}".encode()).hexdigest()[:12]
        start_after = _decode_cursor(query.cursor, fingerprint) if query.cursor else None
        items: list[BulletinSummaryView]
        if own and caller is not None:
            page = self._office_page(caller, query, start_after)
            items = [self._summary(i) for i in page.items]
        else:
            page = self.index.query(
                scope,
                date_from=query.date_from,
                date_to=query.date_to,
                limit=query.limit,
                start_after=start_after,
            )
            items = [BulletinSummaryView.model_validate_json(i["view"]) for i in page.items]
        next_cursor = _encode_cursor(page.last_key, fingerprint) if page.last_key else None
        return BulletinPage(items=items, next_cursor=next_cursor), page.items_read

    def _office_page(self, caller: Caller, query: ListQuery, start_after: str | None) -> Page:
        return self.bulletins.list_by_office(
            caller.office,
            date_from=query.date_from,
            date_to=query.date_to,
            limit=query.limit,
            start_after=start_after,
        )

    def _summary(self, item: dict[str, object]) -> BulletinSummaryView:
        return summary_from_record(BulletinRecord.model_validate(item), base_url=self.public_base_url)

    def _own_filtered(self, query: ListQuery, caller: Caller) -> tuple[BulletinPage, int]:
        fingerprint = hashlib.sha256(
            f"own-filtered|{query.country}|{query.topic}|{query.language}|{query.status}".encode()
        ).hexdigest()[:12]
        start_after = _decode_cursor(query.cursor, fingerprint) if query.cursor else None
        matched: list[BulletinSummaryView] = []
        read = 0
        last_key: str | None = None
        while True:
            page = self._office_page(caller, query, start_after)
            read += page.items_read
            for item in page.items:
                record = BulletinRecord.model_validate(item)
                view = summary_from_record(record, base_url=self.public_base_url)
                if _matches(view, query):
                    if len(matched) == query.limit:
                        return BulletinPage(
                            items=matched, next_cursor=_encode_cursor(last_key or "", fingerprint)
                        ), read
                    matched.append(view)
                    last_key = record.sort_key()
            if page.last_key is None:
                return BulletinPage(items=matched, next_cursor=None), read
            start_after = page.last_key


def _matches(view: BulletinSummaryView, query: ListQuery) -> bool:
    return (
        (query.country is None or query.country in view.countries)
        and (query.topic is None or query.topic in view.topics)
        and (query.language is None or query.language == view.language)
        and (query.status is None or query.status == view.status)
    )
