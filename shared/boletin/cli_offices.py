"""`boletin offices ...`: offices and their keys."""

from __future__ import annotations

import argparse
import sys
from typing import Any

HELP = "Offices and their API keys."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    offices = parser.add_subparsers(dest="command", required=True)
    create = offices.add_parser("create", help="Create an office and print its first key (once).")
    create.add_argument("name")
    create.add_argument("--id", dest="office_id", help="Office id (default: from the name).")
    create.add_argument("--countries", default="", help="Comma-separated ISO codes it may publish for.")
    rotate = offices.add_parser("rotate", help="Issue a new key; older keys stop working.")
    rotate.add_argument("office_id")
    rotate.add_argument("--keep-old", action="store_true", help="Keep older keys working too.")
    revoke = offices.add_parser("revoke", help="Revoke every key of an office.")
    revoke.add_argument("office_id")
    revoke_key = offices.add_parser("revoke-key", help="Revoke one key.")
    revoke_key.add_argument("key")
    offices.add_parser("list", help="List offices.")
    disable = offices.add_parser(
        "disable", help="Disable an office: its keys stop working, its bulletins stay."
    )
    disable.add_argument("office_id")
    enable = offices.add_parser("enable", help="Enable a disabled office again.")
    enable.add_argument("office_id")
    scope = offices.add_parser("set-countries", help="The countries an office may publish for ('' for any).")
    scope.add_argument("office_id")
    scope.add_argument("countries")


def run(args: argparse.Namespace, settings: Any) -> int:
    from boletin.models.offices import OfficeStatus
    from boletin.repositories.offices import OfficeRepository
    from boletin.services.offices import OfficeService

    table = args.offices_table or settings("OFFICES_TABLE")
    if not table:
        print("boletin: set OFFICES_TABLE or pass --offices-table (or `make run` here)", file=sys.stderr)
        return 2
    repository = OfficeRepository(table)
    service = OfficeService(repository)
    if args.command == "create":
        countries = [c.strip().upper() for c in args.countries.split(",") if c.strip()]
        office, key = service.create_office(args.name, office_id=args.office_id, countries=countries)
        print(f"office: {office.id}")
        print(f"key: {key}")
        print("Store the key now: it is shown only once.", file=sys.stderr)
    elif args.command == "rotate":
        key = service.rotate_key(args.office_id, revoke_old=not args.keep_old)
        print(f"key: {key}")
    elif args.command == "revoke":
        count = service.revoke_keys(args.office_id)
        print(f"revoked {count} key(s) of {args.office_id}")
    elif args.command == "revoke-key":
        owner = service.revoke_key(args.key)
        print(f"revoked one key of {owner}")
    elif args.command in ("disable", "enable"):
        status = OfficeStatus.DISABLED if args.command == "disable" else OfficeStatus.ACTIVE
        service.set_office_status(args.office_id, status)
        print(f"{args.office_id}: {status}")
    elif args.command == "set-countries":
        countries = [c.strip().upper() for c in args.countries.split(",") if c.strip()]
        service.set_office_countries(args.office_id, countries)
        print(f"{args.office_id}: {', '.join(countries) or 'any country'}")
    elif args.command == "list":
        for office in repository.list_offices():
            print(f"{office.id}\t{office.status}\t{len(office.key_hashes)} key(s)\t{office.name}")
    return 0
