"""`python -m devstack.load [options]` (`make load LOAD_ARGS='...'`): see devstack.load."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

from devstack.load.config import FREQUENCIES, LoadConfig
from devstack.load.report import LoadReport
from devstack.load.run import run_load

ROOT = Path(__file__).resolve().parents[2]


def _shares(text: str) -> tuple[tuple[str, float], ...]:
    """`immediate=0.5,daily=0.3,weekly=0.2` -> (("immediate", 0.5), ...)."""
    shares = []
    for part in text.split(","):
        name, _, share = part.partition("=")
        if name.strip() not in FREQUENCIES:
            raise argparse.ArgumentTypeError(f"{name.strip()!r} is not one of {', '.join(FREQUENCIES)}")
        try:
            shares.append((name.strip(), float(share)))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{part!r}: the share must be a number, as in daily=0.3"
            ) from None
    if sum(share for _, share in shares) <= 0:
        raise argparse.ArgumentTypeError("at least one share must be above 0")
    return tuple(shares)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    defaults = LoadConfig()
    parser = argparse.ArgumentParser(
        prog="python -m devstack.load",
        description="Drive the local stack with concurrent clients and check the invariants "
        "(exit code 1 if one fails).",
    )
    parser.add_argument("--offices", type=int, default=defaults.offices, help="default %(default)s")
    parser.add_argument(
        "--bulletins",
        type=int,
        default=defaults.bulletins,
        help="in total (not per office), spread round-robin over the offices (default %(default)s)",
    )
    parser.add_argument("--subscribers", type=int, default=defaults.subscribers, help="default %(default)s")
    parser.add_argument(
        "--clients",
        type=int,
        default=defaults.clients,
        help="concurrent office clients (default %(default)s)",
    )
    parser.add_argument(
        "--setup-clients",
        type=int,
        default=defaults.setup_clients,
        help="concurrent clients subscribing and confirming (default %(default)s)",
    )
    parser.add_argument(
        "--frequencies",
        type=_shares,
        default=defaults.frequencies,
        help="subscribers' frequencies and their shares (default "
        + ",".join(f"{name}={share:g}" for name, share in defaults.frequencies)
        + "): fewer immediate subscribers ask for fewer emails",
    )
    parser.add_argument(
        "--own-language-share",
        type=float,
        default=defaults.own_language_share,
        help="share of subscribers who want bulletins in their own language only, the rest every "
        "language (default %(default)s; 0 gives everyone every language, for comparisons)",
    )
    parser.add_argument(
        "--rate", type=float, default=defaults.rate, help="bulletins/s to submit at (0: as fast as possible)"
    )
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--timeout",
        type=float,
        default=defaults.timeout,
        help="seconds to wait for delivery after submitting (default %(default)s)",
    )
    parser.add_argument("--port", type=int, default=0, help="the stack's HTTP port (0: a free one)")
    parser.add_argument(
        "--ses-rate",
        type=float,
        default=None,
        help="SES MaxSendRate the local account reports (LOCAL_SES_MAX_SEND_RATE; the stack's default 50)",
    )
    parser.add_argument(
        "--enforce-goals", action="store_true", help="exit 1 also when one of issue #11's goals is missed"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (outbox, function logs)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    config = LoadConfig(
        offices=args.offices,
        bulletins=args.bulletins,
        subscribers=args.subscribers,
        clients=args.clients,
        setup_clients=args.setup_clients,
        frequencies=args.frequencies,
        own_language_share=args.own_language_share,
        rate=args.rate,
        seed=args.seed,
        timeout=args.timeout,
    )
    warnings.filterwarnings("ignore", "No application metrics to publish")
    if args.ses_rate is not None:
        os.environ["LOCAL_SES_MAX_SEND_RATE"] = f"{args.ses_rate:g}"
    work = Path(tempfile.mkdtemp(prefix="boletin-load-"))
    report: LoadReport | None = None
    out = sys.stdout
    log = (work / "functions.log").open("w", encoding="utf-8")
    logging.basicConfig(
        stream=log, level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        from devstack import DevStack

        stack = DevStack(
            ROOT,
            port=args.port,
            outbox_dir=work / "outbox",
            state_dir=work / "state",
            create_demo_office=False,
            # Every simulated subscriber comes from this machine's one IP, and 2,000 subscribe within
            # minutes: lift the per-IP and the stack-wide hourly limits (past 500 an hour, a subscriber
            # gets the same 202 and no confirmation email, and setup waited for them in vain).
            parameter_overrides={"SubscribeLimitPerSourceIp": 0, "SubscribeLimitPerHour": 0},
        )
        # What the functions print (Powertools' JSON logs) goes to the work folder, not the report.
        with stack, contextlib.redirect_stdout(log):
            report = run_load(stack, config)
    except KeyboardInterrupt:
        print("\nload run interrupted", file=sys.stderr)
    finally:
        log.close()
        keep = args.keep or report is None or not report.passed
        if report is not None:
            print(report.render(), file=out, flush=True)
        if keep:
            print(f"\nwork folder kept: {work} (outbox/, state/, functions.log)", file=out)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if report is None or not report.passed:
        return 1
    return 0 if report.goals_met or not args.enforce_goals else 1


if __name__ == "__main__":
    sys.exit(main())
