"""SNS Publish and PublishBatch for the local stack, delivering to the durable SQS engine.

Topics and subscriptions stay in moto (the resource builder creates them from the template) and are
read in-process from moto's SNS backend. A message goes to each `sqs` subscription of the topic whose
FilterPolicy matches (moto's own `FilterPolicyMatcher`, either scope): with RawMessageDelivery, the
message itself and its attributes as SQS message attributes; otherwise SNS's JSON envelope (Type,
MessageId, TopicArn, Subject, Message, Timestamp, SignatureVersion, Signature, SigningCertURL,
UnsubscribeURL, MessageAttributes), built and signed by moto's own code. Every delivery of a request
is stored in one SQLite transaction before the answer. A subscription whose queue does not exist
sends to its RedrivePolicy's dead-letter queue.

Not emulated here (moto answers, or nothing is delivered): Publish to a TargetArn or PhoneNumber
(moto answers), deliveries to email/http/lambda subscriptions (email needs none locally), FIFO topics'
ordering and deduplication. Answers and errors are SNS's query-protocol XML.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response

from devstack.aws.sqs_store import SqsStore

__all__ = ["SnsEngine", "form_parameters"]

logger = logging.getLogger("local_stack")

MAX_MESSAGE_BYTES = 256 * 1024
_NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/"


class SnsError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def form_parameters(body: bytes) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(body.decode(), keep_blank_values=True).items()}


def _members(parameters: dict[str, str], prefix: str) -> list[dict[str, str]]:
    """`Prefix.member.N.Field` (or `.entry.N.`) parameters as one dict per N, in order."""
    grouped: dict[int, dict[str, str]] = {}
    for key, value in parameters.items():
        if not key.startswith(prefix + "."):
            continue
        index, _, rest = key[len(prefix) + 1 :].partition(".")
        if index.isdigit():
            grouped.setdefault(int(index), {})[rest] = value
    return [grouped[i] for i in sorted(grouped)]


def _message_attributes(
    fields: dict[str, str], prefix: str = "MessageAttributes.entry"
) -> dict[str, dict[str, str]]:
    """SNS's form (`MessageAttributes.entry.N.Name`, `.Value.DataType`, `.Value.StringValue`) as moto
    keeps it: {name: {"Type": ..., "Value": ...}} (binary values stay base64)."""
    attributes: dict[str, dict[str, str]] = {}
    for entry in _members(fields, prefix):
        name = entry.get("Name", "")
        data_type = entry.get("Value.DataType", "")
        if data_type.split(".")[0] not in ("String", "Number", "Binary"):
            raise SnsError(
                "ParameterValueInvalid",
                f"The message attribute '{name}' has an invalid message attribute type, the set of supported "
                "type prefixes is Binary, Number, and String.",
            )
        value = (
            entry.get("Value.BinaryValue")
            if data_type.startswith("Binary")
            else entry.get("Value.StringValue")
        )
        if not value:
            raise SnsError(
                "ParameterValueInvalid",
                f"The message attribute '{name}' must contain non-empty message attribute value for message "
                f"attribute type '{data_type}'.",
            )
        if data_type.startswith("Number"):
            try:
                float(value)
            except ValueError as error:
                raise SnsError(
                    "ParameterValueInvalid", f"Could not cast message attribute '{name}' value to number."
                ) from error
        attributes[name] = {"Type": data_type, "Value": value}
    return attributes


def _xml(action: str, result: str) -> Response:
    body = (
        f'<{action}Response xmlns="{_NAMESPACE}"><{action}Result>{result}</{action}Result>'
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{action}Response>"
    )
    return Response(body, status=200, content_type="text/xml")


def _error(error: SnsError) -> Response:
    body = (
        f'<ErrorResponse xmlns="{_NAMESPACE}"><Error><Type>Sender</Type><Code>{escape(error.code)}</Code>'
        f"<Message>{escape(error.message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return Response(body, status=error.status, content_type="text/xml")


class SnsEngine:
    """Publish/PublishBatch against moto's topics, delivering into `store` (see module docstring)."""

    def __init__(self, store: SqsStore, *, account: str, region: str) -> None:
        self.store = store
        self.account = account
        self.region = region

    def handles(self, service: str, request: Request) -> bool:
        if service != "sns":
            return False
        parameters = form_parameters(request.get_data(cache=True))
        action = parameters.get("Action")
        if (
            action == "Publish"
            and "TopicArn" not in parameters
            and ":sns:" in parameters.get("TargetArn", "")
        ):
            return self._is_topic(parameters["TargetArn"])  # a topic given as TargetArn; endpoints: moto
        return action == "PublishBatch" or (action == "Publish" and "TopicArn" in parameters)

    def close(self) -> None:
        """Nothing of its own: the SQS engine owns the store."""

    def handle(self, request: Request) -> Response:
        parameters = form_parameters(request.get_data(cache=True))
        try:
            if parameters.get("Action") == "Publish":
                arn = parameters.get("TopicArn") or parameters["TargetArn"]
                message_id = self._publish_all(arn, [parameters])[0]
                return _xml("Publish", f"<MessageId>{message_id}</MessageId>")
            return self._publish_batch(parameters)
        except SnsError as error:
            return _error(error)

    # ------------------------------------------------------------------ publishing
    def _topic(self, arn: str) -> Any:
        from moto.sns.models import sns_backends

        topic = sns_backends[self.account][self.region].topics.get(arn)
        if topic is None:
            raise SnsError("NotFound", "Topic does not exist", 404)
        return topic

    def _is_topic(self, arn: str) -> bool:
        from moto.sns.models import sns_backends

        return arn in sns_backends[self.account][self.region].topics

    def _publish_batch(self, parameters: dict[str, str]) -> Response:
        arn = parameters.get("TopicArn", "")
        self._topic(arn)
        entries = _members(parameters, "PublishBatchRequestEntries.member")
        if not entries:
            raise SnsError("EmptyBatchRequest", "The batch request doesn't contain any entries.")
        if len(entries) > 10:
            raise SnsError(
                "TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible."
            )
        ids = [entry.get("Id", "") for entry in entries]
        if len(set(ids)) != len(ids):
            raise SnsError(
                "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id."
            )
        valid, failed = [], []
        for entry in entries:
            try:
                self._check(entry)
                valid.append(entry)
            except SnsError as error:
                failed.append(
                    f"<member><Id>{escape(entry.get('Id', ''))}</Id><Code>{escape(error.code)}</Code>"
                    f"<Message>{escape(error.message)}</Message><SenderFault>true</SenderFault></member>"
                )
        message_ids = self._publish_all(arn, valid) if valid else []
        successful = "".join(
            f"<member><Id>{escape(entry.get('Id', ''))}</Id><MessageId>{message_id}</MessageId></member>"
            for entry, message_id in zip(valid, message_ids, strict=True)
        )
        return _xml(
            "PublishBatch", f"<Successful>{successful}</Successful><Failed>{''.join(failed)}</Failed>"
        )

    @staticmethod
    def _check(fields: dict[str, str]) -> dict[str, dict[str, str]]:
        message = fields.get("Message", "")
        if not message:
            raise SnsError("InvalidParameter", "Invalid parameter: Empty message")
        if len(message.encode()) > MAX_MESSAGE_BYTES:
            raise SnsError("InvalidParameter", "Invalid parameter: Message too long")
        subject = fields.get("Subject")
        if subject is not None and (not subject or len(subject) > 100 or "\n" in subject or "\r" in subject):
            raise SnsError("InvalidParameter", "Invalid parameter: Subject")
        structure = fields.get("MessageStructure")
        if structure is not None and structure != "json":
            raise SnsError("InvalidParameter", "Invalid parameter: MessageStructure")
        if structure == "json":
            try:
                parsed = json.loads(message)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict) or "default" not in parsed:
                raise SnsError(
                    "InvalidParameter",
                    "Invalid parameter: Message Structure - No default entry in JSON message body",
                )
        return _message_attributes(fields)

    def _publish_all(self, arn: str, entries: list[dict[str, str]]) -> list[str]:
        topic = self._topic(arn)
        from moto.sns.models import sns_backends

        subscriptions = sns_backends[self.account][self.region]._get_topic_subscriptions(topic)
        deliveries: list[tuple[str, str, dict[str, dict[str, Any]], str | None]] = []
        message_ids = []
        for fields in entries:
            attributes = self._check(fields)
            message_id = str(uuid.uuid4())
            message_ids.append(message_id)
            for subscription in subscriptions:
                delivery = self._delivery(subscription, fields, attributes, message_id)
                if delivery is not None:
                    deliveries.append(delivery)
        if deliveries:
            self._deliver(deliveries)
        return message_ids

    def _delivery(
        self,
        subscription: Any,
        fields: dict[str, str],
        attributes: dict[str, dict[str, str]],
        message_id: str,
    ) -> tuple[str, str, dict[str, dict[str, Any]], str | None] | None:
        if subscription.protocol != "sqs":
            return None  # email and others: nothing to deliver locally
        message = fields["Message"]
        matcher = getattr(subscription, "_filter_policy_matcher", None)
        if matcher is not None and not matcher.matches(attributes, message):
            return None
        if fields.get("MessageStructure") == "json":
            structured = json.loads(message)
            message = str(structured.get("sqs", structured["default"]))
        queue = str(subscription.endpoint).rsplit(":", 1)[-1]
        redrive = subscription.attributes.get("RedrivePolicy")
        dead_letter = None
        if redrive:
            policy = json.loads(redrive) if isinstance(redrive, str) else redrive
            dead_letter = str(policy.get("deadLetterTargetArn", "")).rsplit(":", 1)[-1] or None
        if str(subscription.attributes.get("RawMessageDelivery", "")).lower() == "true":
            sqs_attributes: dict[str, dict[str, Any]] = {}
            for name, value in attributes.items():
                if value["Type"].startswith("Binary"):
                    sqs_attributes[name] = {
                        "DataType": value["Type"],
                        "BinaryValue": base64.b64decode(value["Value"]),
                    }
                else:
                    sqs_attributes[name] = {"DataType": value["Type"], "StringValue": value["Value"]}
            return queue, message, sqs_attributes, dead_letter
        envelope = subscription.get_post_data(
            message, message_id, fields.get("Subject"), message_attributes=attributes or None
        )
        body = json.dumps(envelope, sort_keys=True, indent=2, separators=(",", ": "))
        return queue, body, {}, dead_letter

    def _deliver(self, deliveries: list[tuple[str, str, dict[str, dict[str, Any]], str | None]]) -> None:
        ids = self.store.deliver([(queue, body, attributes) for queue, body, attributes, _ in deliveries])
        retry = []
        for (queue, body, attributes, dead_letter), message_id in zip(deliveries, ids, strict=True):
            if message_id is not None:
                continue
            if dead_letter:
                logger.warning(
                    "SNS subscription queue %s does not exist: message sent to %s", queue, dead_letter
                )
                retry.append((dead_letter, body, attributes))
            else:
                logger.error("SNS subscription queue %s does not exist: message dropped", queue)
        if retry:
            self.store.deliver(retry)
