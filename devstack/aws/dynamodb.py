"""DynamoDB for the local stack, durable on SQLite, with moto's semantics on a small working set.

A request is answered by moto's own DynamoDB handler (its validation, condition and update
expressions, ReturnValues, transactions and error shapes), run against a private moto backend whose
tables hold only the items the request touches, loaded from SQLite just before: the items named by
the request's keys, or for a Query the rows of one partition's key range in order, up to Limit and
1 MB. What changed is then written back, with the index entries and stream records, in one SQLite
transaction committed before the answer. So a call costs what it costs on DynamoDB (one partition,
its own items), a failed transaction changes nothing (moto's rollback restores only this working
set), and a SIGKILL after an answer loses nothing. The plainest calls (a whole-item GetItem or
BatchGetItem, a PutItem, a top-level UpdateItem, a TransactWriteItems of those, a BatchWriteItem, a
Query without filter or projection) skip moto's handler when they are plainly valid: see dynamodb_writes.

Not supported (moto's answer over an empty working set, or a ValidationException): the legacy
KeyConditions / ScanFilter parameters' key ranges, parallel Scan segments, PartiQL, UpdateTable,
backups and imports/exports; TTL is stored and echoed, expired items are not deleted.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from devstack.aws.dynamodb_query import answerable_query, item_size, key_bytes, query_plan, table_key
from devstack.aws.dynamodb_store import Store
from devstack.aws.dynamodb_streams import StreamsApi, stream_record
from devstack.aws.dynamodb_writes import (
    RefusedError,
    Write,
    batch_get_answer,
    simple_batch_get,
    simple_batch_write,
    simple_get,
    simple_put,
    simple_transaction,
    simple_update,
)

__all__ = ["DynamoDbEngine"]

_TARGET = "DynamoDB_20120810."
_STREAMS_TARGET = "DynamoDBStreams_20120810."
_PAGE_BYTES = 1024 * 1024
_RETENTION_SECONDS = 24 * 3600
# Actions answered by moto on the schema alone (nothing to load or persist).
_METADATA_ONLY = {
    "DescribeTable",
    "ListTables",
    "DescribeTimeToLive",
    "DescribeLimits",
    "DescribeEndpoints",
    "DescribeContinuousBackups",
    "ListTagsOfResource",
}
# Item actions whose results moto builds as wire-format DynamoDB JSON (see Handler.serialized).
_PLAIN_JSON = {
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactGetItems",
    "TransactWriteItems",
}
_UNSUPPORTED = {
    "UpdateTable",
    "ExecuteStatement",
    "ExecuteTransaction",
    "BatchExecuteStatement",
    "CreateBackup",
    "RestoreTableFromBackup",
    "RestoreTableToPointInTime",
    "ImportTable",
    "ExportTableToPointInTime",
    "UpdateContinuousBackups",
    "TagResource",
    "UntagResource",
}

Key = tuple[str, bytes, bytes]  # (table, pk, sk)


def error(code: str, message: str, status: int = 400, **extra: Any) -> Response:
    body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message, **extra}
    return Response(json.dumps(body), status, {"Content-Type": "application/x-amz-json-1.0"})


class DynamoDbEngine:
    """The local stack's DynamoDB and DynamoDB Streams (see the module's docstring)."""

    def __init__(self, path: str | Path, region: str = "us-east-1", account: str = "123456789012") -> None:
        from moto.dynamodb.models import DynamoDBBackend
        from moto.dynamodb.responses import DynamoHandler

        self.store = Store(path)
        self.region = region
        self.account = account
        self._backend = DynamoDBBackend(region, account)
        backend = self._backend

        class Handler(DynamoHandler):
            @property
            def dynamodb_backend(self) -> DynamoDBBackend:
                return backend

            def serialized(self, action_result: Any) -> Any:
                """An item call's answer is already DynamoDB JSON: written with json.dumps (moto's
                model-driven serializer costs more than the rest of the call). Anything json cannot
                write as is (binary values, timestamps) and every other action keep moto's serializer."""
                result = getattr(action_result, "result", None)
                if isinstance(result, dict) and self._get_action() in _PLAIN_JSON:
                    try:
                        body = json.dumps(result, separators=(",", ":"))
                    except (TypeError, ValueError):
                        pass
                    else:
                        headers = {"Content-Type": "application/x-amz-json-1.0"}
                        headers.update(self.response_headers)
                        return 200, headers, body
                return super().serialized(action_result)

        self._handler = Handler
        self._trimmed_at: dict[str, float] = {}
        self.streams = StreamsApi(self)
        with self.store.lock:
            self._restore_tables()

    # ------------------------------------------------------------------ the Engine protocol
    def handles(self, service: str, request: Request) -> bool:
        target = request.headers.get("X-Amz-Target", "")
        return target.startswith(_TARGET) or target.startswith(_STREAMS_TARGET)

    def handle(self, request: Request) -> Response:
        target = request.headers.get("X-Amz-Target", "")
        try:
            body = json.loads(request.get_data(cache=True) or b"{}")
        except ValueError:
            return error("SerializationException", "the request body is not JSON")
        action = target.split(".", 1)[1]
        with self.store.lock:
            if target.startswith(_STREAMS_TARGET):
                return self.streams.handle(action, body)
            return self._handle(action, body, request)

    def close(self) -> None:
        self.store.close()

    # ------------------------------------------------------------------ in-process API
    def trim_stream(self, stream_arn: str, before_sequence_number: str) -> None:
        """Drop the stream's records before `before_sequence_number` (every consumer has passed them)."""
        with self.store.lock:
            table = self.streams.table_of(stream_arn)
            if table is None:
                return
            self.store.begin()
            self.store.trim(table, before_seq=int(before_sequence_number))
            self.store.commit()

    @property
    def rows_read(self) -> int:
        """Item rows read from SQLite so far (what a call costs, for tests of flat cost)."""
        return self.store.rows_read

    # ------------------------------------------------------------------ dispatch
    def _handle(self, action: str, body: dict[str, Any], request: Request) -> Response:
        if action in _UNSUPPORTED:
            return error("ValidationException", f"{action} is not supported by the local stack's DynamoDB")
        legacy = [k for k in ("KeyConditions", "QueryFilter", "ScanFilter", "TotalSegments") if k in body]
        if action in ("Query", "Scan") and legacy:
            return error(
                "ValidationException",
                f"{legacy[0]} is not supported by the local stack's DynamoDB: use KeyConditionExpression "
                "and FilterExpression, and a Scan without segments",
            )
        if action == "Query":
            return self._read_range(body, request, query=True)
        if action == "Scan":
            return self._read_range(body, request, query=False)
        if action in _METADATA_ONLY:
            response = self._moto(request, body)
            if action == "DescribeTable" and response.status_code == 200:
                answer = json.loads(response.get_data())
                answer["Table"]["ItemCount"] = self.store.item_count(body.get("TableName", ""))
                response.set_data(json.dumps(answer))
            return response
        if action in ("CreateTable", "DeleteTable", "UpdateTimeToLive"):
            return self._schema_change(action, body, request)
        if action in ("GetItem", "PutItem", "UpdateItem"):
            simple = self._simple_call(action, body)
            if simple is not None:
                return simple
        if action == "BatchGetItem":
            wanted = simple_batch_get(body, self._table)
            if wanted is not None:
                return _json_response(batch_get_answer(wanted, self._stored(wanted)))
        if action == "BatchWriteItem":
            batch = self._simple_batch_write(body)
            if batch is not None:
                return batch
        if action == "TransactWriteItems":
            transaction = self._simple_transaction(body)
            if transaction is not None:
                return transaction
        try:
            keys = self._keys_of(action, body)
        except _InvalidKeyError as invalid:
            return error("ValidationException", str(invalid))
        return self._items_call(body, request, keys)

    def _moto(self, request: Request, body: dict[str, Any]) -> Response:
        """moto's answer to the request (with `body`) against the private backend."""
        from moto.core.request import Request as MotoRequest

        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "host")}
        moto_request = MotoRequest.from_primitives("POST", request.url, headers, json.dumps(body).encode())
        status, response_headers, payload = self._handler.dispatch(
            moto_request, request.url, moto_request.headers
        )
        kept = {
            k: v
            for k, v in dict(response_headers).items()
            if k.lower() not in ("status", "x-amz-crc32", "server", "date")
        }
        return Response(payload, int(status), kept)

    # ------------------------------------------------------------------ schemas
    def _restore_tables(self) -> None:
        for name, request, ttl, label, created in self.store.tables():
            self._handler_call("CreateTable", json.loads(request))
            table = self._backend.tables[name]
            table.latest_stream_label = label
            table.stream_shard = None
            table.created_at = datetime.fromtimestamp(created, UTC).replace(tzinfo=None)
            if ttl:
                self._backend.update_time_to_live(name, json.loads(ttl))

    def _handler_call(self, action: str, body: dict[str, Any]) -> None:
        from moto.core.request import Request as MotoRequest

        headers = {
            "X-Amz-Target": _TARGET + action,
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": (
                f"AWS4-HMAC-SHA256 Credential=testing/20260101/{self.region}/dynamodb/aws4_request"
            ),
        }
        request = MotoRequest.from_primitives("POST", "http://localhost/", headers, json.dumps(body).encode())
        status, _, payload = self._handler.dispatch(request, request.url, request.headers)
        if int(status) != 200:
            raise RuntimeError(f"could not restore a table: {payload}")

    def _schema_change(self, action: str, body: dict[str, Any], request: Request) -> Response:
        response = self._moto(request, body)
        if response.status_code != 200:
            return response
        name = body["TableName"]
        self.store.begin()
        try:
            if action == "CreateTable":
                table = self._backend.tables[name]
                table.stream_shard = None
                created = table.created_at.replace(tzinfo=UTC).timestamp()  # moto's naive UTC time
                self.store.add_table(name, body, table.latest_stream_label, created)
            elif action == "DeleteTable":
                self.store.drop_table(name)
            else:
                self.store.set_ttl(name, body["TimeToLiveSpecification"])
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise
        return response

    # ------------------------------------------------------------------ keys
    def _table(self, name: str) -> Any:
        return self._backend.tables.get(name)

    def _key(self, name: str, attrs: Any) -> Key | None:
        """The stored key of the item `attrs` names in table `name`; None if it names none validly."""
        table = self._table(name)
        found = table_key(table, attrs) if table is not None else None
        return None if found is None else (name, *found)

    def _keys_of(self, action: str, body: dict[str, Any]) -> dict[Key, dict[str, Any]]:
        """The items a request touches: their stored keys, and the attributes naming each."""
        named: list[tuple[str, Any]] = []
        name = body.get("TableName", "")
        if action == "PutItem":
            named.append((name, body.get("Item")))
        elif action in ("GetItem", "DeleteItem", "UpdateItem"):
            named.append((name, body.get("Key")))
        elif action == "BatchGetItem":
            for table, spec in (body.get("RequestItems") or {}).items():
                named.extend((table, key) for key in (spec or {}).get("Keys") or [])
        elif action == "BatchWriteItem":
            for table, writes in (body.get("RequestItems") or {}).items():
                for write in writes or []:
                    if "PutRequest" in write:
                        named.append((table, (write["PutRequest"] or {}).get("Item")))
                    elif "DeleteRequest" in write:
                        named.append((table, (write["DeleteRequest"] or {}).get("Key")))
        elif action in ("TransactWriteItems", "TransactGetItems"):
            for entry in body.get("TransactItems") or []:
                for operation in (entry or {}).values():
                    operation = operation or {}
                    named.append(
                        (operation.get("TableName", ""), operation.get("Key") or operation.get("Item"))
                    )
        found: dict[Key, dict[str, Any]] = {}
        for table, attrs in named:
            key = self._key(table, attrs)
            if key is not None:
                found.setdefault(key, attrs)
            elif self._table(table) is not None and isinstance(attrs, dict):
                raise _InvalidKeyError(self._key_problem(self._table(table), attrs))
        return found

    @staticmethod
    def _key_problem(table: Any, attrs: dict[str, Any]) -> str:
        """Why `attrs` names no item of `table`, in DynamoDB's words."""
        for name, kind in (
            (table.hash_key_attr, table.hash_key_type),
            (table.range_key_attr, table.range_key_type),
        ):
            if not name:
                continue
            value = attrs.get(name)
            if not isinstance(value, dict):
                return f"One or more parameter values were invalid: Missing the key {name} in the item"
            if kind not in value:
                actual = next(iter(value), "")
                return (
                    "One or more parameter values were invalid: "
                    f"Type mismatch for key {name} expected: {kind} actual: {actual}"
                )
            if value[kind] in ("", b""):
                return (
                    "One or more parameter values are not valid. The AttributeValue for a key attribute "
                    f"cannot contain an empty string value. Key: {name}"
                )
        return "The provided key element does not match the schema"

    # ------------------------------------------------------------------ working set
    def _load(self, name: str, item: dict[str, Any]) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType, Item

        table = self._backend.tables[name]
        hash_value = DynamoType(item[table.hash_key_attr])
        if table.range_key_attr:
            range_value = DynamoType(item[table.range_key_attr])
            table.items[hash_value][range_value] = Item(hash_value, range_value, item)
        else:
            table.items[hash_value] = Item(hash_value, None, item)  # type: ignore[assignment]

    def _current(self, name: str, attrs: dict[str, Any]) -> dict[str, Any] | None:
        """The item of the working set that `attrs` names, as DynamoDB JSON (None: there is none)."""
        from moto.dynamodb.models.dynamo_type import DynamoType

        table = self._backend.tables[name]  # not cached: a failed transaction swaps moto's table objects
        hash_value = DynamoType(attrs[table.hash_key_attr])
        range_value = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
        item = table.get_item(hash_value, range_value)
        return None if item is None else item.to_json()["Attributes"]

    def _clear(self, names: Iterable[str]) -> None:
        for name in names:
            table = self._backend.tables.get(name)
            if table is not None:
                table.items = defaultdict(dict)

    def _items_call(
        self, body: dict[str, Any], request: Request, keys: dict[Key, dict[str, Any]]
    ) -> Response:
        names = {key[0] for key in keys}
        before: dict[Key, dict[str, Any] | None] = {}
        self._clear(names)
        try:
            for key in keys:
                before[key] = self.store.get(*key)
                if before[key] is not None:
                    self._load(key[0], before[key])  # type: ignore[arg-type]
            response = self._moto(request, body)
            if response.status_code == 200:
                changes = {}
                for key, attrs in keys.items():
                    after = self._current(key[0], attrs)
                    if after != before[key]:
                        changes[key] = after
                if changes:
                    self._persist(before, changes)
            return response
        finally:
            self._clear(names)

    def _persist(
        self, before: dict[Key, dict[str, Any] | None], changes: dict[Key, dict[str, Any] | None]
    ) -> None:
        now = time.time()
        self.store.begin()
        try:
            for key, after in changes.items():
                name, pk, sk = key
                table = self._backend.tables[name]
                old = before[key]
                for entry in self._entries(table, old, pk, sk):
                    self.store.remove_entry(name, *entry)
                if after is None:
                    self.store.delete(name, pk, sk)
                else:
                    self.store.put(name, pk, sk, after, existed=old is not None)
                    for entry in self._entries(table, after, pk, sk):
                        self.store.add_entry(name, *entry)
                view = (table.stream_specification or {}).get("StreamViewType")
                if table.latest_stream_label and (table.stream_specification or {}).get("StreamEnabled"):
                    record = partial(stream_record, table, view, old, after, created=now, region=self.region)
                    self.store.append_record(name, now, record)
            for name in {key[0] for key in changes}:
                if now - self._trimmed_at.get(name, 0.0) > 60:
                    self._trimmed_at[name] = now
                    self.store.trim(name, before_time=now - _RETENTION_SECONDS)
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise

    @staticmethod
    def _entries(
        table: Any, item: dict[str, Any] | None, pk: bytes, sk: bytes
    ) -> list[tuple[str, bytes, bytes, bytes, bytes]]:
        """The index entries (index, ipk, isk, pk, sk) of an item: one per index whose keys it has."""
        if item is None:
            return []
        types = {a["AttributeName"]: a["AttributeType"] for a in table.attr}
        entries = []
        for index in table.all_indexes():
            hash_name = next(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")
            range_names = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
            ipk = key_bytes(item.get(hash_name), types.get(hash_name, ""))
            isk = key_bytes(item.get(range_names[0]), types.get(range_names[0], "")) if range_names else b""
            if ipk is not None and isk is not None:
                entries.append((index.name, ipk, isk, pk, sk))
        return entries

    def _simple_call(self, action: str, body: dict[str, Any]) -> Response | None:
        """The answer to a plainly valid GetItem, PutItem or UpdateItem, without moto's handler (see
        devstack.aws.dynamodb_writes); None when moto must answer."""
        name = body.get("TableName", "")
        table = self._table(name)
        key = (
            self._key(name, body.get("Item" if action == "PutItem" else "Key")) if table is not None else None
        )
        if key is None:
            return None
        stored = self.store.get(*key)
        if action == "GetItem":
            answer = simple_get(body, table, stored)
            return None if answer is None else _json_response(answer)
        if action == "PutItem":
            outcome = simple_put(body, table, stored, _condition_holds)
        else:
            outcome = simple_update(body, table, stored, _condition_holds)
        if outcome is None:
            return None
        if outcome.after is None:
            return _json_response(outcome.answer, 400)
        if outcome.after != stored:
            self._persist({key: stored}, {key: outcome.after})
        return _json_response(outcome.answer)

    def _stored(self, wanted: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any] | None]]:
        """The stored item (or None) of each key, by table, in order (simple_batch_get checked the keys)."""
        stored: dict[str, list[dict[str, Any] | None]] = {name: [] for name in wanted}
        for name, keys in wanted.items():
            for attrs in keys:
                key = self._key(name, attrs)
                assert key is not None  # an exact key of an existing table
                stored[name].append(self.store.get(*key))
        return stored

    def _simple_batch_write(self, body: dict[str, Any]) -> Response | None:
        """A BatchWriteItem of plainly valid puts and deletes, written without moto's handler."""
        try:
            found = simple_batch_write(body, self._table)
        except RefusedError as refused:
            return error("ValidationException", str(refused))
        if found is None:
            return None
        writes, answer = found
        self._write_all(writes)
        return _json_response(answer)

    def _simple_transaction(self, body: dict[str, Any]) -> Response | None:
        """A TransactWriteItems of plainly valid operations, without moto's handler: all its writes
        in one SQLite transaction, or none and moto's TransactionCanceledException."""

        read: dict[Key, dict[str, Any] | None] = {}

        def stored_of(name: str, attrs: dict[str, Any]) -> dict[str, Any] | None:
            key = self._key(name, attrs)
            if key is None:
                return None
            read[key] = self.store.get(*key)
            return read[key]

        found = simple_transaction(body, self._table, stored_of, _condition_holds)
        if found is None:
            return None
        writes, cancelled = found
        if cancelled is not None:
            return _json_response(cancelled, 400)
        self._write_all(writes, read)
        return _json_response({"ConsumedCapacity": [], "ItemCollectionMetrics": {}})

    def _write_all(self, writes: list[Write], read: dict[Key, dict[str, Any] | None] | None = None) -> None:
        """Each item as `writes` leaves it (None: deleted), the changed ones in one transaction;
        `read` holds items already read from the store under this lock."""
        before: dict[Key, dict[str, Any] | None] = {}
        changes: dict[Key, dict[str, Any] | None] = {}
        for write in writes:
            key = self._key(write.table, write.key)
            assert key is not None  # the write's key was checked
            before[key] = read[key] if read is not None and key in read else self.store.get(*key)
            if write.item != before[key]:
                changes[key] = write.item
        if changes:
            self._persist(before, changes)

    # ------------------------------------------------------------------ Query and Scan
    def _read_range(self, body: dict[str, Any], request: Request, query: bool) -> Response:
        name = body.get("TableName", "")
        table = self._table(name)
        plan = query_plan(self._backend, table, body, query) if table is not None else None
        if plan is None:
            return self._moto(request, body)  # moto's error (unknown table, bad expression...)
        index, pk, bounds = plan
        forward = body.get("ScanIndexForward", True) is not False or not query
        limit = body.get("Limit")
        loaded: list[dict[str, Any]] = []
        size = 0
        truncated = False
        self._clear([name])
        try:
            # A page stops at Limit (without reading further: DynamoDB then gives a LastEvaluatedKey even
            # if nothing follows) or before the item that would take it past 1 MB.
            if not (isinstance(limit, int) and limit < 1):
                for item in self.store.range(name, index.name if index else None, pk, bounds, forward):
                    measured = item_size(item)
                    if size + measured > _PAGE_BYTES:
                        truncated = True
                        break
                    loaded.append(item)
                    size += measured
                    if isinstance(limit, int) and len(loaded) >= limit:
                        truncated = True
                        break
            plain = _plain_read(body, index)
            if plain and query and answerable_query(body, index):
                response = _json_response({})  # plainly valid: the rows read are the whole answer
            else:
                for item in [] if plain else loaded:
                    self._load(name, item)
                # Any other plain read is still checked by moto, over an empty working set (its
                # validation, its errors), but answered with the rows read: handing moto a partition
                # of thousands of items to give them back costs more than all the rest.
                response = self._moto(request, {k: v for k, v in body.items() if k != "ExclusiveStartKey"})
        finally:
            self._clear([name])
        if response.status_code != 200:
            return response
        answer = json.loads(response.get_data())
        if plain:
            answer.update(Items=loaded, Count=len(loaded), ScannedCount=len(loaded))
        answer.pop("LastEvaluatedKey", None)
        if truncated and loaded:
            names = list(table.table_key_attrs)
            if index is not None:
                names += [k["AttributeName"] for k in index.schema if k["AttributeName"] not in names]
            answer["LastEvaluatedKey"] = {n: loaded[-1][n] for n in names if n in loaded[-1]}
        response.set_data(json.dumps(answer))
        return response


# What makes a Query or Scan answer differ from the rows of its key range, in order.
_SHAPING = ("FilterExpression", "ProjectionExpression", "Select", "AttributesToGet", "ReturnConsumedCapacity")


def _plain_read(body: dict[str, Any], index: Any) -> bool:
    """True when the answer is exactly the rows read: nothing filters, projects or counts them, and
    an index (if any) projects every attribute."""
    if any(body.get(name) not in (None, "", "NONE") for name in _SHAPING):
        return False
    return index is None or (index.projection or {}).get("ProjectionType") == "ALL"


def _json_response(answer: dict[str, Any], status: int = 200) -> Response:
    return Response(
        json.dumps(answer, separators=(",", ":")), status, {"Content-Type": "application/x-amz-json-1.0"}
    )


def _condition_holds(
    table: Any, expression: str, names: dict[str, Any], values: dict[str, Any], item: dict[str, Any] | None
) -> bool:
    """moto's own parse and evaluation of a ConditionExpression against `item` (None: no item)."""
    from moto.dynamodb.comparisons import create_condition_expression_parser
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    if values or not all(isinstance(v, str) for v in names.values()):
        condition = create_condition_expression_parser(expression, names, values).parse()
    else:  # no values (attribute_not_exists(pk)...): the same parse every time
        condition = _parsed_condition(expression, tuple(sorted(names.items())))
    if item is None:
        return bool(condition.expr(None))
    # An Item built without moto's LimitedSizeDict, which re-measures the item on every attribute.
    subject: Any = Item.__new__(Item)
    subject.hash_key = DynamoType(item[table.hash_key_attr])
    subject.range_key = DynamoType(item[table.range_key_attr]) if table.range_key_attr else None
    subject.attrs = {name: DynamoType(value) for name, value in item.items()}
    return bool(condition.expr(subject))


@lru_cache(maxsize=256)
def _parsed_condition(expression: str, names: tuple[tuple[str, Any], ...]) -> Any:
    """moto's parse of a condition without values (it keeps no state from one evaluation to the next)."""
    from moto.dynamodb.comparisons import create_condition_expression_parser

    return create_condition_expression_parser(expression, dict(names), {}).parse()


class _InvalidKeyError(Exception):
    """A request naming an item by an invalid key (a ValidationException)."""
