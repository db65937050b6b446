"""`boletin import SOURCE --api URL --key KEY`: an office's archive in, through the public API.

    boletin import news.txt --api https://api.example.org --key bol_...   (or $BOLETIN_OFFICE_KEY)
    boletin import https://old.example.org/feed.xml --format rss --dry-run
    boletin import archive.csv --report rejected.csv --rate 5

Imported bulletins are archived ("notify": false): in lists and feeds, never emailed. Exit status:
0 every item is in, 1 some were rejected or unreadable, 2 nothing was sent (bad arguments, not an
archive, key refused), 3 the import stopped partway (run it again to finish it).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import TextIO

from boletin.archive.client import DEFAULT_RATE

EXIT_OK, EXIT_REJECTED, EXIT_NOTHING_SENT, EXIT_STOPPED = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_NOTHING_SENT, f"boletin import: {message} (see boletin import --help)\n")


def parser() -> argparse.ArgumentParser:
    from boletin.archive.formats import FORMATS

    p = _Parser(
        prog="boletin import",
        description="Import an office's archive through the public API: feeds and lists, never email.",
    )
    p.add_argument("source", help="A file or an http(s) URL.")
    p.add_argument(
        "--api", default=os.environ.get("BOLETIN_API_URL"), help="API base URL ($BOLETIN_API_URL)."
    )
    p.add_argument("--key", help="The office's API key (default: $BOLETIN_OFFICE_KEY).")
    p.add_argument("--format", choices=FORMATS, help="The source's format (default: detected).")
    p.add_argument(
        "--rate", type=float, default=DEFAULT_RATE, help=f"Requests per second (default {DEFAULT_RATE:g})."
    )
    p.add_argument("--report", help="Write every item's outcome to this .csv or .json file.")
    p.add_argument("--dry-run", action="store_true", help="Preview each item's tags; store nothing.")
    return p


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # `kill` stops like Ctrl-C: the summary of what went in, then exit 3


def main(argv: list[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    args = parser().parse_args(argv)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm) if in_main_thread else None
    try:
        return _run(args, out, err)
    except KeyboardInterrupt:
        print("boletin import: interrupted before anything was sent", file=err)
        return EXIT_NOTHING_SENT
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    def fail(message: str) -> int:
        print(f"boletin import: {message}", file=err)
        return EXIT_NOTHING_SENT

    key = args.key or os.environ.get("BOLETIN_OFFICE_KEY")
    if not key:
        return fail("give the office's key with --key or BOLETIN_OFFICE_KEY")
    if not args.api:
        return fail("give the API's base URL with --api (or BOLETIN_API_URL)")
    if args.rate < 0:
        return fail("--rate must be 0 (unpaced) or more requests per second")
    try:
        from boletin.archive.client import ApiClient
        from boletin.archive.formats import parse_source, read_source
        from boletin.archive.importer import Importer
        from boletin.archive.items import ArchiveError
        from boletin.archive.progress import progress_for
        from boletin.archive.report import check_report_path, preview_table, write_report
    except ImportError as error:  # an install without the extra
        return fail(f"{error.name} is missing: pip install 'boletin[import]'")
    try:
        if args.report:
            check_report_path(args.report)
        client = ApiClient(args.api, key, rate=args.rate)
        source = read_source(args.source)
        archive = parse_source(source, args.format)
    except (ArchiveError, ValueError) as error:
        return fail(str(error))
    except ImportError as error:
        return fail(f"{error.name} is missing: pip install 'boletin[import]'")
    progress = progress_for(err)
    client.on_retry = lambda status, delay: progress.note(
        f"  {'API ' + str(status) if status else 'no answer'}: retrying in {delay:.1f}s"
    )
    importer = Importer(client, progress, source.source_id)
    report = importer.run(archive, source=source.name, dry_run=args.dry_run)
    if args.dry_run:
        for line in preview_table(report):
            print(line, file=out)
    for line in report.summary_lines():
        print(line, file=out)
    if args.report:
        try:
            write_report(report, args.report)
        except OSError as error:
            print(f"boletin import: could not write {args.report}: {error.strerror or error}", file=err)
    if report.stopped:
        sent = any(r.status for r in report.results)
        return EXIT_STOPPED if sent or "interrupted" in report.stopped else EXIT_NOTHING_SENT
    return EXIT_REJECTED if report.failures else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
