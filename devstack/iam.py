"""Each function's IAM policy, enforced on the AWS calls its handler makes (moto enforces none).

A call made while a function runs (`running_function()`) is checked against the Allow statements of
that function's `Policies` in the template: the IAM action(s) the operation needs, on the resource(s)
its parameters name. A call the policy does not allow fails as AWS fails it (AccessDeniedException)
and is recorded, so a policy missing an action is found by the first test that takes the path, not
after a deploy. The stack's own pollers (Lambda's event source mappings) are not handler calls and are
not checked; neither are the policies SAM adds for event sources, which only the pollers need.
"""

from __future__ import annotations

import fnmatch
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from devstack.hooks import ProcessHook

logger = logging.getLogger("local_stack")

# Operations whose IAM action is not "<prefix>:<operation>".
_ACTION_OF = {
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("sqs", "SendMessageBatch"): "sqs:SendMessage",
    ("sqs", "DeleteMessageBatch"): "sqs:DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "sqs:ChangeMessageVisibility",
    ("dynamodb", "TransactGetItems"): "dynamodb:GetItem",
}
# DynamoDB transactions are authorised item by item, as the single-item action.
_TRANSACT_ACTION = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


@dataclass(frozen=True)
class Denial:
    function: str
    action: str
    resource: str

    def __str__(self) -> str:
        return f"{self.function} is not allowed {self.action} on {self.resource}"


@dataclass
class Statement:
    actions: list[str]
    resources: list[str]
    conditions: dict[str, Any] = field(default_factory=dict)

    def allows(self, action: str, resource: str, context: dict[str, str]) -> bool:
        if not any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in self.actions):
            return False
        if not any(fnmatch.fnmatchcase(resource, pattern) for pattern in self.resources):
            return False
        return all(_condition_holds(op, keys, context) for op, keys in self.conditions.items())


def _condition_holds(operator: str, keys: dict[str, Any], context: dict[str, str]) -> bool:
    for key, expected in keys.items():
        actual = context.get(key.lower())
        if actual is None:
            continue  # a key this check does not know: assume it holds (only ever more permissive)
        wanted = expected if isinstance(expected, list) else [expected]
        if operator == "StringEquals" and actual not in [str(w) for w in wanted]:
            return False
        if operator == "StringLike" and not any(fnmatch.fnmatchcase(actual, str(w)) for w in wanted):
            return False
    return True


@dataclass
class PolicyChecker:
    """The template's function policies, and the calls they refused."""

    region: str
    account: str
    statements: dict[str, list[Statement]]
    denied: list[Denial] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_policies(cls, region: str, account: str, policies: dict[str, Any]) -> PolicyChecker:
        """`policies`: function logical id -> its resolved `Policies` property."""
        statements: dict[str, list[Statement]] = {}
        for function, value in policies.items():
            found: list[Statement] = []
            for policy in value if isinstance(value, list) else [value]:
                if not isinstance(policy, dict) or "Statement" not in policy:
                    logger.warning("%s: policy %r is not checked locally", function, policy)
                    continue
                raw = policy["Statement"]
                for statement in raw if isinstance(raw, list) else [raw]:
                    if statement.get("Effect") != "Allow":
                        continue
                    found.append(
                        Statement(
                            actions=_strings(statement.get("Action")),
                            resources=_strings(statement.get("Resource")),
                            conditions=dict(statement.get("Condition") or {}),
                        )
                    )
            statements[function] = found
        return cls(region, account, statements)

    def check(self, function: str, service: str, operation: str, params: dict[str, Any]) -> Denial | None:
        """The first (action, resource) of this call the function's policy does not allow, if any."""
        if function not in self.statements:
            return None
        context = self._context(service, params)
        for action, resource in self.requirements(service, operation, params):
            if not any(s.allows(action, resource, context) for s in self.statements[function]):
                denial = Denial(function, action, resource)
                with self._lock:
                    self.denied.append(denial)
                return denial
        return None

    # ------------------------------------------------------------------ what a call needs
    def requirements(self, service: str, operation: str, params: dict[str, Any]) -> Iterator[tuple[str, str]]:
        prefix = {"sesv2": "ses"}.get(service, service)
        if service == "dynamodb" and operation == "TransactWriteItems":
            for item in params.get("TransactItems") or []:
                for kind, request in item.items():
                    yield f"dynamodb:{_TRANSACT_ACTION.get(kind, kind)}", self._table(request)
            return
        action = _ACTION_OF.get((service, operation), f"{prefix}:{operation}")
        for resource in self._resources(service, operation, params):
            yield action, resource
        if service == "scheduler" and operation in ("CreateSchedule", "UpdateSchedule"):
            role = (params.get("Target") or {}).get("RoleArn")
            if role:
                yield "iam:PassRole", str(role)

    def _resources(self, service: str, operation: str, params: dict[str, Any]) -> list[str]:
        arn = f"{self.region}:{self.account}"
        if service == "dynamodb":
            if operation in ("BatchGetItem", "BatchWriteItem"):
                return [self._table({"TableName": t}) for t in params.get("RequestItems") or {}]
            if operation == "TransactGetItems":
                return [self._table(next(iter(i.values()))) for i in params.get("TransactItems") or []]
            return [self._table(params)]
        if service == "s3":
            bucket = str(params.get("Bucket", "*"))
            key = params.get("Key")
            return [f"arn:aws:s3:::{bucket}/{key}" if key is not None else f"arn:aws:s3:::{bucket}"]
        if service == "sqs":
            url = str(params.get("QueueUrl", ""))
            if operation == "GetQueueUrl":
                return [f"arn:aws:sqs:{arn}:{params.get('QueueName', '*')}"]
            return [f"arn:aws:sqs:{arn}:{url.rsplit('/', 1)[-1]}"]  # a queue URL ends with its name
        if service == "events" and operation == "PutEvents":
            buses = {str(e.get("EventBusName") or "default") for e in params.get("Entries") or []}
            return [
                b if b.startswith("arn:") else f"arn:aws:events:{arn}:event-bus/{b}" for b in sorted(buses)
            ]
        if service == "secretsmanager":
            secret = str(params.get("SecretId", "*"))
            return [
                secret if secret.startswith("arn:") else f"arn:aws:secretsmanager:{arn}:secret:{secret}-*"
            ]
        if service == "sns":
            return [str(params.get("TopicArn", "*"))]
        if service == "scheduler" and "Name" in params:
            group = params.get("GroupName") or "default"
            return [f"arn:aws:scheduler:{arn}:schedule/{group}/{params['Name']}"]
        return ["*"]  # SES identities, quotas...: what the template grants on "*"

    def _table(self, params: dict[str, Any]) -> str:
        table = str(params.get("TableName", "*"))
        base = (
            table
            if table.startswith("arn:")
            else f"arn:aws:dynamodb:{self.region}:{self.account}:table/{table}"
        )
        index = params.get("IndexName")
        return f"{base}/index/{index}" if index else base

    @staticmethod
    def _context(service: str, params: dict[str, Any]) -> dict[str, str]:
        if service in ("ses", "sesv2"):
            source = params.get("Source") or params.get("FromEmailAddress")
            if source:
                return {"ses:fromaddress": parseaddr(str(source))[1]}
        return {}


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


# ---------------------------------------------------------------------- the hook
def enforce(checker: PolicyChecker | None) -> None:
    """Make `checker` the one the process enforces (None: stop)."""
    _hook.use(checker)


def _before_parameter_build(params: dict[str, Any], model: Any, **_: Any) -> None:
    checker = _hook.active
    if checker is None:
        return
    from devstack.functions import running_function

    function = running_function()
    if function is None:
        return
    denial = checker.check(function, model.service_model.service_name, model.name, params)
    if denial is not None:
        from botocore.exceptions import ClientError

        logger.error("access denied: %s (the template's policy lacks it)", denial)
        error: Any = {"Error": {"Code": "AccessDeniedException", "Message": f"local IAM: {denial}"}}
        raise ClientError(error, model.name)


_hook: ProcessHook[PolicyChecker] = ProcessHook("before-parameter-build", _before_parameter_build)
