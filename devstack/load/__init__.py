"""`make load` (`python -m devstack.load`): the local stack under the mission's load, and its promises
checked at that size. Dev only, like the rest of devstack.

It starts a DevStack (its own port, its own temporary state and outbox), creates the offices, subscribes
the subscribers over HTTP and confirms each through the link of its confirmation email (double opt-in
through the outbox), then submits generated bulletins from concurrent office clients while watching the
outbox, the feeds, the whole list and the bus. Defaults: 8 offices, 1,000 bulletins **in total** (125 per
office) in English, Spanish, French and Portuguese, from 4 concurrent clients; 2,000 subscribers with the
filters real subscribers pick (one or two countries, one or two topics, or a country and a topic; a
language) taking immediate, daily and weekly email; the mix is printed at the start.

It prints throughput (accepted/s, published/s, emails/s), latency percentiles (submit → accepted,
→ published, → listed, → in a feed, → email), the process's resident memory (peak and at the end, MB per
bulletin held), the AWS calls per bulletin by function and operation, issue #11's goals (memory, and all
published and listed within 120 s of the last one accepted) as MET/MISSED, and every invariant PASS/FAIL:

- every submission accepted, no 5xx anywhere;
- every bulletin published exactly once (one 'Bulletin Published' event on the bus, status published,
  listed once in the whole list and in its office's list);
- every feed right (the whole feed and every country/topic/language feed, in RSS, Atom and JSON, hold
  exactly the newest 50 matching published bulletins, newest first, no duplicates);
- every confirmed immediate subscriber got exactly one email per matching bulletin and none other; every
  daily and weekly subscriber with matches exactly one digest (forced through `POST /_local/digests/run`)
  holding exactly its matches; every subscriber exactly one confirmation;
- nothing in any dead-letter queue of the template;
- no AWS call a function made was refused by its IAM policy in the template.

The exit code is 1 when an invariant fails (and, with `--enforce-goals`, when a goal is missed).
`run_load(stack, config)` takes a running stack with no bulletins yet: tests run it at a small size.

Modules: config (sizes and mixes), vocabulary and bulletins (the generated news), population (offices,
subscribers), client (HTTP), watchers (outbox, feeds, list, bus), metering (AWS calls, failures,
memory, progress), invariants, report (figures, goals), run (the run's phases).
"""

from devstack.load.config import LoadConfig
from devstack.load.invariants import check_dead_letters, dead_letter_queues
from devstack.load.report import LoadReport, percentile
from devstack.load.run import run_load

__all__ = ["LoadConfig", "LoadReport", "check_dead_letters", "dead_letter_queues", "percentile", "run_load"]
