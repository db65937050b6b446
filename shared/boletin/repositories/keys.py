"""The storage keys of the bulletins and offices tables: the one place that knows their formats.

Bulletins table: pk BULLETIN#<id>, sk CURRENT (the live version) or VERSION#<n, six digits> (the
snapshot a correction replaced); the ByOffice index: office_pk OFFICE#<office>, office_sk the
record's sort key (news date # submission time # id). Offices table: pk OFFICE#<id> (an office)
or KEY#<sha256 of the key> (one of its keys).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# The sort key of every listing (the index's sk, ByOffice's office_sk): news date # submission time #
# bulletin id (BulletinRecord.sort_key), so a date range is a key condition.
_SORT_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}#[^#]+#[0-9a-f-]{36}$")


def is_sort_key(value: str) -> bool:
    """Whether a value (a cursor's, say) has the shape of a listing's sort key."""
    return len(value) <= 200 and _SORT_KEY.match(value) is not None


@dataclass(frozen=True)
class Prefixed:
    """The partition keys `<prefix><id>` of one kind of item."""

    prefix: str

    def pk(self, item_id: str) -> str:
        return f"{self.prefix}{item_id}"

    def key(self, item_id: str) -> dict[str, Any]:
        """The typed key of an item of a table keyed by pk alone."""
        return {"pk": {"S": self.pk(item_id)}}


OFFICE = Prefixed("OFFICE#")
API_KEY = Prefixed("KEY#")  # an office key, by the SHA-256 of the key


class BulletinKeys:
    BULLETIN = Prefixed("BULLETIN#")
    CURRENT = "CURRENT"
    VERSION_PREFIX = "VERSION#"

    @staticmethod
    def pk(bulletin_id: str) -> str:
        return BulletinKeys.BULLETIN.pk(bulletin_id)

    @staticmethod
    def version_sk(version: int) -> str:
        return f"{BulletinKeys.VERSION_PREFIX}{version:06d}"

    @staticmethod
    def current(bulletin_id: str) -> dict[str, Any]:
        """The typed key of a bulletin's live version."""
        return {"pk": {"S": BulletinKeys.pk(bulletin_id)}, "sk": {"S": BulletinKeys.CURRENT}}

    @staticmethod
    def office_pk(office: str) -> str:
        """The ByOffice index partition of an office's bulletins."""
        return OFFICE.pk(office)

    @staticmethod
    def by_office_start(office: str, sort_key: str) -> dict[str, Any]:
        """Where a ByOffice page resumes: the index key and the table key of the last item read (its
        sort key ends with the bulletin id)."""
        return {
            "office_pk": {"S": OFFICE.pk(office)},
            "office_sk": {"S": sort_key},
            **BulletinKeys.current(sort_key.rsplit("#", 1)[-1]),
        }
