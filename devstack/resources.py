"""Creating the template's resources in moto, in dependency order, and answering Ref / Fn::GetAtt.

Each resource is created the first time something needs its Ref or an attribute (a queue's redrive
policy needs its dead-letter queue's ARN, a rule's targets their queues...), so the creation order
follows the template's own dependencies. Resources with no local meaning (CloudFront, IAM, logs,
layers, policies, SES configuration sets...) are not created: they get synthetic but well-formed
names and ARNs, and a CloudFront distribution's DomainName is the local stack's own address.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devstack.template import Resolver, Template, TemplateError, merge_globals

__all__ = ["CREATED_TYPES", "FUNCTION_TYPES", "ResourceBuilder", "StackNames", "generate_password"]

logger = logging.getLogger("local_stack")

FUNCTION_TYPES = ("AWS::Serverless::Function",)
CREATED_TYPES = (
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::Events::EventBus",
    "AWS::Events::Rule",
    "AWS::S3::Bucket",
    "AWS::SNS::Topic",
    "AWS::SNS::Subscription",
    "AWS::SecretsManager::Secret",
    "AWS::Scheduler::ScheduleGroup",
)
_SERVICE_OF_TYPE = {
    "AWS::Serverless::Function": "lambda",
    "AWS::Lambda::Function": "lambda",
    "AWS::IAM::Role": "iam",
    "AWS::Logs::LogGroup": "logs",
    "AWS::CloudFront::Distribution": "cloudfront",
}


@dataclass(frozen=True)
class StackNames:
    """Readable, unique physical names: `<prefix>-<LogicalId>`; names the template sets itself get the
    suffix (empty for the first stack of a process, since moto's state is process-wide)."""

    prefix: str = "boletin-local"
    suffix: str = ""

    def physical(self, logical_id: str) -> str:
        return f"{self.prefix}{self.suffix}-{logical_id}"

    def explicit(self, name: str) -> str:
        return f"{name}{self.suffix}"

    def of(self, logical_id: str, props: dict[str, Any], name_key: str) -> str:
        """The name the template sets in `name_key` (suffixed), else the generated one."""
        return self.explicit(props[name_key]) if name_key in props else self.physical(logical_id)


@dataclass
class _Built:
    ref: Any
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class ResourceBuilder:
    """Builds every resource of `template` in moto through `client(service)` (boto3 clients pointed at the
    local moto server)."""

    template: Template
    client: Callable[[str], Any]
    names: StackNames
    region: str
    account: str
    local_host: str  # "127.0.0.1:PORT": where CloudFront and the API live locally
    parameter_overrides: dict[str, Any] = field(default_factory=dict)
    built: dict[str, _Built] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    _building: list[str] = field(default_factory=list)
    resolver: Resolver = field(init=False)

    def __post_init__(self) -> None:
        parameters: dict[str, Any] = {}
        for name, spec in self.template.parameters.items():
            if name in self.parameter_overrides:
                parameters[name] = self.parameter_overrides[name]
            elif "Default" in (spec or {}):
                parameters[name] = spec["Default"]
            else:
                raise TemplateError(f"parameter {name} has no Default: pass it in parameter_overrides")
        self.resolver = Resolver(
            parameters=parameters,
            pseudo={
                "AWS::Region": self.region,
                "AWS::AccountId": self.account,
                "AWS::Partition": "aws",
                "AWS::URLSuffix": "amazonaws.com",
                "AWS::StackName": self.names.physical("stack"),
                "AWS::StackId": (
                    f"arn:aws:cloudformation:{self.region}:{self.account}:stack/"
                    f"{self.names.physical('stack')}/00000000-0000-0000-0000-000000000000"
                ),
                "AWS::NotificationARNs": [],
            },
            ref=self.ref,
            getatt=self.getatt,
            conditions=self.template.conditions,
            mappings=self.template.mappings,
        )

    # ------------------------------------------------------------------ public
    def build_all(self) -> None:
        for logical_id in self.template.resources:
            if self._enabled(logical_id):
                self._ensure(logical_id)
        if self.skipped:
            logger.debug("not created locally (no local meaning): %s", ", ".join(sorted(self.skipped)))

    def ref(self, logical_id: str) -> Any:
        return self._ensure(logical_id).ref

    def getatt(self, logical_id: str, attribute: str) -> Any:
        built = self._ensure(logical_id)
        if attribute not in built.attributes:
            raise TemplateError(f"{logical_id} has no attribute {attribute} locally")
        return built.attributes[attribute]

    def resolve(self, value: Any) -> Any:
        return self.resolver.resolve(value)

    def properties(self, logical_id: str) -> dict[str, Any]:
        """The resource's properties, resolved (functions get Globals.Function merged in first)."""
        resource = self.template.resources[logical_id]
        raw = dict(resource.get("Properties") or {})
        if resource.get("Type") in FUNCTION_TYPES:
            raw = merge_globals(self.template.globals.get("Function") or {}, raw)
        elif resource.get("Type") == "AWS::Serverless::Api":
            raw = merge_globals(self.template.globals.get("Api") or {}, raw)
        resolved = self.resolve(raw)
        return resolved if isinstance(resolved, dict) else {}

    # ------------------------------------------------------------------ building
    def _enabled(self, logical_id: str) -> bool:
        condition = self.template.resources[logical_id].get("Condition")
        return condition is None or self.resolver.condition(condition)

    def _ensure(self, logical_id: str) -> _Built:
        if logical_id in self.built:
            return self.built[logical_id]
        resources = self.template.resources
        if logical_id not in resources:
            raise TemplateError(f"unknown resource or parameter {logical_id}")
        if logical_id in self._building:
            chain = " -> ".join([*self._building, logical_id])
            raise TemplateError(f"circular reference: {chain}")
        self._building.append(logical_id)
        try:
            kind = str(resources[logical_id].get("Type"))
            creator = _CREATORS.get(kind)
            if creator is None:
                built = self._synthetic(logical_id, kind)
                if kind not in (*FUNCTION_TYPES, "AWS::Serverless::Api"):  # those run in-process
                    self.skipped.append(f"{logical_id} ({kind})")
            else:
                built = creator(self, logical_id, self.properties(logical_id))
            self.built[logical_id] = built
            return built
        finally:
            self._building.pop()

    def _arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"

    def _synthetic(self, logical_id: str, kind: str) -> _Built:
        """Ref and attributes of a resource that is not created locally (its properties are not resolved,
        except a `Name`-like property that its Ref returns)."""
        physical = self.names.physical(logical_id)
        raw = self.template.resources[logical_id].get("Properties") or {}
        for name_key in ("Name", "LogGroupName", "RoleName", "FunctionName"):
            if name_key in raw:
                physical = self.names.explicit(str(self.resolve(raw[name_key])))
                break
        short_id = hashlib.sha256(physical.encode()).hexdigest()[:10]
        if kind in FUNCTION_TYPES or kind == "AWS::Lambda::Function":
            arn = self._arn("lambda", f"function:{physical}")
            return _Built(physical, {"Arn": arn})
        if kind == "AWS::Serverless::Api":
            return _Built(short_id, {"RootResourceId": short_id[:6]})
        if kind == "AWS::CloudFront::Distribution":
            distribution = "E" + short_id.upper()
            return _Built(distribution, {"DomainName": self.local_host, "Id": distribution})
        if kind == "AWS::IAM::Role":
            return _Built(
                physical, {"Arn": f"arn:aws:iam::{self.account}:role/{physical}", "RoleId": short_id}
            )
        if kind == "AWS::Logs::LogGroup":
            return _Built(physical, {"Arn": self._arn("logs", f"log-group:{physical}:*")})
        if kind == "AWS::Serverless::LayerVersion":
            return _Built(self._arn("lambda", f"layer:{physical}:1"), {})
        service = _SERVICE_OF_TYPE.get(kind, kind.split("::")[1].lower() if "::" in kind else "local")
        return _Built(physical, {"Arn": self._arn(service, physical), "Id": short_id, "Name": physical})

    # Each creator returns the resource's Ref and its attributes.
    def _table(self, logical_id: str, props: dict[str, Any]) -> _Built:
        ddb = self.client("dynamodb")
        name = self.names.of(logical_id, props, "TableName")
        kwargs: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        throughput = props.get("ProvisionedThroughput")
        if kwargs["BillingMode"] != "PAY_PER_REQUEST":
            kwargs["ProvisionedThroughput"] = throughput or {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if props.get(key):
                indexes = []
                for index in props[key]:
                    index = {k: v for k, v in index.items() if k != "ContributorInsightsSpecification"}
                    if kwargs["BillingMode"] != "PAY_PER_REQUEST" and key.startswith("Global"):
                        index.setdefault("ProvisionedThroughput", kwargs["ProvisionedThroughput"])
                    indexes.append(index)
                kwargs[key] = indexes
        stream = props.get("StreamSpecification")
        if stream:
            kwargs["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": stream["StreamViewType"],
            }
        try:
            ddb.create_table(**kwargs)
        except ddb.exceptions.ResourceInUseException:
            # A restarted stack: the durable engine kept the table; it must be the template's.
            _check_same_table(ddb.describe_table(TableName=name)["Table"], kwargs)
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            ddb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
        table = ddb.describe_table(TableName=name)["Table"]
        attributes = {"Arn": table["TableArn"]}
        if table.get("LatestStreamArn"):
            attributes["StreamArn"] = table["LatestStreamArn"]
        return _Built(name, attributes)

    def _queue(self, logical_id: str, props: dict[str, Any]) -> _Built:
        sqs = self.client("sqs")
        fifo = bool(props.get("FifoQueue"))
        if "QueueName" in props:
            name = props["QueueName"]
            name = self.names.explicit(name[:-5]) + ".fifo" if fifo else self.names.explicit(name)
        else:
            name = self.names.physical(logical_id) + (".fifo" if fifo else "")
        attributes: dict[str, str] = {}
        for key in (
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "DelaySeconds",
            "MaximumMessageSize",
            "ReceiveMessageWaitTimeSeconds",
            "ContentBasedDeduplication",
            "FifoQueue",
            "SqsManagedSseEnabled",
            "KmsMasterKeyId",
            "KmsDataKeyReusePeriodSeconds",
        ):
            if key in props:
                value = props[key]
                attributes[key] = str(value).lower() if isinstance(value, bool) else str(value)
        for key in ("RedrivePolicy", "RedriveAllowPolicy"):
            if key in props:
                value = props[key]
                attributes[key] = value if isinstance(value, str) else json.dumps(value)
        try:
            url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        except sqs.exceptions.QueueNameExists:
            # Kept from the last run (the SQS engine is durable) with attributes the template has since
            # changed: update it in place, as CloudFormation would, and keep its messages.
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return _Built(url, {"Arn": arn, "QueueName": name, "QueueUrl": url})

    def _event_bus(self, logical_id: str, props: dict[str, Any]) -> _Built:
        name = self.names.of(logical_id, props, "Name")
        events = self.client("events")
        try:
            arn = events.create_event_bus(Name=name)["EventBusArn"]
        except events.exceptions.ResourceAlreadyExistsException:  # a stack started again in-process
            arn = events.describe_event_bus(Name=name)["Arn"]
        return _Built(name, {"Arn": arn, "Name": name})

    def _rule(self, logical_id: str, props: dict[str, Any]) -> _Built:
        events = self.client("events")
        name = self.names.of(logical_id, props, "Name")
        bus = props.get("EventBusName", "default")
        if isinstance(bus, str) and bus.startswith("arn:"):
            bus = bus.rsplit("/", 1)[-1]
        kwargs: dict[str, Any] = {"Name": name, "EventBusName": bus, "State": props.get("State", "ENABLED")}
        if "EventPattern" in props:
            pattern = props["EventPattern"]
            kwargs["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
        if "ScheduleExpression" in props:
            kwargs["ScheduleExpression"] = props["ScheduleExpression"]
        arn = events.put_rule(**kwargs)["RuleArn"]
        targets = []
        for target in props.get("Targets") or []:
            allowed = ("Id", "Arn", "RoleArn", "Input", "InputPath", "InputTransformer", "RetryPolicy")
            entry = {key: value for key, value in target.items() if key in allowed}
            if "DeadLetterConfig" in target:
                entry["DeadLetterConfig"] = target["DeadLetterConfig"]
            if ":sqs:" not in str(entry.get("Arn")):
                logger.warning(
                    "rule %s: target %s is not an SQS queue: moto will not deliver to it",
                    logical_id,
                    entry.get("Arn"),
                )
            targets.append(entry)
        if targets:
            events.put_targets(Rule=name, EventBusName=bus, Targets=targets)
        ref = name if bus == "default" else f"{bus}|{name}"
        return _Built(ref, {"Arn": arn})

    def _bucket(self, logical_id: str, props: dict[str, Any]) -> _Built:
        s3 = self.client("s3")
        name = self.names.of(logical_id, props, "BucketName").lower()
        try:
            if self.region == "us-east-1":
                s3.create_bucket(Bucket=name)
            else:
                s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region})
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass  # still there: its objects are kept (devstack.aws.s3 stores them under the state folder)
        versioning = (props.get("VersioningConfiguration") or {}).get("Status")
        if versioning:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
        return _Built(
            name,
            {
                "Arn": f"arn:aws:s3:::{name}",
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{self.region}.amazonaws.com",
                "WebsiteURL": f"http://{name}.s3-website-{self.region}.amazonaws.com",
            },
        )

    def _topic(self, logical_id: str, props: dict[str, Any]) -> _Built:
        name = self.names.of(logical_id, props, "TopicName")
        attributes = {"FifoTopic": "true"} if props.get("FifoTopic") else {}
        arn = self.client("sns").create_topic(Name=name, Attributes=attributes)["TopicArn"]
        return _Built(arn, {"TopicArn": arn, "TopicName": name})

    def _subscription(self, logical_id: str, props: dict[str, Any]) -> _Built:
        attributes: dict[str, str] = {}
        if "RawMessageDelivery" in props:
            attributes["RawMessageDelivery"] = str(props["RawMessageDelivery"]).lower()
        if "FilterPolicy" in props:
            policy = props["FilterPolicy"]
            attributes["FilterPolicy"] = policy if isinstance(policy, str) else json.dumps(policy)
        if "RedrivePolicy" in props:
            redrive = props["RedrivePolicy"]
            attributes["RedrivePolicy"] = redrive if isinstance(redrive, str) else json.dumps(redrive)
        arn = self.client("sns").subscribe(
            TopicArn=props["TopicArn"],
            Protocol=props["Protocol"],
            Endpoint=props["Endpoint"],
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        return _Built(arn, {"Arn": arn})

    def _secret(self, logical_id: str, props: dict[str, Any]) -> _Built:
        name = self.names.of(logical_id, props, "Name")
        if "SecretString" in props:
            value = str(props["SecretString"])
        else:
            value = generate_password(props.get("GenerateSecretString") or {})
        secretsmanager = self.client("secretsmanager")
        try:
            arn = secretsmanager.create_secret(Name=name, SecretString=value)["ARN"]
        except secretsmanager.exceptions.ResourceExistsException:
            # A restart: the stored secret stays (links in emails already sent are signed with it).
            arn = secretsmanager.describe_secret(SecretId=name)["ARN"]
        return _Built(arn, {"Id": arn})

    def _schedule_group(self, logical_id: str, props: dict[str, Any]) -> _Built:
        name = self.names.of(logical_id, props, "Name")
        scheduler = self.client("scheduler")
        try:
            arn = scheduler.create_schedule_group(Name=name)["ScheduleGroupArn"]
        except scheduler.exceptions.ConflictException:  # a restart: its schedules are still in it
            arn = scheduler.get_schedule_group(Name=name)["Arn"]
        return _Built(name, {"Arn": arn})


def _check_same_table(existing: dict[str, Any], wanted: dict[str, Any]) -> None:
    """Refuse a kept table whose keys, attributes, indexes or stream differ from the template's."""

    def shape(table: dict[str, Any]) -> dict[str, Any]:
        indexes = {
            index["IndexName"]: (
                sorted((k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]),
                index.get("Projection", {}).get("ProjectionType", "ALL"),
            )
            for index in table.get("GlobalSecondaryIndexes") or []
        }
        stream = table.get("StreamSpecification") or {}
        return {
            "keys": sorted((k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]),
            "attributes": sorted(
                (a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]
            ),
            "indexes": indexes,
            "stream": stream.get("StreamViewType") if stream.get("StreamEnabled") else None,
        }

    kept, declared = shape(existing), shape(wanted)
    if kept != declared:
        differs = ", ".join(part for part in kept if kept[part] != declared[part])
        raise TemplateError(
            f"table {wanted['TableName']} kept in the stack's state differs from template.yaml ({differs}): "
            "start afresh (make reset, or make run FRESH=1) to rebuild it"
        )


def generate_password(spec: dict[str, Any]) -> str:
    """A random secret as Secrets Manager's GenerateSecretString would make it."""
    alphabet = ""
    if not spec.get("ExcludeLowercase"):
        alphabet += string.ascii_lowercase
    if not spec.get("ExcludeUppercase"):
        alphabet += string.ascii_uppercase
    if not spec.get("ExcludeNumbers"):
        alphabet += string.digits
    if not spec.get("ExcludePunctuation"):
        alphabet += "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    if spec.get("IncludeSpace"):
        alphabet += " "
    excluded = set(str(spec.get("ExcludeCharacters", "")))
    alphabet = "".join(ch for ch in alphabet if ch not in excluded) or string.ascii_letters
    length = int(spec.get("PasswordLength", 32))
    password = "".join(secrets.choice(alphabet) for _ in range(length))
    template = spec.get("SecretStringTemplate")
    key = spec.get("GenerateStringKey")
    if template and key:
        body = json.loads(template)
        body[key] = password
        return json.dumps(body)
    return password


_CREATORS: dict[str, Callable[[ResourceBuilder, str, dict[str, Any]], _Built]] = {
    "AWS::DynamoDB::Table": ResourceBuilder._table,
    "AWS::SQS::Queue": ResourceBuilder._queue,
    "AWS::Events::EventBus": ResourceBuilder._event_bus,
    "AWS::Events::Rule": ResourceBuilder._rule,
    "AWS::S3::Bucket": ResourceBuilder._bucket,
    "AWS::SNS::Topic": ResourceBuilder._topic,
    "AWS::SNS::Subscription": ResourceBuilder._subscription,
    "AWS::SecretsManager::Secret": ResourceBuilder._secret,
    "AWS::Scheduler::ScheduleGroup": ResourceBuilder._schedule_group,
}
