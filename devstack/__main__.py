"""`python -m devstack`: start the local stack and serve until Ctrl-C.

Prints, before it serves, `office key: <key>`, `outbox: <dir>` and `serving on <url>` on stdout; logs
(the stack's and the functions') go to stderr. Environment: PORT (3000), OUTBOX_DIR
(<repo>/.local/outbox), LOCAL_SCHEDULE_SECONDS (run the template's schedules every N seconds),
LOCAL_LOG_LEVEL (INFO), LOCAL_REPO_ROOT (where template.yaml is; default: the current directory if it
has one, else this checkout), LOCAL_STATE_DIR (<repo>/.local/state: the data kept across runs).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from devstack.stack import DevStack


def _repo_root() -> Path:
    configured = os.environ.get("LOCAL_REPO_ROOT")
    if configured:
        return Path(configured)
    if (Path.cwd() / "template.yaml").is_file():
        return Path.cwd()
    return Path(__file__).resolve().parents[1]


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> int:
    logging.basicConfig(
        stream=sys.stderr,
        level=os.environ.get("LOCAL_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Both stop the stack cleanly; SIGINT explicitly, as a shell may start `make run` with it ignored.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    root = _repo_root()
    # .local/state keeps the stack's data across runs (`make reset` or `make run FRESH=1` empties it).
    stack = DevStack(root, state_dir=os.environ.get("LOCAL_STATE_DIR") or root / ".local" / "state")
    try:
        stack.start()
    except OSError as error:
        print(f"cannot start the local stack: {error}", file=sys.stderr)
        return 1
    try:
        print(f"office key: {stack.demo_key}")
        print(f"outbox: {stack.outbox_dir}")
        print(f"serving on {stack.url}", flush=True)
        # From here on everything the functions print (Powertools logs) goes to stderr with the rest.
        sys.stdout = sys.stderr
        stack.warm_up()
        stack.serve_forever()
    except KeyboardInterrupt:
        logging.getLogger("local_stack").info("stopping")
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    code = main()
    # Everything is committed by now (the engines commit before they answer): skip the interpreter's
    # teardown, whose final garbage collection of moto's and the functions' objects takes seconds.
    logging.shutdown()
    for stream in (sys.stderr, sys.__stdout__):
        if stream is not None:
            stream.flush()
    os._exit(code)
