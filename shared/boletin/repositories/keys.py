"""The storage keys of the bulletins and offices tables: the one place that knows their formats.

Bulletins table: pk BULLETIN#<id>, sk CURRENT (the live version) or VERSION#<n, six digits> (the
snapshot a correction replaced); the ByOffice index: office_pk OFFICE#<office>, office_sk the
record's sort key (news date # submission time # id). Offices table: pk OFFICE#<id> (an office)
or KEY#<sha256 of the key> (one of its keys).
"""

from __future__ import annotations

from typing import Any


class BulletinKeys:
    PREFIX = "BULLETIN#"
    CURRENT = "CURRENT"
    VERSION_PREFIX = "VERSION#"

    @staticmethod
    def pk(bulletin_id: str) -> str:
        return f"{BulletinKeys.PREFIX}{bulletin_id}"

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
        return OfficeKeys.pk(office)

    @staticmethod
    def by_office_start(office: str, sort_key: str) -> dict[str, Any]:
        """Where a ByOffice page resumes: the index key and the table key of the last item read (its
        sort key ends with the bulletin id)."""
        return {
            "office_pk": {"S": BulletinKeys.office_pk(office)},
            "office_sk": {"S": sort_key},
            "pk": {"S": BulletinKeys.pk(sort_key.rsplit("#", 1)[-1])},
            "sk": {"S": BulletinKeys.CURRENT},
        }


class OfficeKeys:
    PREFIX = "OFFICE#"
    KEY_PREFIX = "KEY#"

    @staticmethod
    def pk(office_id: str) -> str:
        return f"{OfficeKeys.PREFIX}{office_id}"

    @staticmethod
    def key_pk(key_hash: str) -> str:
        return f"{OfficeKeys.KEY_PREFIX}{key_hash}"

    @staticmethod
    def office(office_id: str) -> dict[str, Any]:
        """The typed key of an office's record."""
        return {"pk": {"S": OfficeKeys.pk(office_id)}}

    @staticmethod
    def key(key_hash: str) -> dict[str, Any]:
        """The typed key of an office key's record."""
        return {"pk": {"S": OfficeKeys.key_pk(key_hash)}}
