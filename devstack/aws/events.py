"""EventBridge PutEvents for the local stack, delivering to the durable SQS engine.

Only `AWSEvents.PutEvents` is answered here; buses, rules and targets stay in moto (the resource builder
creates them from the template) and are read in-process from moto's events backend. Each entry is
matched against every ENABLED rule of its bus with moto's own pattern matcher (`EventPattern`), and
the event goes to the rule's SQS targets as EventBridge delivers it: the envelope (version, id,
detail-type, source, account, time, region, resources, detail), or the target's `Input`, `InputPath`
or `InputTransformer` output. Every delivery of a request is stored in one SQLite transaction before
the answer, so an accepted event survives a SIGKILL.

Answers as AWS: `Entries` in request order (`EventId`, or `ErrorCode`/`ErrorMessage`: InvalidArgument
for a missing Source/DetailType/Detail, MalformedDetail for a Detail that is not a JSON object) and
`FailedEntryCount`; more than 10 entries, or entries over 256 KB in all, fail the whole request with a
ValidationException. Not emulated: targets other than SQS queues (logged and skipped, as moto does for
Lambda and SNS), RetryPolicy (a delivery to an existing queue cannot fail locally), archives, replays,
and cross-account buses. A target whose queue does not exist goes to its DeadLetterConfig queue.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from devstack.aws.sqs_store import SqsStore

__all__ = ["EventsEngine", "event_size"]

logger = logging.getLogger("local_stack")

MAX_ENTRIES = 10
MAX_REQUEST_BYTES = 256 * 1024
_TARGET = "AWSEvents.PutEvents"
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")


def event_size(entry: dict[str, Any]) -> int:
    """An entry's size as EventBridge counts it against the 256 KB limit."""
    size = 14 if entry.get("Time") is not None else 0
    for key in ("Source", "DetailType", "Detail"):
        size += len(str(entry.get(key) or "").encode())
    size += sum(len(str(resource).encode()) for resource in entry.get("Resources") or [])
    return size


def _iso(value: Any) -> str:
    moment = datetime.fromtimestamp(float(value), UTC) if value is not None else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _json_path(document: Any, path: str) -> Any:
    """The value at a simple JSONPath (`$.detail.id`, `$.resources[0]`), or None."""
    from jsonpath_ng.ext import parse  # type: ignore[attr-defined]  # moto's dependency, as in moto

    matches = parse(path).find(document)
    return matches[0].value if matches else None


def _transform(transformer: dict[str, Any], event: dict[str, Any], rule_arn: str, rule_name: str) -> str:
    """An InputTransformer's output: a placeholder inside quotes takes the value's text, elsewhere its
    JSON (as EventBridge does)."""
    values: dict[str, Any] = {
        name: _json_path(event, str(path)) for name, path in (transformer.get("InputPathsMap") or {}).items()
    }
    values.setdefault("aws.events.event.json", event)
    values.setdefault("aws.events.rule-arn", rule_arn)
    values.setdefault("aws.events.rule-name", rule_name)
    values.setdefault("aws.events.event.ingestion-time", event["time"])
    template = str(transformer.get("InputTemplate") or "")

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        start, end = match.span()
        quoted = start > 0 and template[start - 1] == '"' and end < len(template) and template[end] == '"'
        if quoted:
            text = value if isinstance(value, str) else json.dumps(value)
            return json.dumps(text)[1:-1]
        return (
            value
            if isinstance(value, str) and not template.strip().startswith(("{", "["))
            else json.dumps(value)
        )

    return _PLACEHOLDER.sub(replace, template)


def _error(code: str, message: str, status: int = 400) -> Response:
    body = json.dumps({"__type": code, "message": message})
    response = Response(body, status=status, content_type="application/x-amz-json-1.1")
    response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    return response


class EventsEngine:
    """PutEvents against moto's rules, delivering into `store` (see module docstring)."""

    def __init__(self, store: SqsStore, *, account: str, region: str) -> None:
        self.store = store
        self.account = account
        self.region = region
        self._warned: set[str] = set()

    def handles(self, service: str, request: Request) -> bool:
        return request.headers.get("X-Amz-Target", "") == _TARGET

    def close(self) -> None:
        """Nothing of its own: the SQS engine owns the store."""

    def handle(self, request: Request) -> Response:
        try:
            parameters = json.loads(request.get_data(cache=True) or b"{}")
        except ValueError:
            return _error("SerializationException", "The request body is not valid JSON.")
        entries = list(parameters.get("Entries") or [])
        if not entries or len(entries) > MAX_ENTRIES:
            return _error(
                "ValidationException",
                "1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy "
                "constraint: Member must have length "
                f"{'less than or equal to 10' if entries else 'greater than or equal to 1'}",
            )
        if sum(event_size(entry) for entry in entries) > MAX_REQUEST_BYTES:
            return _error(
                "ValidationException", "Total size of the entries in the request is over the limit."
            )
        results, deliveries = [], []
        for entry in entries:
            result, items = self._entry(entry)
            results.append(result)
            deliveries.extend(items)
        if deliveries:
            self._deliver(deliveries)
        failed = sum(1 for result in results if "ErrorCode" in result)
        body = json.dumps({"FailedEntryCount": failed, "Entries": results})
        response = Response(body, status=200, content_type="application/x-amz-json-1.1")
        response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
        return response

    # ------------------------------------------------------------------ one entry
    def _entry(self, entry: dict[str, Any]) -> tuple[dict[str, str], list[tuple[str, str, str | None]]]:
        for key in ("Source", "DetailType", "Detail"):
            if not entry.get(key):
                return {
                    "ErrorCode": "InvalidArgument",
                    "ErrorMessage": f"Parameter {key} is not valid. Reason: {key} is a required argument.",
                }, []
        try:
            detail = json.loads(entry["Detail"])
        except ValueError:
            detail = None
        if not isinstance(detail, dict):
            return {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}, []
        bus_name = str(entry.get("EventBusName") or "default").rsplit("/", 1)[-1]
        bus = self._bus(bus_name)
        if bus is None:
            return {
                "ErrorCode": "ResourceNotFoundException",
                "ErrorMessage": f"Event bus {bus_name} does not exist.",
            }, []
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": entry["DetailType"],
            "source": entry["Source"],
            "account": self.account,
            "time": _iso(entry.get("Time")),
            "region": self.region,
            "resources": list(entry.get("Resources") or []),
            "detail": detail,
        }
        items: list[tuple[str, str, str | None]] = []
        for rule in list(bus.rules.values()):
            if (
                rule.state != "ENABLED"
                or rule.scheduled_expression
                or not rule.event_pattern.matches_event(event)
            ):
                continue
            for target in list(rule.targets):
                items.extend(self._target_delivery(rule, target, event))
        return {"EventId": event["id"]}, items

    def _bus(self, name: str) -> Any:
        from moto.events.models import events_backends

        return events_backends[self.account][self.region].event_buses.get(name)

    def _target_delivery(
        self, rule: Any, target: dict[str, Any], event: dict[str, Any]
    ) -> list[tuple[str, str, str | None]]:
        arn = str(target.get("Arn", ""))
        if ":sqs:" not in arn:
            if arn not in self._warned:
                self._warned.add(arn)
                logger.warning(
                    "rule %s: target %s is not an SQS queue: not delivered locally", rule.name, arn
                )
            return []
        if "Input" in target and target["Input"] is not None:
            body = str(target["Input"])
        elif target.get("InputPath"):
            body = json.dumps(_json_path(event, str(target["InputPath"])))
        elif target.get("InputTransformer"):
            body = _transform(target["InputTransformer"], event, rule.arn, rule.name)
        else:
            body = json.dumps(event, separators=(",", ":"))
        dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
        return [(arn.rsplit(":", 1)[-1], body, str(dead_letter).rsplit(":", 1)[-1] if dead_letter else None)]

    def _deliver(self, deliveries: list[tuple[str, str, str | None]]) -> None:
        ids = self.store.deliver([(queue, body, {}) for queue, body, _ in deliveries])
        retry: list[tuple[str, str, dict[str, dict[str, Any]]]] = []
        for (queue, body, dead_letter), message_id in zip(deliveries, ids, strict=True):
            if message_id is not None:
                continue
            if dead_letter:
                logger.warning(
                    "EventBridge target queue %s does not exist: event sent to %s", queue, dead_letter
                )
                retry.append((dead_letter, body, {}))
            else:
                logger.error("EventBridge target queue %s does not exist: event dropped", queue)
        if retry:
            self.store.deliver(retry)
