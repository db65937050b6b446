"""SQS on SQLite for the local stack: SQS's JSON protocol (X-Amz-Target `AmazonSQS.*`) in front of
devstack.aws.sqs_store, so queued work survives a restart and a SIGKILL.

Supported: CreateQueue (idempotent for equal attributes), GetQueueUrl, ListQueues, GetQueueAttributes,
SetQueueAttributes, DeleteQueue, PurgeQueue, TagQueue, UntagQueue, ListQueueTags, SendMessage(Batch),
ReceiveMessage (long polling, redrive to the DLQ after maxReceiveCount), DeleteMessage(Batch),
ChangeMessageVisibility(Batch). MD5OfMessageBody / MD5OfMessageAttributes are computed with moto's
own code (AWS's algorithm). Not emulated: FIFO queues (refused with InvalidAttributeValue), permissions
(AddPermission...), message move tasks, dead-letter source listing, KMS (the key id is only stored):
those answer UnsupportedOperation.

Restart: in-flight messages come back at once (see devstack.aws.sqs_store, a deliberate local choice).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from devstack.aws.sqs_store import (
    DEFAULT_SENDER_ID,
    MAX_DELAY_SECONDS,
    SqsError,
    SqsStore,
    StoredMessage,
    wire_attributes,
)

__all__ = ["SqsEngine", "attributes_md5", "body_md5"]

_TARGET_PREFIX = "AmazonSQS."
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,256}$")
_BATCH_ID = re.compile(r"^[A-Za-z0-9_\-]{1,80}$")
_SYSTEM_ATTRIBUTES = (
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "AWSTraceHeader",
)
_QUEUE_ATTRIBUTE_NAMES = frozenset(
    {
        "All",
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
        "CreatedTimestamp",
        "LastModifiedTimestamp",
        "QueueArn",
        "DelaySeconds",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "Policy",
        "ReceiveMessageWaitTimeSeconds",
        "RedrivePolicy",
        "RedriveAllowPolicy",
        "VisibilityTimeout",
        "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds",
        "SqsManagedSseEnabled",
        "FifoQueue",
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "FifoThroughputLimit",
    }
)


def body_md5(body: str) -> str:
    from moto.sqs.models import Message

    return str(Message("md5", body).body_md5)


def attributes_md5(attributes: dict[str, dict[str, Any]]) -> str:
    """MD5OfMessageAttributes as SQS computes it (binary values as bytes)."""
    from moto.sqs.models import Message

    message = Message("md5", "")
    message.message_attributes = attributes
    return str(message.attribute_md5)


@cache
def _error_codes() -> dict[str, tuple[str, int]]:
    """Error shape -> (query-compatible code, HTTP status), from the SQS model moto ships (botocore's
    lacks the awsQueryError codes that botocore maps to its exception classes)."""
    from moto.core.loaders import create_loader

    model = create_loader().load_service_model("sqs", "service-2")
    codes = {}
    for name, shape in model["shapes"].items():
        if shape.get("exception"):
            error = shape.get("error") or {}
            codes[name] = (str(error.get("code", name)), int(error.get("httpStatusCode", 400)))
    return codes


def _error(error: SqsError) -> Response:
    code, status = _error_codes().get(error.shape, (error.shape, error.status))
    body = json.dumps({"__type": f"com.amazonaws.sqs#{error.shape}", "message": error.message})
    response = Response(body, status=status, content_type="application/x-amz-json-1.0")
    response.headers["x-amzn-query-error"] = f"{code};Sender"
    response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    return response


def _validated_attributes(attributes: Any) -> dict[str, dict[str, Any]]:
    """Message attributes as sent in the JSON protocol (binary values base64), checked as SQS checks
    them, with binary values decoded."""
    checked: dict[str, dict[str, Any]] = {}
    if not attributes:
        return checked
    if len(attributes) > 10:
        raise SqsError(
            "InvalidParameterValue",
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum [10].",
        )
    for name, value in attributes.items():
        if not _ATTRIBUTE_NAME.match(name) or name.lower().startswith(("aws.", "amazon.")):
            raise SqsError(
                "InvalidParameterValue",
                f"The message attribute name '{name}' is invalid. Attribute name can contain A-Z, a-z, 0-9, "
                "underscore (_), hyphen (-), and period (.) characters.",
            )
        data_type = str((value or {}).get("DataType") or "")
        if data_type.split(".")[0] not in ("String", "Number", "Binary"):
            raise SqsError(
                "InvalidParameterValue",
                f"The message attribute '{name}' has an invalid message attribute type, the set of supported "
                "type prefixes is Binary, Number, and String.",
            )
        entry: dict[str, Any] = {"DataType": data_type}
        if data_type.startswith("Binary"):
            raw = value.get("BinaryValue")
            if not raw:
                raise SqsError(
                    "InvalidParameterValue",
                    f"The message attribute '{name}' must contain non-empty message attribute value "
                    f"for message attribute type '{data_type}'.",
                )
            entry["BinaryValue"] = base64.b64decode(raw)
        else:
            text = value.get("StringValue")
            if text is None or text == "":
                raise SqsError(
                    "InvalidParameterValue",
                    f"The message attribute '{name}' must contain non-empty message attribute value "
                    f"for message attribute type '{data_type}'.",
                )
            if data_type.startswith("Number"):
                try:
                    float(text)
                except ValueError as error:
                    raise SqsError(
                        "InvalidParameterValue",
                        f"Can't cast the value of message (user) attribute '{name}' to a number.",
                    ) from error
            entry["StringValue"] = str(text)
        checked[name] = entry
    return checked


def _size(body: str, attributes: dict[str, dict[str, Any]]) -> int:
    total = len(body.encode())
    for name, value in attributes.items():
        total += len(name.encode()) + len(value["DataType"].encode())
        payload = value.get("BinaryValue") or value.get("StringValue", "").encode()
        total += len(payload)
    return total


class SqsEngine:
    """The SQS engine of the local stack's AWS endpoint (see devstack.aws.endpoint.Engine)."""

    def __init__(
        self, path: str | Path, *, account: str, region: str, release_in_flight: bool = True
    ) -> None:
        self.store = SqsStore(path, account=account, region=region, release_in_flight=release_in_flight)
        self.account = account
        self._operations: dict[str, Callable[[Request, dict[str, Any]], dict[str, Any]]] = {
            "CreateQueue": self._create_queue,
            "GetQueueUrl": self._get_queue_url,
            "ListQueues": self._list_queues,
            "GetQueueAttributes": self._get_queue_attributes,
            "SetQueueAttributes": self._set_queue_attributes,
            "DeleteQueue": self._delete_queue,
            "PurgeQueue": self._purge_queue,
            "TagQueue": self._tag_queue,
            "UntagQueue": self._untag_queue,
            "ListQueueTags": self._list_queue_tags,
            "SendMessage": self._send_message,
            "SendMessageBatch": self._send_message_batch,
            "ReceiveMessage": self._receive_message,
            "DeleteMessage": self._delete_message,
            "DeleteMessageBatch": self._delete_message_batch,
            "ChangeMessageVisibility": self._change_visibility,
            "ChangeMessageVisibilityBatch": self._change_visibility_batch,
        }

    # ------------------------------------------------------------------ Engine
    def handles(self, service: str, request: Request) -> bool:
        return request.headers.get("X-Amz-Target", "").startswith(_TARGET_PREFIX)

    def handle(self, request: Request) -> Response:
        operation = request.headers.get("X-Amz-Target", "")[len(_TARGET_PREFIX) :]
        try:
            method = self._operations.get(operation)
            if method is None:
                raise SqsError("UnsupportedOperation", f"{operation} is not emulated by the local stack.")
            try:
                parameters = json.loads(request.get_data(cache=True) or b"{}")
            except ValueError as error:
                raise SqsError("InvalidParameterValue", "The request body is not valid JSON.") from error
            result = method(request, parameters)
        except SqsError as error:
            return _error(error)
        response = Response(json.dumps(result), status=200, content_type="application/x-amz-json-1.0")
        response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
        return response

    def close(self) -> None:
        self.store.close()

    # ------------------------------------------------------------------ helpers
    def _url(self, request: Request, name: str) -> str:
        return f"{request.host_url.rstrip('/')}/{self.account}/{name}"

    @staticmethod
    def _name(parameters: dict[str, Any]) -> str:
        url = parameters.get("QueueUrl")
        if not url:
            raise SqsError(
                "MissingRequiredParameterException", "The request must contain the parameter QueueUrl."
            )
        return str(url).rstrip("/").rsplit("/", 1)[-1]

    @staticmethod
    def _batch(parameters: dict[str, Any], action: str) -> list[dict[str, Any]]:
        entries = list(parameters.get("Entries") or [])
        if not entries:
            raise SqsError(
                "EmptyBatchRequest", f"There should be at least one {action}BatchRequestEntry in the request."
            )
        if len(entries) > 10:
            raise SqsError(
                "TooManyEntriesInBatchRequest",
                f"Maximum number of entries per request are 10. You have sent {len(entries)}.",
            )
        seen: set[str] = set()
        for entry in entries:
            identifier = str(entry.get("Id", ""))
            if not _BATCH_ID.match(identifier):
                raise SqsError(
                    "InvalidBatchEntryId",
                    "A batch entry id can only contain alphanumeric characters, hyphens and "
                    "underscores. It can be at most 80 letters long.",
                )
            if identifier in seen:
                raise SqsError("BatchEntryIdsNotDistinct", f"Id {identifier} repeated.")
            seen.add(identifier)
        return entries

    @staticmethod
    def _failure(identifier: str, error: SqsError) -> dict[str, Any]:
        code = _error_codes().get(error.shape, (error.shape, 400))[0]
        return {"Id": identifier, "SenderFault": True, "Code": code, "Message": error.message}

    # ------------------------------------------------------------------ queues
    def _create_queue(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        name = str(parameters.get("QueueName") or "")
        self.store.create_queue(
            name, dict(parameters.get("Attributes") or {}), dict(parameters.get("tags") or {})
        )
        return {"QueueUrl": self._url(request, name)}

    def _get_queue_url(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        name = str(parameters.get("QueueName") or "")
        if not self.store.exists(name):
            raise SqsError("QueueDoesNotExist", "The specified queue does not exist.")
        return {"QueueUrl": self._url(request, name)}

    def _list_queues(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        names = self.store.list_queues(str(parameters.get("QueueNamePrefix") or ""))
        limit = parameters.get("MaxResults")
        start = int(parameters.get("NextToken") or 0)
        if limit:
            page = names[start : start + int(limit)]
            result: dict[str, Any] = {"QueueUrls": [self._url(request, n) for n in page]} if page else {}
            if start + int(limit) < len(names):
                result["NextToken"] = str(start + int(limit))
            return result
        return {"QueueUrls": [self._url(request, n) for n in names[:1000]]} if names else {}

    def _get_queue_attributes(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        names = list(parameters.get("AttributeNames") or [])
        for wanted in names:
            if wanted not in _QUEUE_ATTRIBUTE_NAMES:
                raise SqsError("InvalidAttributeName", f"Unknown Attribute {wanted}.")
        attributes = self.store.attributes(self._name(parameters))
        if "All" not in names:
            attributes = {key: value for key, value in attributes.items() if key in names}
        return {"Attributes": attributes} if attributes else {}

    def _set_queue_attributes(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        self.store.set_attributes(self._name(parameters), dict(parameters.get("Attributes") or {}))
        return {}

    def _delete_queue(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        self.store.delete_queue(self._name(parameters))
        return {}

    def _purge_queue(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        self.store.purge(self._name(parameters))
        return {}

    def _tag_queue(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        self.store.tag(self._name(parameters), dict(parameters.get("Tags") or {}))
        return {}

    def _untag_queue(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        self.store.tag(self._name(parameters), {}, remove=list(parameters.get("TagKeys") or []))
        return {}

    def _list_queue_tags(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        tags = self.store.tags(self._name(parameters))
        return {"Tags": tags}

    # ------------------------------------------------------------------ sending
    def _checked_entry(
        self, name: str, entry: dict[str, Any]
    ) -> tuple[str, dict[str, dict[str, Any]], dict[str, dict[str, Any]], int | None]:
        body = entry.get("MessageBody")
        if body is None or body == "":
            raise SqsError(
                "MissingRequiredParameterException", "The request must contain the parameter MessageBody."
            )
        body = str(body)
        if any(ch in body for ch in "\ufffe\uffff") or any(
            ord(ch) < 0x20 and ch not in "\t\n\r" for ch in body
        ):
            raise SqsError(
                "InvalidMessageContents",
                "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to "
                "#xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
            )
        delay = entry.get("DelaySeconds")
        if delay is not None and not 0 <= int(delay) <= MAX_DELAY_SECONDS:
            raise SqsError(
                "InvalidParameterValue",
                f"Value {delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be "
                ">= 0 and <= 900.",
            )
        attributes = _validated_attributes(entry.get("MessageAttributes"))
        system = _validated_attributes(entry.get("MessageSystemAttributes"))
        limit = self.store.max_message_size(name)
        if _size(body, attributes) > limit:
            raise SqsError(
                "InvalidParameterValue",
                f"One or more parameters are invalid. Reason: Message must be shorter than {limit} bytes.",
            )
        return body, attributes, system, None if delay is None else int(delay)

    @staticmethod
    def _sent(message: StoredMessage) -> dict[str, Any]:
        result = {"MessageId": message.message_id, "MD5OfMessageBody": body_md5(message.body)}
        if message.attributes:
            result["MD5OfMessageAttributes"] = attributes_md5(message.attributes)
        if message.system_attributes:
            result["MD5OfMessageSystemAttributes"] = attributes_md5(message.system_attributes)
        return result

    def _send_message(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        name = self._name(parameters)
        body, attributes, system, delay = self._checked_entry(name, parameters)
        message = self.store.send(
            name, body, attributes=attributes, system_attributes=system, delay_seconds=delay
        )
        return self._sent(message)

    def _send_message_batch(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        name = self._name(parameters)
        if not self.store.exists(name):
            raise SqsError("QueueDoesNotExist", "The specified queue does not exist.")
        entries = self._batch(parameters, "SendMessage")
        checked: list[tuple[str, tuple[str, dict[str, Any], dict[str, Any], int | None]]] = []
        failed = []
        for entry in entries:
            try:
                checked.append((str(entry["Id"]), self._checked_entry(name, entry)))
            except SqsError as error:
                failed.append(self._failure(str(entry["Id"]), error))
        total = sum(_size(item[1][0], item[1][1]) for item in checked)
        if total > self.store.max_message_size(name):
            raise SqsError(
                "BatchRequestTooLong",
                f"Batch requests cannot be longer than 1048576 bytes. You have sent {total} bytes.",
            )
        stored = self.store.send_many(name, [item for _, item in checked]) if checked else []
        successful = [
            {"Id": identifier, **self._sent(message)}
            for (identifier, _), message in zip(checked, stored, strict=True)
        ]
        return {"Successful": successful, "Failed": failed}

    # ------------------------------------------------------------------ receiving
    def _receive_message(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        name = self._name(parameters)
        limit = int(parameters.get("MaxNumberOfMessages") or 1)
        if not 1 <= limit <= 10:
            raise SqsError(
                "InvalidParameterValue",
                f"Value {limit} for parameter MaxNumberOfMessages is invalid. Reason: Must be "
                "between 1 and 10, if provided.",
            )
        wait = parameters.get("WaitTimeSeconds")
        if wait is None:
            wait = self.store.queue_attribute(name, "ReceiveMessageWaitTimeSeconds") or 0
        if not 0 <= int(wait) <= 20:
            raise SqsError(
                "InvalidParameterValue",
                f"Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and "
                "<= 20, if provided.",
            )
        visibility = parameters.get("VisibilityTimeout")
        if visibility is not None and not 0 <= int(visibility) <= 43_200:
            raise SqsError(
                "InvalidParameterValue",
                f"Value {visibility} for parameter VisibilityTimeout is invalid. Reason: Must be "
                "between 0 and 43200.",
            )
        messages = self.store.receive(
            name,
            limit=limit,
            visibility=None if visibility is None else int(visibility),
            wait_seconds=int(wait),
        )
        wanted = set(parameters.get("AttributeNames") or []) | set(
            parameters.get("MessageSystemAttributeNames") or []
        )
        attribute_names = list(parameters.get("MessageAttributeNames") or [])
        return (
            {"Messages": [self._received(m, wanted, attribute_names) for m in messages]} if messages else {}
        )

    @staticmethod
    def _received(message: StoredMessage, wanted: set[str], attribute_names: list[str]) -> dict[str, Any]:
        result: dict[str, Any] = {
            "MessageId": message.message_id,
            "ReceiptHandle": message.receipt_handle,
            "MD5OfBody": body_md5(message.body),
            "Body": message.body,
        }
        every = "All" in wanted
        values = {
            "SenderId": DEFAULT_SENDER_ID,
            "SentTimestamp": str(message.sent_ms),
            "ApproximateReceiveCount": str(message.receive_count),
            "ApproximateFirstReceiveTimestamp": str(message.first_receive_ms),
        }
        trace = (message.system_attributes.get("AWSTraceHeader") or {}).get("StringValue")
        if trace:
            values["AWSTraceHeader"] = str(trace)
        system = {
            key: values[key] for key in _SYSTEM_ATTRIBUTES if key in values and (every or key in wanted)
        }
        if system:
            result["Attributes"] = system
        every_attribute = "All" in attribute_names
        prefixes = [name[:-2] for name in attribute_names if name.endswith(".*")]
        chosen = {
            key: value
            for key, value in message.attributes.items()
            if every_attribute or key in attribute_names or any(key.startswith(p) for p in prefixes)
        }
        if chosen:
            result["MessageAttributes"] = wire_attributes(chosen)
            result["MD5OfMessageAttributes"] = attributes_md5(chosen)
        return result

    def _delete_message(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        self.store.delete(self._name(parameters), str(parameters.get("ReceiptHandle") or ""))
        return {}

    def _delete_message_batch(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        return self._per_entry(
            parameters,
            "DeleteMessage",
            lambda name, entry: self.store.delete(name, str(entry.get("ReceiptHandle") or "")),
        )

    def _change_visibility(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        self.store.change_visibility(
            self._name(parameters),
            str(parameters.get("ReceiptHandle") or ""),
            int(parameters.get("VisibilityTimeout", 0)),
        )
        return {}

    def _change_visibility_batch(self, request: Request, parameters: dict[str, Any]) -> dict[str, Any]:
        return self._per_entry(
            parameters,
            "ChangeMessageVisibility",
            lambda name, entry: self.store.change_visibility(
                name, str(entry.get("ReceiptHandle") or ""), int(entry.get("VisibilityTimeout", 0))
            ),
        )

    def _per_entry(
        self, parameters: dict[str, Any], action: str, apply: Callable[[str, dict[str, Any]], None]
    ) -> dict[str, Any]:
        """A batch call's answer: each entry applied on its own, its error failing only that entry."""
        name = self._name(parameters)
        if not self.store.exists(name):
            raise SqsError("QueueDoesNotExist", "The specified queue does not exist.")
        successful, failed = [], []
        for entry in self._batch(parameters, action):
            try:
                apply(name, entry)
                successful.append({"Id": entry["Id"]})
            except SqsError as error:
                failed.append(self._failure(str(entry["Id"]), error))
        return {"Successful": successful, "Failed": failed}
