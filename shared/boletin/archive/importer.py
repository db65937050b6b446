"""One import run: every item of an archive submitted (or previewed) in date order, once."""

from __future__ import annotations

from dataclasses import dataclass

from boletin.archive.client import ApiClient, ApiUnavailableError, KeyRefusedError
from boletin.archive.items import Archive, ArchiveItem
from boletin.archive.progress import Progress
from boletin.archive.report import (
    ImportReport,
    ItemResult,
    Outcome,
    item_result,
    problems_from,
    unreadable_result,
)

RESUME_HINT = "run the same command again to finish: what is already in is not sent twice"


@dataclass
class Importer:
    client: ApiClient
    progress: Progress
    source_id: str

    def run(self, archive: Archive, *, source: str, dry_run: bool = False) -> ImportReport:
        report = ImportReport(source=source, format=archive.format, dry_run=dry_run)
        report.results.extend(unreadable_result(u) for u in archive.unreadable)
        items = in_date_order(archive.items)
        self.progress.start(len(items), "previewing" if dry_run else "importing")
        try:
            for item in items:
                report.results.append(self._preview(item) if dry_run else self._submit(item))
                self.progress.advance()
        except KeyRefusedError as error:
            report.stopped = f"stopped: the API refused the key ({error})"
        except ApiUnavailableError as error:
            report.stopped = f"stopped: {error}" + ("" if dry_run else f"; {RESUME_HINT}")
        except KeyboardInterrupt:
            report.stopped = "interrupted" + ("" if dry_run else f"; {RESUME_HINT}")
        finally:
            self.progress.close()
            self.client.close()
        return report

    def _submit(self, item: ArchiveItem) -> ItemResult:
        response = self.client.submit(item.submission(), item.idempotency_key(self.source_id))
        bulletin_id = str(response.body.get("id", "")) if isinstance(response.body, dict) else ""
        if response.status in (200, 201):
            outcome: Outcome = "already there" if response.replayed else "imported"
            return item_result(item, outcome, bulletin_id=bulletin_id, status=response.status)
        return item_result(
            item, "rejected", status=response.status, problems=problems_from(response.status, response.body)
        )

    def _preview(self, item: ArchiveItem) -> ItemResult:
        response = self.client.preview(item.submission())
        body = response.body if isinstance(response.body, dict) else {}
        if response.status == 200:
            return item_result(
                item,
                "previewed",
                status=200,
                language=str(body.get("language") or ""),
                countries=tuple(body.get("countries") or ()),
                topics=tuple(body.get("topics") or ()),
            )
        return item_result(
            item, "rejected", status=response.status, problems=problems_from(response.status, response.body)
        )


def in_date_order(items: list[ArchiveItem]) -> list[ArchiveItem]:
    """Oldest first. A news page lists newest first, so it is read bottom-up: two items of one day
    then keep the page's order in every list and feed (the later submitted sorts first)."""
    newest_first = len(items) > 1 and items[0].published_on > items[-1].published_on
    ordered = list(reversed(items)) if newest_first else list(items)
    return sorted(ordered, key=lambda item: item.published_on)
