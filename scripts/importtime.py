"""Cold-start cost of each handler: a fresh interpreter that imports it and runs its pure logic once,
against a fresh interpreter that only imports boto3. CPU time (user + system) of each child process,
so that other work on a shared machine slows both sides rather than tilting the ratio; rounds
interleave the baseline and every probe, and each ratio is of medians over the rounds."""

from __future__ import annotations

import functools
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BASELINE = "import boto3"

# Each probe imports a handler module (as Lambda does) and runs the pure work of a first request.
PROBES: dict[str, str] = {
    "api (import + validate a submission)": """
import importlib.util, json
spec = importlib.util.spec_from_file_location("app", "functions/api/app.py")
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
from boletin.http import parse_json_body
from boletin.models.submissions import BulletinSubmission
body = json.dumps({"title": "Officials from Costa Rica and Panama meet", "body": "Text of the bulletin.",
                   "published_on": "2021-11-30", "countries": ["CR", "PA"], "source_url": "https://example.org/x"})
parse_json_body(BulletinSubmission, body, is_base64=False, content_type="application/json")
""",
    "enrich (import + enrich a bulletin)": """
import importlib.util
spec = importlib.util.spec_from_file_location("app", "functions/enrich/app.py")
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
from boletin.enrichment import enrich
enrich("IOM and Guatemala coordinate labour migration", "Officials from Guatemala and Mexico met in Guatemala City to discuss labour migration and trafficking in persons.")
""",
    "rss_notifier (import + render a feed)": """
import importlib.util
from datetime import UTC, date, datetime
spec = importlib.util.spec_from_file_location("app", "functions/rss_notifier/app.py")
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
from boletin.feeds import render_feed
from boletin.models.feeds import FeedDocument, FeedEntry, FeedScope
now = datetime(2021, 11, 30, tzinfo=UTC)
entry = FeedEntry(id="1", title="t", link="https://x.org/b/1", published_on=date(2021, 11, 30), published_at=now,
                  updated_at=now, summary="s", content_html="<p>c</p>", countries=["CR"], topics=["health"],
                  language="en", office_name="IOM")
doc = FeedDocument(scope=FeedScope(kind="all"), entries=[entry], base_url="https://x.org",
                   feeds_base_url="https://x.org/feeds", updated_at=now)
for fmt in ("rss", "atom", "json"):
    render_feed(doc, fmt, title="t", description="d", language=None, stylesheet_href=None)
""",
    "sender (import + build an email)": """
import importlib.util
from datetime import date
spec = importlib.util.spec_from_file_location("app", "functions/sender/app.py")
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
from boletin.email import BulletinDigestItem, Recipient, SenderConfig, build_bulletin_email, to_raw_bytes
sender = SenderConfig(address="boletin@example.org", list_id="bulletins.example.org")
recipient = Recipient(address="ana@example.org", language="es", unsubscribe_url="https://x.org/u?t=1", manage_url="https://x.org/m?t=1")
item = BulletinDigestItem(id="1", title="Título", published_on=date(2021, 11, 30), url="https://x.org/b/1")
to_raw_bytes(build_bulletin_email(sender=sender, recipient=recipient, bulletin=item))
""",
    "authorizer (import)": """
import importlib.util
spec = importlib.util.spec_from_file_location("app", "functions/authorizer/app.py")
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
""",
}


def run(code: str) -> float:
    """CPU seconds a fresh interpreter spends running ``code``."""
    child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=_env())
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise subprocess.CalledProcessError(status, code)
    return usage.ru_utime + usage.ru_stime


@functools.cache
def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.update(_template_constants())  # what every function runs with on Lambda
    env["PYTHONPATH"] = f"{ROOT / 'shared'}:{ROOT}"
    # Any value disables writing .pyc files ("0" too): the warm-up run must write them, or every
    # timed run compiles the edited modules from source and the ratio measures the compiler.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _template_constants() -> dict[str, str]:
    """The template's plain-string Globals environment (settings that are references stay unset:
    the probes touch no AWS resource)."""
    from cfnlint.decode.cfn_yaml import load

    variables = load(str(ROOT / "template.yaml"))["Globals"]["Function"]["Environment"]["Variables"]
    return {name: value for name, value in variables.items() if isinstance(value, str)}


def measure(rounds: int = 9) -> list[tuple[str, float, float, float]]:
    """(probe, its median CPU seconds, boto3's median CPU seconds, ratio). Each round runs the
    baseline and then every probe, so all of them meet the same moments of a shared machine."""
    for code in [BASELINE, *PROBES.values()]:
        run(code)  # warm the file cache and write the .pyc files
    base: list[float] = []
    probes: dict[str, list[float]] = {name: [] for name in PROBES}
    for _ in range(rounds):
        base.append(run(BASELINE))
        for name, code in PROBES.items():
            probes[name].append(run(code))
    b = statistics.median(base)
    return [
        (name, statistics.median(times), b, statistics.median(times) / b) for name, times in probes.items()
    ]


if __name__ == "__main__":
    for name, probe, base, ratio in measure():
        print(f"{name:42s} {probe * 1000:7.1f} ms  vs import boto3 {base * 1000:7.1f} ms  ratio {ratio:4.2f}")
