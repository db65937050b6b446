"""`boletin`: the ops command line. It talks to whatever endpoint boto3 is configured for: real AWS,
or the local stack. Run in a checkout while `make run` is up, with no AWS environment set, it finds
the local stack in `.local/stack.json`. Resource names come from the same settings as the functions
(OFFICES_TABLE...), or that file.

    boletin offices create "IOM Costa Rica" [--id iom-cr] [--countries CR,NI]
    boletin offices rotate iom-costa-rica [--keep-old]
    boletin offices revoke iom-costa-rica        (every key of the office)
    boletin offices revoke-key <key>             (one key)
    boletin offices list
    boletin offices disable|enable iom-costa-rica
    boletin offices set-countries iom-costa-rica CR,NI
    boletin import SOURCE --api URL --key KEY    (an archive, through the API: boletin/archive/cli.py)

Every failure is one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from boletin.errors import BoletinError

# One line per command group: the module has HELP, add_arguments(parser) and run(args, settings).
COMMANDS: dict[str, str] = {
    "offices": "boletin.cli_offices",
}

STACK_FILE = Path(".local") / "stack.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="boletin", description="Boletín operations.")
    parser.add_argument("--offices-table", help="Offices table name (default: $OFFICES_TABLE).")
    groups = parser.add_subparsers(dest="group", required=True)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        module.add_arguments(groups.add_parser(name, help=module.HELP))
    # `boletin import` has its own parser (boletin.archive.cli): listed here for --help.
    groups.add_parser("import", help="Import an office's archive through the API (never emailed).")
    return parser


def local_stack(start: Path | None = None) -> dict[str, Any] | None:
    """What `make run` wrote in this checkout (or a parent folder), if anything."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        path = folder / STACK_FILE
        if path.is_file():
            try:
                found = json.loads(path.read_text())
            except (OSError, ValueError):
                return None
            return found if isinstance(found, dict) else None
    return None


def _use_local_stack() -> str | None:
    """Point boto3 and the settings at the local stack when no AWS endpoint or table is set."""
    if os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("OFFICES_TABLE"):
        return None
    stack = local_stack()
    if not stack or not stack.get("aws_endpoint_url"):
        return None
    for name, value in (stack.get("settings") or {}).items():
        os.environ.setdefault(str(name), str(value))
    os.environ["AWS_ENDPOINT_URL"] = str(stack["aws_endpoint_url"])
    os.environ.setdefault("AWS_DEFAULT_REGION", str(stack.get("region") or "us-east-1"))
    # moto takes any credentials; a developer's real ones must never be sent to it
    os.environ["AWS_ACCESS_KEY_ID"] = "testing"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"  # noqa: S105 - the local emulator's
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    return str(stack["aws_endpoint_url"])


def _one_line(error: Exception, local: str | None) -> str:
    """What went wrong, in one sentence a user can act on."""
    from botocore import exceptions as boto

    if isinstance(error, BoletinError | ValueError):
        return str(error)
    if isinstance(error, boto.NoRegionError):
        return (
            "no AWS region: set AWS_DEFAULT_REGION (or run `make run` in this checkout for the local stack)"
        )
    if isinstance(error, boto.NoCredentialsError | boto.PartialCredentialsError):
        return "no AWS credentials found: configure them (aws configure) or run `make run` in this checkout"
    if isinstance(error, boto.EndpointConnectionError):
        hint = " (is `make run` still running?)" if local else ""
        return f"cannot reach {getattr(error, 'kwargs', {}).get('endpoint_url', 'AWS')}{hint}"
    if isinstance(error, boto.ClientError):
        details = error.response.get("Error", {})
        return f"AWS refused: {details.get('Code', 'error')}: {details.get('Message', '')}".rstrip(": ")
    if isinstance(error, boto.BotoCoreError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["import"]:
        from boletin.archive.cli import main as import_main

        return import_main(arguments[1:])
    args = _parser().parse_args(arguments)
    local = _use_local_stack()
    module = importlib.import_module(COMMANDS[args.group])
    try:
        return int(module.run(args, os.environ.get))
    except Exception as error:  # a CLI: every failure is one clear line, never a traceback
        print(f"boletin: {_one_line(error, local)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
