"""`boletin`: the ops command line. It talks to whatever endpoint boto3 is configured for: real AWS,
or the local stack through AWS_ENDPOINT_URL. Table names come from the same settings as the functions
(OFFICES_TABLE...), or from the stack's outputs.

    boletin offices create "IOM Costa Rica" [--id iom-cr] [--countries CR,NI]
    boletin offices rotate iom-costa-rica [--keep-old]
    boletin offices revoke iom-costa-rica        (every key of the office)
    boletin offices revoke-key <key>             (one key)
    boletin offices list
    boletin offices disable|enable iom-costa-rica
    boletin offices set-countries iom-costa-rica CR,NI
    boletin import SOURCE --api URL --key KEY    (an archive, through the API: boletin/archive/cli.py)
"""

from __future__ import annotations

import argparse
import os
import sys

from boletin.errors import BoletinError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="boletin", description="Boletín operations.")
    parser.add_argument("--offices-table", help="Offices table name (default: $OFFICES_TABLE).")
    groups = parser.add_subparsers(dest="group", required=True)
    groups.add_parser("import", help="Import an office's archive through the API (never emailed).")
    offices = groups.add_parser("offices", help="Offices and their API keys.").add_subparsers(
        dest="command", required=True
    )
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
    return parser


def main(argv: list[str] | None = None) -> int:
    if (sys.argv[1:] if argv is None else argv)[:1] == ["import"]:
        from boletin.archive.cli import main as import_main

        return import_main((sys.argv[1:] if argv is None else argv)[1:])
    args = _parser().parse_args(argv)
    from boletin.repositories.offices import OfficeRepository
    from boletin.services import offices as service

    table = args.offices_table or os.environ.get("OFFICES_TABLE")
    if not table:
        print("boletin: set OFFICES_TABLE or pass --offices-table", file=sys.stderr)
        return 2
    repository = OfficeRepository(table)
    try:
        if args.command == "create":
            countries = [c.strip().upper() for c in args.countries.split(",") if c.strip()]
            office, key = service.create_office(
                args.name, office_id=args.office_id, countries=countries, repository=repository
            )
            print(f"office: {office.id}")
            print(f"key: {key}")
            print("Store the key now: it is shown only once.", file=sys.stderr)
        elif args.command == "rotate":
            key = service.rotate_key(args.office_id, revoke_old=not args.keep_old, repository=repository)
            print(f"key: {key}")
        elif args.command == "revoke":
            count = service.revoke_keys(args.office_id, repository=repository)
            print(f"revoked {count} key(s) of {args.office_id}")
        elif args.command == "revoke-key":
            owner = service.revoke_key(args.key, repository=repository)
            print(f"revoked one key of {owner}")
        elif args.command in ("disable", "enable"):
            status = "disabled" if args.command == "disable" else "active"
            service.set_office_status(args.office_id, status, repository=repository)
            print(f"{args.office_id}: {status}")
        elif args.command == "set-countries":
            countries = [c.strip().upper() for c in args.countries.split(",") if c.strip()]
            service.set_office_countries(args.office_id, countries, repository=repository)
            print(f"{args.office_id}: {', '.join(countries) or 'any country'}")
        elif args.command == "list":
            for office in repository.list_offices():
                print(f"{office.id}\t{office.status}\t{len(office.key_hashes)} key(s)\t{office.name}")
    except (BoletinError, ValueError) as error:
        print(f"boletin: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
