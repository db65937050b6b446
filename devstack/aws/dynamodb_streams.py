"""DynamoDB Streams for the local DynamoDB engine: records are written by the engine in the same SQLite
transaction as the item they describe; this module shapes them and answers the Streams API (one open
shard per stream; iterators are opaque tokens naming a position, valid 15 minutes as on AWS)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from devstack.aws.dynamodb import DynamoDbEngine

__all__ = ["StreamsApi", "sequence_number", "stream_record"]

SHARD_ID = "shardId-00000000000000000001-00000001"
_ITERATOR_SECONDS = 15 * 60


def sequence_number(seq: int) -> str:
    """A record's SequenceNumber: decimal, zero-padded so that string order is sequence order."""
    return f"{seq:021d}"


def stream_record(
    table: Any,
    view: str | None,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    seq: int,
    *,
    created: float,
    region: str,
) -> dict[str, Any]:
    """The stream record of a write that changed an item from `old` to `new` (DynamoDB JSON)."""
    image = new if new is not None else old
    assert image is not None
    keys = {name: image[name] for name in table.table_key_attrs if name in image}
    data: dict[str, Any] = {
        "ApproximateCreationDateTime": float(int(created)),
        "Keys": keys,
        "SequenceNumber": sequence_number(seq),
        "StreamViewType": view or "KEYS_ONLY",
    }
    if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") and new is not None:
        data["NewImage"] = new
    if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") and old is not None:
        data["OldImage"] = old
    data["SizeBytes"] = len(json.dumps({k: data.get(k) for k in ("Keys", "NewImage", "OldImage")}))
    return {
        "eventID": uuid.uuid4().hex,
        "eventName": "INSERT" if old is None else "REMOVE" if new is None else "MODIFY",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": data,
    }


def _error(code: str, message: str) -> Response:
    body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message}
    return Response(json.dumps(body), 400, {"Content-Type": "application/x-amz-json-1.0"})


def _ok(body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), 200, {"Content-Type": "application/x-amz-json-1.0"})


class StreamsApi:
    """ListStreams, DescribeStream, GetShardIterator and GetRecords over the engine's store."""

    def __init__(self, engine: DynamoDbEngine) -> None:
        self.engine = engine

    # ------------------------------------------------------------------ streams of tables
    def _streams(self) -> dict[str, Any]:
        """Every enabled stream by ARN: its table (moto's schema object)."""
        found = {}
        for table in self.engine._backend.tables.values():
            spec = table.stream_specification or {}
            if spec.get("StreamEnabled") and table.latest_stream_label:
                found[f"{table.table_arn}/stream/{table.latest_stream_label}"] = table
        return found

    def _stream_table(self, arn: str) -> Any:
        """The stream's table, or the ResourceNotFoundException response DynamoDB Streams gives."""
        table = self._streams().get(arn)
        if table is None:
            return _error(
                "ResourceNotFoundException", f"Requested resource not found: Stream: {arn} not found"
            )
        return table

    def table_of(self, stream_arn: str) -> str | None:
        table = self._streams().get(stream_arn)
        return None if table is None else str(table.name)

    def handle(self, action: str, body: dict[str, Any]) -> Response:
        handler = {
            "ListStreams": self._list_streams,
            "DescribeStream": self._describe_stream,
            "GetShardIterator": self._get_shard_iterator,
            "GetRecords": self._get_records,
        }.get(action)
        if handler is None:
            return _error("UnknownOperationException", f"{action} is not a DynamoDB Streams operation")
        return handler(body)

    def _list_streams(self, body: dict[str, Any]) -> Response:
        wanted = body.get("TableName")
        streams = [
            {"StreamArn": arn, "TableName": table.name, "StreamLabel": table.latest_stream_label}
            for arn, table in sorted(self._streams().items())
            if wanted in (None, table.name)
        ]
        return _ok({"Streams": streams})

    def _describe_stream(self, body: dict[str, Any]) -> Response:
        arn = body.get("StreamArn", "")
        table = self._stream_table(arn)
        if isinstance(table, Response):
            return table
        _, trimmed = self.engine.store.stream_position(table.name)
        return _ok(
            {
                "StreamDescription": {
                    "StreamArn": arn,
                    "StreamLabel": table.latest_stream_label,
                    "StreamStatus": "ENABLED",
                    "StreamViewType": table.stream_specification["StreamViewType"],
                    "CreationRequestDateTime": table.created_at.timestamp(),
                    "TableName": table.name,
                    "KeySchema": table.schema,
                    "Shards": [
                        {
                            "ShardId": SHARD_ID,
                            "SequenceNumberRange": {"StartingSequenceNumber": sequence_number(trimmed + 1)},
                        }
                    ],
                }
            }
        )

    def _get_shard_iterator(self, body: dict[str, Any]) -> Response:
        arn = body.get("StreamArn", "")
        table = self._stream_table(arn)
        if isinstance(table, Response):
            return table
        if body.get("ShardId") != SHARD_ID:
            return _error(
                "ResourceNotFoundException", f"Requested resource not found: Shard: {body.get('ShardId')}"
            )
        latest, trimmed = self.engine.store.stream_position(table.name)
        kind = body.get("ShardIteratorType")
        if kind == "TRIM_HORIZON":
            position = trimmed
        elif kind == "LATEST":
            position = latest
        elif kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            try:
                seq = int(body.get("SequenceNumber", ""))
            except ValueError:
                return _error("ValidationException", "SequenceNumber must be a sequence number of the shard")
            if seq > latest:
                return _error(
                    "ValidationException",
                    f"SequenceNumber {body['SequenceNumber']} is beyond the shard's end",
                )
            position = seq - 1 if kind == "AT_SEQUENCE_NUMBER" else seq
            if position < trimmed:
                return _error(
                    "TrimmedDataAccessException",
                    f"SequenceNumber {body['SequenceNumber']} is older than the stream's trim horizon",
                )
        else:
            return _error("ValidationException", f"ShardIteratorType {kind!r} is not supported")
        return _ok({"ShardIterator": self._iterator(arn, position)})

    @staticmethod
    def _iterator(arn: str, position: int) -> str:
        token = json.dumps({"arn": arn, "after": position, "issued": time.time()})
        return base64.urlsafe_b64encode(token.encode()).decode()

    def _get_records(self, body: dict[str, Any]) -> Response:
        try:
            token = json.loads(base64.urlsafe_b64decode(str(body.get("ShardIterator", ""))))
            arn, position, issued = str(token["arn"]), int(token["after"]), float(token["issued"])
        except (ValueError, KeyError, TypeError):
            return _error("ValidationException", "ShardIterator is not an iterator of this stream")
        if time.time() - issued > _ITERATOR_SECONDS:
            return _error("ExpiredIteratorException", "Iterator expired: it was issued over 15 minutes ago")
        table = self._stream_table(arn)
        if isinstance(table, Response):
            return table
        _, trimmed = self.engine.store.stream_position(table.name)
        if position < trimmed:
            return _error("TrimmedDataAccessException", "the iterator points to records already trimmed")
        limit = int(body.get("Limit") or 1000)
        if not 1 <= limit <= 1000:
            return _error("ValidationException", "Limit must be between 1 and 1000")
        records = self.engine.store.records_after(table.name, position, limit)
        if records:
            position = records[-1][0]
        return _ok(
            {"Records": [record for _, record in records], "NextShardIterator": self._iterator(arn, position)}
        )
