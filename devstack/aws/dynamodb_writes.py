"""Item calls answered without moto's handler, for the requests that are plainly valid.

moto's UpdateItem parses its expression three times, deep-copies the item and walks the expression
tree with ten validators: about 10 ms a call, the largest single cost of the local pipeline, and its
PutItem and TransactWriteItems cost a few ms each. Most of Boletín's writes are the simplest kind
DynamoDB has: put an item (perhaps only if new), SET top-level attributes to values (or to
`a + :n`, `if_not_exists(a, :v)`, `list_append(a, :l)`), REMOVE some, ADD a number, several of those
in one transaction, or a batch of puts and deletes. This module answers those, and a GetItem or
BatchGetItem without projection, straight from the stored items; every condition is still moto's
own parse and evaluation.

It answers only when it can prove the request valid; anything else (a reserved word, an unused or
missing placeholder, a nested path, a type DynamoDB would refuse, a set ADD, a fraction, an index
key of the wrong type, an item near 400 KB...) returns None, and the engine hands the request to
moto as before, so every error still has moto's words. tests/integration/devstack/
test_dynamodb_engine.py compares the engine's answers with moto's for both paths.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, TypeGuard

from devstack.aws.dynamodb_query import expression_placeholders, item_size

__all__ = [
    "Outcome",
    "RefusedError",
    "Write",
    "batch_get_answer",
    "simple_batch_get",
    "simple_batch_write",
    "simple_get",
    "simple_put",
    "simple_transaction",
    "simple_update",
]

Attrs = dict[str, Any]
# condition(table, expression, names, values, item): moto's evaluation of a ConditionExpression.
Condition = Callable[[Any, str, Attrs, Attrs, Attrs | None], bool]
# stored_of(table name, key): the item as stored (None: there is none).
StoredOf = Callable[[str, Attrs], Attrs | None]

_ITEM_BYTES = 400 * 1024
_TOKEN = re.compile(r"\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z][A-Za-z0-9_]*)|([=+\-,()]))")
_INTEGER = re.compile(r"-?[0-9]{1,30}")
_PLACEHOLDER = re.compile(r"[#:][A-Za-z0-9_]+")
_UPDATE_FIELDS = {
    "TableName",
    "Key",
    "UpdateExpression",
    "ConditionExpression",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
    "ReturnValues",
    "ReturnValuesOnConditionCheckFailure",
}
_GET_FIELDS = {"TableName", "Key", "ConsistentRead"}
_BATCH_LIMIT = 25


@dataclass(frozen=True)
class Outcome:
    """What a PutItem or UpdateItem did: the item after it and the answer's body; or, when its
    condition failed, None and the ConditionalCheckFailedException's body (nothing changed)."""

    after: Attrs | None
    answer: Attrs


class RefusedError(Exception):
    """A request DynamoDB refuses (a ValidationException) and moto would accept."""


class _NotPlainError(Exception):
    """The request is outside what this module answers: moto answers it."""


# ---------------------------------------------------------------------- GetItem
def simple_get(body: Attrs, table: Any, stored: Attrs | None) -> Attrs | None:
    """The answer to a GetItem of the whole item (None: moto answers), given the stored item."""
    if not set(body) <= _GET_FIELDS or not isinstance(body.get("ConsistentRead", False), bool):
        return None
    if not _is_exact_key(body.get("Key"), table):
        return None
    return {} if stored is None else {"Item": stored}


# ---------------------------------------------------------------------- BatchGetItem
_BATCH_GET_LIMIT = 100
_BATCH_GET_BYTES = 16 * 1024 * 1024


def simple_batch_get(body: Attrs, table_of: Callable[[str], Any]) -> dict[str, list[Attrs]] | None:
    """The keys of a BatchGetItem of whole items, by table (None: moto answers, errors included):
    each table exists and is asked for distinct exact keys, at most 100 in all."""
    batches = body.get("RequestItems")
    if set(body) != {"RequestItems"} or not isinstance(batches, dict) or not batches:
        return None
    wanted: dict[str, list[Attrs]] = {}
    for name, spec in batches.items():
        table = table_of(name) if isinstance(name, str) else None
        if table is None or not isinstance(spec, dict) or not set(spec) <= {"Keys", "ConsistentRead"}:
            return None
        keys = spec.get("Keys")
        if not isinstance(keys, list) or not keys or not isinstance(spec.get("ConsistentRead", False), bool):
            return None
        if not all(_is_exact_key(key, table) for key in keys):
            return None
        if len({json.dumps(key, sort_keys=True) for key in keys}) != len(keys):
            return None
        wanted[name] = keys
    if sum(len(keys) for keys in wanted.values()) > _BATCH_GET_LIMIT:
        return None
    return wanted


def batch_get_answer(wanted: dict[str, list[Attrs]], stored: dict[str, list[Attrs | None]]) -> Attrs:
    """moto's answer to a BatchGetItem, given each key's stored item (in `wanted`'s order): the items
    found, and past 16 MB of them the rest as UnprocessedKeys."""
    answer: Attrs = {"ConsumedCapacity": [], "Responses": {}, "UnprocessedKeys": {}}
    size = 0
    for name, keys in wanted.items():
        found: list[Attrs] = []
        for key, item in zip(keys, stored[name], strict=True):
            if item is None:
                continue
            item_bytes = item_size(item)
            if size + item_bytes > _BATCH_GET_BYTES:
                answer["UnprocessedKeys"].setdefault(name, {"Keys": []})["Keys"].append(key)
            else:
                found.append(item)
                size += item_bytes
        answer["Responses"][name] = found
        answer["ConsumedCapacity"].append({"CapacityUnits": len(keys), "TableName": name})
    return answer


# ---------------------------------------------------------------------- PutItem
_PUT_FIELDS = {
    "TableName",
    "Item",
    "ConditionExpression",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
    "ReturnValues",
    "ReturnValuesOnConditionCheckFailure",
}


def simple_put(body: Attrs, table: Any, stored: Attrs | None, condition: Condition) -> Outcome | None:
    """The outcome of a PutItem (None: moto answers): a plainly valid item, its condition (if any)
    evaluated by `condition` as in simple_update."""
    if not set(body) <= _PUT_FIELDS or body.get("ReturnValues", "NONE") not in ("NONE", "ALL_OLD"):
        return None
    try:
        write, reason = _transact_operation("Put", body, table, lambda _name, _key: stored, condition)
    except _NotPlainError:
        return None
    if reason["Code"] != "None":
        return Outcome(None, _check_failed(reason.get("Item")))
    answer: Attrs = {"Attributes": stored} if body.get("ReturnValues") == "ALL_OLD" and stored else {}
    return Outcome(write.item, answer)


# ---------------------------------------------------------------------- BatchWriteItem
@dataclass(frozen=True)
class Write:
    """One request of a batch: the item to put, or None to delete the item `key` names."""

    table: str
    key: Attrs
    item: Attrs | None


def simple_batch_write(body: Attrs, table_of: Callable[[str], Any]) -> tuple[list[Write], Attrs] | None:
    """The writes of a BatchWriteItem and its answer (None: moto answers): every request a valid
    put or delete, on existing tables. RefusedError for what moto would let through: more than 25
    requests, a key named twice, an index key of the wrong type."""
    batches = body.get("RequestItems")
    if set(body) != {"RequestItems"} or not isinstance(batches, dict) or not batches:
        return None
    writes: list[Write] = []
    named: set[tuple[str, str]] = set()
    for name, requests in batches.items():
        table = table_of(name) if isinstance(name, str) else None
        if table is None or not isinstance(requests, list) or not requests:
            return None
        for request in requests:
            write = _batch_request(name, table, request)
            if write is None:
                return None
            identity = (name, json.dumps(write.key, sort_keys=True))
            if identity in named:
                raise RefusedError("Provided list of item keys contains duplicates")
            named.add(identity)
            writes.append(write)
    if len(writes) > _BATCH_LIMIT:
        raise RefusedError(
            "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value "
            "must satisfy constraint: [Member must have length less than or equal to 25]"
        )
    answer: Attrs = {
        "ConsumedCapacity": [
            {"TableName": name, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}} for name in batches
        ],
        "ItemCollectionMetrics": {},
        "UnprocessedItems": {},
    }
    return writes, answer


def _batch_request(name: str, table: Any, request: Any) -> Write | None:
    if not isinstance(request, dict) or len(request) != 1:
        return None
    ((kind, inner),) = request.items()
    if kind == "DeleteRequest" and isinstance(inner, dict) and set(inner) == {"Key"}:
        return Write(name, inner["Key"], None) if _is_exact_key(inner["Key"], table) else None
    if kind != "PutRequest" or not isinstance(inner, dict) or set(inner) != {"Item"}:
        return None
    item = inner["Item"]
    try:
        key = _item_key(item, table)
    except _NotPlainError:
        return None
    try:
        _check_index_keys(item, table)
    except _NotPlainError:
        raise RefusedError(
            "One or more parameter values were invalid: an index key attribute is empty or not of the type "
            "its AttributeDefinition says"
        ) from None
    if item_size(item) > _ITEM_BYTES:
        return None
    return Write(name, key, item)


# ---------------------------------------------------------------------- TransactWriteItems
_TRANSACT_LIMIT = 100
_CONDITION_FIELDS = {
    "TableName",
    "ConditionExpression",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
    "ReturnValuesOnConditionCheckFailure",
}
_OPERATION_FIELDS = {
    "Put": _CONDITION_FIELDS | {"Item"},
    "Delete": _CONDITION_FIELDS | {"Key"},
    "ConditionCheck": _CONDITION_FIELDS | {"Key"},
    "Update": _CONDITION_FIELDS | {"Key", "UpdateExpression"},
}


def simple_transaction(
    body: Attrs, table_of: Callable[[str], Any], stored_of: StoredOf, condition: Condition
) -> tuple[list[Write], Attrs | None] | None:
    """A TransactWriteItems of plainly valid Put, Update, Delete and ConditionCheck operations on
    distinct items (None: moto answers): its writes and None, or, when a condition fails, no
    writes and the TransactionCanceledException's body with a reason per operation, as moto gives.
    `stored_of(table, key)` is the item as stored; `condition` evaluates as in simple_update."""
    operations = body.get("TransactItems")
    # boto3 sends a ClientRequestToken of its own; like moto, the engine does not replay by it.
    if not {"TransactItems"} <= set(body) <= {"TransactItems", "ClientRequestToken"}:
        return None
    if not isinstance(operations, list) or not operations:
        return None
    if len(operations) > _TRANSACT_LIMIT:
        return None
    writes: list[Write] = []
    reasons: list[Attrs] = []
    named: set[tuple[str, str]] = set()
    try:
        for entry in operations:
            if not isinstance(entry, dict) or len(entry) != 1:
                return None
            ((kind, operation),) = entry.items()
            if kind not in _OPERATION_FIELDS or not isinstance(operation, dict):
                return None
            if not set(operation) <= _OPERATION_FIELDS[kind]:
                return None
            name = operation.get("TableName")
            table = table_of(name) if isinstance(name, str) else None
            if table is None:
                return None
            write, reason = _transact_operation(kind, operation, table, stored_of, condition)
            identity = (write.table, json.dumps(write.key, sort_keys=True))
            if identity in named:
                return None  # two operations on one item: moto refuses it
            named.add(identity)
            writes.append(write)
            reasons.append(reason)
    except _NotPlainError:
        return None
    if all(reason == {"Code": "None"} for reason in reasons):
        return writes, None  # a ConditionCheck's write leaves its item as it is
    message = "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]".format(
        ", ".join(reason["Code"] for reason in reasons)
    )
    cancelled = {
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "CancellationReasons": reasons,
        "Message": message,
    }
    return [], cancelled


def _transact_operation(
    kind: str,
    operation: Attrs,
    table: Any,
    stored_of: StoredOf,
    condition: Condition,
) -> tuple[Write, Attrs]:
    """One operation's write (the item after it; for a ConditionCheck, as it is) and its reason."""
    name = operation["TableName"]
    on_failure = operation.get("ReturnValuesOnConditionCheckFailure", "NONE")
    if on_failure not in ("NONE", "ALL_OLD"):
        raise _NotPlainError
    if kind == "Update":
        key = operation.get("Key") or {}
        if not _is_exact_key(key, table):
            raise _NotPlainError
        stored = stored_of(name, key)
        outcome = _update(operation, table, stored, condition)
        if outcome.after is None:
            return Write(name, key, stored), _failed(outcome.answer.get("Item"))
        return Write(name, key, outcome.after), {"Code": "None"}
    item: Attrs | None = None
    if kind == "Put":
        put: Attrs = operation.get("Item") or {}
        key = _item_key(put, table)
        _check_index_keys(put, table)
        if item_size(put) > _ITEM_BYTES:
            raise _NotPlainError
        item = put
    else:
        key = operation.get("Key") or {}
    if not _is_exact_key(key, table):
        raise _NotPlainError
    check = operation.get("ConditionExpression")
    if (kind == "ConditionCheck" or check is not None) and not (isinstance(check, str) and check.strip()):
        raise _NotPlainError  # DynamoDB refuses an empty condition (and a check without one)
    names, values = _placeholders(operation, check or "")
    stored = stored_of(name, key)
    if check is not None and not _holds(condition, table, check, names, values, stored):
        return Write(name, key, stored), _failed(stored if on_failure == "ALL_OLD" else None)
    after = stored if kind == "ConditionCheck" else item
    return Write(name, key, after), {"Code": "None"}


def _check_failed(item: Attrs | None) -> Attrs:
    """The ConditionalCheckFailedException's body, with the item as it is when asked for (and any)."""
    failure: Attrs = {
        "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
        "message": "The conditional request failed",
    }
    if item:
        failure["Item"] = item
    return failure


def _failed(item: Attrs | None) -> Attrs:
    reason: Attrs = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
    if item:
        reason["Item"] = item
    return reason


def _placeholders(body: Attrs, expressions: str) -> tuple[Attrs, Attrs]:
    """The request's names and values (see expression_placeholders), each value well formed; else
    _NotPlainError."""
    found = expression_placeholders(body, expressions)
    if found is None or not all(_valid_value(v) for v in found[1].values()):
        raise _NotPlainError
    return found


def _holds(
    condition: Condition, table: Any, check: str, names: Attrs, values: Attrs, item: Attrs | None
) -> bool:
    """moto's evaluation of the condition on the item; _NotPlainError when it cannot evaluate it."""
    try:
        return condition(table, check, names, values, item)
    except Exception as unknown:
        raise _NotPlainError from unknown


# ---------------------------------------------------------------------- UpdateItem
def simple_update(body: Attrs, table: Any, stored: Attrs | None, condition: Condition) -> Outcome | None:
    """The outcome of an UpdateItem (None: moto answers). `condition(table, expression, names,
    values, item)` evaluates a ConditionExpression as moto does; it raises on anything it cannot
    evaluate."""
    try:
        return _update(body, table, stored, condition)
    except _NotPlainError:
        return None


def _update(body: Attrs, table: Any, stored: Attrs | None, condition: Condition) -> Outcome:
    if not set(body) <= _UPDATE_FIELDS:
        raise _NotPlainError
    key: Attrs = body.get("Key") or {}
    expression = body.get("UpdateExpression")
    check = body.get("ConditionExpression")
    returns = body.get("ReturnValues", "NONE")
    on_failure = body.get("ReturnValuesOnConditionCheckFailure", "NONE")
    if returns not in ("NONE", "ALL_NEW", "ALL_OLD") or on_failure not in ("NONE", "ALL_OLD"):
        raise _NotPlainError
    if not _is_exact_key(key, table) or not isinstance(expression, str) or not expression.strip():
        raise _NotPlainError
    if check is not None and (not isinstance(check, str) or not check.strip()):
        raise _NotPlainError
    names, values = _placeholders(body, expression + " " + (check or ""))
    actions = _parse(expression, names)
    key_names = {table.hash_key_attr, table.range_key_attr} - {None}
    targets = [action[1] for action in actions]
    if len(set(targets)) != len(targets) or key_names & set(targets):
        raise _NotPlainError
    old = stored
    new = dict(old) if old is not None else {name: key[name] for name in key_names}
    for kind, target, operand in actions:
        # Each operand reads the item as it was; one naming another action's target is left to moto.
        if any(path in targets and path != target for path in _paths(operand)):
            raise _NotPlainError
        if kind == "SET":
            new[target] = _evaluate(operand, old or {}, values)
        elif kind == "REMOVE":
            new.pop(target, None)
        else:  # ADD a number
            added = values[operand[1]]
            current = (old or {}).get(target) or {"N": "0"}
            new[target] = _add(current, added, 1)
    _check_index_keys(new, table)
    if item_size(new) > _ITEM_BYTES:
        raise _NotPlainError  # over the 400 KB limit: moto says so in its words
    if check is not None and not _holds(condition, table, check, names, values, old):
        return Outcome(None, _check_failed(old if on_failure == "ALL_OLD" else None))
    answer: Attrs = {"ConsumedCapacity": {"TableName": body["TableName"], "CapacityUnits": 0.5}}
    if returns == "ALL_NEW":
        answer["Attributes"] = new
    elif returns == "ALL_OLD" and old:
        answer["Attributes"] = old
    return Outcome(new, answer)


# ---------------------------------------------------------------------- the expression
# An action is (kind, target attribute, operand); an operand is ("value", ":v"), ("path", name),
# ("+" | "-", left, right), ("if_not_exists", name, operand) or ("list_append", left, right).
Action = tuple[str, str, Any]


def _parse(expression: str, names: dict[str, str]) -> list[Action]:
    tokens = _tokens(expression)
    actions: list[Action] = []
    seen: set[str] = set()
    position = 0

    def peek() -> tuple[str, str] | None:
        return tokens[position] if position < len(tokens) else None

    def take(kind: str | None = None, text: str | None = None) -> tuple[str, str]:
        nonlocal position
        token = peek()
        if token is None or (kind and token[0] != kind) or (text and token[1] != text):
            raise _NotPlainError
        position += 1
        return token

    def path() -> str:
        kind, text = take()
        if kind == "name":
            return names[text]
        if kind == "word" and not _reserved(text):
            return text
        raise _NotPlainError

    def operand() -> Any:
        token = peek()
        if token is None:
            raise _NotPlainError
        if token[0] == "value":
            take()
            return ("value", token[1])
        if token[0] == "word" and token[1] in ("if_not_exists", "list_append"):
            take()
            take("symbol", "(")
            first = ("path", path()) if token[1] == "if_not_exists" else operand()
            take("symbol", ",")
            second = operand()
            take("symbol", ")")
            return (token[1], first[1], second) if token[1] == "if_not_exists" else (token[1], first, second)
        return ("path", path())

    while peek() is not None:
        clause = take("word")[1].upper()
        if clause not in ("SET", "REMOVE", "ADD") or clause in seen:
            raise _NotPlainError  # DELETE (sets), a repeated clause or a syntax error
        seen.add(clause)
        while True:
            target = path()
            if clause == "SET":
                take("symbol", "=")
                value = operand()
                following = peek()
                if following is not None and following[1] in ("+", "-"):
                    take()
                    value = (following[1], value, operand())
                actions.append(("SET", target, value))
            elif clause == "REMOVE":
                actions.append(("REMOVE", target, None))
            else:
                actions.append(("ADD", target, ("value", take("value")[1])))
            following = peek()
            if following is None or following != ("symbol", ","):
                break
            take()
    return actions


def _tokens(expression: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = expression.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _NotPlainError  # a nested path (. or [), or anything else
        name, value, word, symbol = match.groups()
        if name:
            tokens.append(("name", name))
        elif value:
            tokens.append(("value", value))
        elif word:
            tokens.append(("word", word))
        else:
            tokens.append(("symbol", symbol))
        position = match.end()
    return tokens


@cache
def _reserved_words() -> frozenset[str]:
    from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords

    return frozenset(word.upper() for word in ReservedKeywords.get_reserved_keywords())


def _reserved(word: str) -> bool:
    return word.upper() in _reserved_words()


def _paths(operand: Any) -> list[str]:
    if operand is None or operand[0] == "value":
        return []
    if operand[0] == "path":
        return [operand[1]]
    if operand[0] == "if_not_exists":
        return [operand[1], *_paths(operand[2])]
    return [*_paths(operand[1]), *_paths(operand[2])]


def _evaluate(operand: Any, item: Attrs, values: Attrs) -> Any:
    kind = operand[0]
    if kind == "value":
        return values[operand[1]]
    if kind == "path":
        if operand[1] not in item:
            raise _NotPlainError  # DynamoDB refuses a path the item lacks
        return item[operand[1]]
    if kind == "if_not_exists":
        return item[operand[1]] if operand[1] in item else _evaluate(operand[2], item, values)
    left, right = _evaluate(operand[1], item, values), _evaluate(operand[2], item, values)
    if kind == "list_append":
        if set(left) != {"L"} or set(right) != {"L"}:
            raise _NotPlainError
        return {"L": [*left["L"], *right["L"]]}
    return _add(left, right, 1 if kind == "+" else -1)


def _add(left: Any, right: Any, sign: int) -> Attrs:
    """Whole numbers only: moto's arithmetic on fractions goes through float, so moto answers those."""
    if set(left) != {"N"} or set(right) != {"N"}:
        raise _NotPlainError
    if not _INTEGER.fullmatch(left["N"]) or not _INTEGER.fullmatch(right["N"]):
        raise _NotPlainError
    return {"N": str(int(left["N"]) + sign * int(right["N"]))}


# ---------------------------------------------------------------------- validity
def _is_exact_key(key: Any, table: Any) -> bool:
    """`key` names exactly the table's key attributes, each of its declared type and not empty."""
    if not isinstance(key, dict):
        return False
    wanted = {table.hash_key_attr: table.hash_key_type}
    if table.range_key_attr:
        wanted[table.range_key_attr] = table.range_key_type
    if set(key) != set(wanted):
        return False
    for name, kind in wanted.items():
        value = key[name]
        if not isinstance(value, dict) or set(value) != {kind} or not _valid_value(value):
            return False
        if value[kind] in ("", None):
            return False
    return True


def _check_index_keys(item: Attrs, table: Any) -> None:
    """An index key attribute, where the item has one, is of its declared type and not empty."""
    types = {a["AttributeName"]: a["AttributeType"] for a in table.attr}
    for name, kind in types.items():
        value = item.get(name)
        if value is not None and (set(value) != {kind} or value[kind] == ""):
            raise _NotPlainError


def _item_key(item: Any, table: Any) -> Attrs:
    """The key of an item to put: a well-formed item holding exactly valid key attributes; else
    _NotPlainError."""
    if not _valid_item(item):
        raise _NotPlainError
    key = {k: item[k] for k in (table.hash_key_attr, table.range_key_attr) if k and k in item}
    if not _is_exact_key(key, table):
        raise _NotPlainError
    return key


def _valid_item(item: Any) -> TypeGuard[Attrs]:
    return isinstance(item, dict) and all(isinstance(k, str) and _valid_value(v) for k, v in item.items())


def _valid_value(value: Any) -> bool:
    """A well-formed AttributeValue of the kinds this module stores as is (no binary, no sets)."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    ((kind, inner),) = value.items()
    if kind == "S":
        return isinstance(inner, str)
    if kind == "N":
        return isinstance(inner, str) and _valid_number(inner)
    if kind == "BOOL":
        return isinstance(inner, bool)
    if kind == "NULL":
        return inner is True
    if kind == "L":
        return isinstance(inner, list) and all(_valid_value(v) for v in inner)
    if kind == "M":
        return isinstance(inner, dict) and all(_valid_value(v) for v in inner.values())
    if kind == "SS":
        if not isinstance(inner, list) or not inner or not all(isinstance(s, str) for s in inner):
            return False
        return len(set(inner)) == len(inner)
    return False  # B, BS and NS: moto answers


def _valid_number(text: str) -> bool:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return False
    return number.is_finite() and text.strip() == text and len(text) <= 40
