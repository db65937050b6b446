"""DevStack: the whole system of template.yaml on one machine, in one process.

One local AWS endpoint (devstack.aws.AwsEndpoint) serves every boto3 client through AWS_ENDPOINT_URL:
durable engines of our own for the services that hold data (DynamoDB and its streams, SQS, S3 objects,
Scheduler, Secrets Manager, SES), kept under the state folder, and moto for the rest. The template's
resources are created there (reused when the state folder already has them); its functions are loaded from
`functions/<CodeUri>/<module>.py` and run behind a local API Gateway (HTTP on 127.0.0.1) and the event
sources the template declares (DynamoDB streams, SQS queues, schedules, EventBridge Scheduler one-time
schedules); every email SES accepts is written to an outbox folder.

One stack per process is what is supported: the functions' settings live in os.environ, which is
process-wide (as is moto's state). A second stack started in the same process on a temporary state
folder gets suffixed physical names (one on a kept folder keeps its names) and takes over os.environ
until it stops (then the previous values come back), so stacks can run
one after the other in a test session, not side by side.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import re
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from devstack.aws.endpoint import SHUTDOWN_POLL
from devstack.digests import DigestWeeks
from devstack.functions import FunctionRegistry, Invocation, LocalFunction, Wrapper
from devstack.gateway import (
    ApiConfig,
    Authorizer,
    Gateway,
    HttpRequest,
    HttpResponse,
    LocalHttpServer,
    Route,
    problem,
)
from devstack.iam import PolicyChecker
from devstack.pollers import (
    AsyncInvocation,
    Poller,
    SchedulerPoller,
    ScheduleRunner,
    SesEventPublisher,
    SqsPoller,
    StreamPoller,
)
from devstack.resources import FUNCTION_TYPES, ResourceBuilder, StackNames
from devstack.template import TemplateError, load_template

__all__ = ["ACCOUNT_ID", "DevStack"]

logger = logging.getLogger("local_stack")

ACCOUNT_ID = "123456789012"
HOST = "127.0.0.1"
_stack_serial = itertools.count(1)
_IMPLICIT_API = "ServerlessRestApi"
DEMO_OFFICE = "Demo office"
DEMO_OFFICE_ID = "demo-office"


@dataclass
class _Saved:
    values: dict[str, str | None]


class DevStack:
    """Build and run the template's system locally.

    >>> with DevStack("/path/to/repo", port=0) as stack:   # doctest: +SKIP
    ...     requests.get(stack.url + "/bulletins")
    """

    def __init__(
        self,
        repo_root: str | Path,
        *,
        template: str | Path | None = None,
        port: int | None = None,
        outbox_dir: str | Path | None = None,
        region: str | None = None,
        parameter_overrides: dict[str, Any] | None = None,
        create_demo_office: bool = True,
        schedule_seconds: float | None = None,
        sqs_retry_seconds: int = 1,
        sending_lease_seconds: float = 10.0,
        feeds_prefix: str = "/feeds/",
        name_prefix: str = "boletin-local",
        state_dir: str | Path | None = None,
        aws_over_http: bool | None = None,
    ) -> None:
        self.repo_root = Path(repo_root).resolve()
        # Where the durable engines keep the stack's data. None: a temporary folder, gone at stop()
        # (tests); `python -m devstack` passes <repo>/.local/state, so `make run` carries on.
        self._temporary_state: tempfile.TemporaryDirectory[str] | None = None
        if state_dir is None:
            self._temporary_state = tempfile.TemporaryDirectory(prefix="devstack-state-")
            state_dir = self._temporary_state.name
        self.state_dir = Path(state_dir).resolve()
        self._digest_weeks = DigestWeeks(self.state_dir / "digest-weeks.json")
        self.template_path = Path(template).resolve() if template else self.repo_root / "template.yaml"
        self.requested_port = int(os.environ.get("PORT", "3000")) if port is None else port
        self.outbox_dir = Path(
            outbox_dir or os.environ.get("OUTBOX_DIR") or self.repo_root / ".local" / "outbox"
        ).resolve()
        self.region = region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        self.parameter_overrides = dict(parameter_overrides or {})
        self.create_demo_office = create_demo_office
        env_seconds = os.environ.get("LOCAL_SCHEDULE_SECONDS")
        self.schedule_seconds = schedule_seconds if schedule_seconds is not None else float(env_seconds or 0)
        self.sqs_retry_seconds = sqs_retry_seconds
        # The template's SendingLeaseSeconds is sized for AWS's send queue (visibility 180 s); here a
        # failed message comes back after sqs_retry_seconds and SES's Send event within about a second.
        self.sending_lease_seconds = sending_lease_seconds
        self.feeds_prefix = feeds_prefix
        # The functions' and pollers' boto3 clients reach the AWS endpoint in this process (see
        # devstack.aws.inprocess); LOCAL_AWS_OVER_HTTP=1 sends them over HTTP as before (comparisons).
        if aws_over_http is None:
            aws_over_http = os.environ.get("LOCAL_AWS_OVER_HTTP", "") not in ("", "0", "false")
        self.aws_over_http = aws_over_http
        self._transport: Any = None  # devstack.aws.inprocess.InProcessTransport, once started
        self.name_prefix = name_prefix
        self.registry = FunctionRegistry()
        self.routes: list[Route] = []
        self.environment: dict[str, str] = {}
        self.policies: PolicyChecker | None = None  # the functions' IAM policies, enforced locally
        self.demo_key: str | None = None
        self.demo_office: Any = None
        self._pollers: list[Poller] = []
        self._schedules: ScheduleRunner | None = None
        self._http: LocalHttpServer | None = None
        self._http_thread: threading.Thread | None = None
        self._moto: Any = None
        self._scheduler_engine: Any = None  # devstack.aws.scheduler.SchedulerEngine, once started
        self._ses_engine: Any = None  # devstack.aws.ses.SesEngine, once started
        self._moto_url = ""
        self.dynamodb: Any = None  # the DynamoDB engine (devstack.aws.dynamodb), once started
        self._builder: ResourceBuilder | None = None
        self._clients: dict[str, Any] = {}
        self._sessions: dict[bool, Any] = {}  # boto3 sessions, by raw_timestamps
        self._clients_lock = threading.Lock()
        self._saved_env: _Saved | None = None
        self._stopped = threading.Event()
        self.started = False

    # ------------------------------------------------------------------ properties
    @property
    def port(self) -> int:
        if self._http is None:
            raise RuntimeError("the stack is not started")
        return int(self._http.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def moto_url(self) -> str:
        return self._moto_url

    @property
    def invocations(self) -> Counter[str]:
        """How many times each function (by logical id) was invoked."""
        return self.registry.invocations

    @property
    def history(self) -> deque[Invocation]:
        """The latest invocations (function, event, result or error), oldest first."""
        return self.registry.history

    @property
    def names(self) -> StackNames:
        """How physical names are made (prefix, and a suffix for a second stack in the process)."""
        if self._builder is None:
            raise RuntimeError("the stack is not started")
        return self._builder.names

    @property
    def functions(self) -> dict[str, LocalFunction]:
        return self.registry.functions

    # ------------------------------------------------------------------ AWS access
    def client(self, service: str, *, raw_timestamps: bool = False) -> Any:
        """A boto3 client of the local moto server (thread-safe, one per service). With
        `raw_timestamps`, timestamps stay the strings the service sent: botocore's date parsing is
        most of what listing a bucket again and again costs (the load driver's feed watcher)."""
        name = f"{service}+raw-timestamps" if raw_timestamps else service
        with self._clients_lock:
            if name not in self._clients:
                import boto3
                from botocore.config import Config

                if raw_timestamps not in self._sessions:
                    session = boto3.session.Session(
                        aws_access_key_id="testing",
                        aws_secret_access_key="testing",  # noqa: S106 - moto's dummy credentials
                        region_name=self.region,
                    )
                    if raw_timestamps:
                        factory = session._session.get_component("response_parser_factory")
                        factory.set_parser_defaults(timestamp_parser=str)
                    self._sessions[raw_timestamps] = session
                created = self._sessions[raw_timestamps].client(
                    service,
                    endpoint_url=self._moto_url,
                    config=Config(retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=50),
                )
                if self._transport is not None:
                    created.meta.events.register("choose-signer", self._transport.choose_signer)
                    created.meta.events.register("before-send", self._transport)
                self._clients[name] = created
            return self._clients[name]

    def ref(self, logical_id: str) -> Any:
        """What `!Ref logical_id` resolves to locally (a table's name, a queue's URL...)."""
        return self._resources.ref(logical_id)

    def getatt(self, logical_id: str, attribute: str) -> Any:
        return self._resources.getatt(logical_id, attribute)

    @property
    def _resources(self) -> ResourceBuilder:
        if self._builder is None:
            raise RuntimeError("the stack is not started")
        return self._builder

    # ------------------------------------------------------------------ life cycle
    def __enter__(self) -> DevStack:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> DevStack:
        started = time.perf_counter()
        serial = next(_stack_serial)
        # A kept state folder keeps its physical names (its tables and queues are found by them); a
        # temporary one is suffixed after the first stack, apart from what moto keeps in the process.
        kept = self._temporary_state is None
        names = StackNames(self.name_prefix, "" if serial == 1 or kept else f"-{serial}")
        try:
            self._http = LocalHttpServer(HOST, self.requested_port)
            self._start_moto()
            self._set_aws_environment()
            self._build(names)
            self._enforce_policies()
            self._start_pollers()
            self._http.gateway = self._gateway()
            self._http_thread = threading.Thread(
                target=self._http.serve_forever, args=(SHUTDOWN_POLL,), name="local-http", daemon=True
            )
            self._http_thread.start()
            self.started = True
            if self.create_demo_office:
                self.demo_key = self._demo_office_key()
        except BaseException:
            self.stop()
            raise
        logger.info(
            "local stack up in %.1f s: %s (moto at %s)",
            time.perf_counter() - started,
            self.url,
            self._moto_url,
        )
        return self

    def stop(self) -> None:
        if self.policies is not None:
            from devstack import iam

            iam.enforce(None)
        # Ctrl-C must end it within two seconds: every poller is told at once, then each gets what is
        # left of one shared second (a poller in a 1 s long poll or an invocation may not finish: what it
        # held comes back after the restart, as after a crash).
        self._stopped.set()
        for poller in self._pollers:
            poller._stop.set()
        deadline = time.monotonic() + 1.0
        for poller in self._pollers:
            poller.stop(timeout=max(0.0, deadline - time.monotonic()))
        self._pollers = []
        if self._http is not None:
            if self._http_thread is not None:
                self._http.shutdown()
                self._http_thread.join(5)
            self._http.server_close()
        if self._transport is not None:
            from devstack.aws.inprocess import route_in_process

            route_in_process(None)
            self._transport.enabled = False
            self._transport = None
        if self._moto is not None:
            with contextlib.suppress(Exception):  # best effort at shutdown
                self._moto.stop()
            self._moto = None
        self._restore_environment()
        if self._temporary_state is not None:
            self._temporary_state.cleanup()
        self.started = False

    def serve_forever(self) -> None:
        """Block until stop() (or Ctrl-C in the caller)."""
        while not self._stopped.wait(0.5):
            pass

    def warm_up(self) -> None:
        """Load every function's module in the background (Lambda's cold starts, paid early)."""

        def load() -> None:
            for function in list(self.registry.functions.values()):
                try:
                    function.handler_function()
                except Exception:
                    logger.exception("%s: could not load %s", function.logical_id, function.handler)

        threading.Thread(target=load, name="local-warm-up", daemon=True).start()

    # ------------------------------------------------------------------ start-up steps
    def _start_moto(self) -> None:
        from devstack.aws import AwsEndpoint

        for noisy in ("werkzeug", "botocore", "boto3", "urllib3"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        self._moto = AwsEndpoint(self._engines(), host=HOST, port=0)
        self._moto.start()
        self._moto_url = self._moto.url
        if not self.aws_over_http:
            from devstack.aws.inprocess import InProcessTransport, route_in_process

            self._transport = InProcessTransport(self._moto_url, self._moto.app)
            route_in_process(self._transport)

    def _engines(self) -> list[Any]:
        """The durable engines in front of moto (see devstack.aws), each keeping its data under
        self.state_dir."""
        from devstack.aws.events import EventsEngine
        from devstack.aws.s3 import S3Engine
        from devstack.aws.scheduler import SchedulerEngine
        from devstack.aws.secrets import SecretsEngine
        from devstack.aws.ses import SesEngine
        from devstack.aws.sns import SnsEngine
        from devstack.aws.sqs import SqsEngine

        self.state_dir.mkdir(parents=True, exist_ok=True)
        from devstack.aws.dynamodb import DynamoDbEngine

        self.dynamodb = DynamoDbEngine(
            self.state_dir / "dynamodb.sqlite3", region=self.region, account=ACCOUNT_ID
        )
        sqs = SqsEngine(self.state_dir / "sqs.sqlite3", account=ACCOUNT_ID, region=self.region)
        self._scheduler_engine = SchedulerEngine(self.state_dir / "scheduler", self.region)
        self._ses_engine = SesEngine(self.state_dir / "ses", self.outbox_dir, self.region)
        engines: list[Any] = [
            self.dynamodb,
            sqs,
            EventsEngine(sqs.store, account=ACCOUNT_ID, region=self.region),
            SnsEngine(sqs.store, account=ACCOUNT_ID, region=self.region),
            S3Engine(self.state_dir / "s3"),
            self._scheduler_engine,
            SecretsEngine(self.state_dir / "secrets"),
            self._ses_engine,
        ]
        return engines

    def _set_environment(self, values: dict[str, str]) -> None:
        if self._saved_env is None:
            self._saved_env = _Saved({})
        for key, value in values.items():
            self._saved_env.values.setdefault(key, os.environ.get(key))
            os.environ[key] = value
        _reset_process_caches()

    def _restore_environment(self) -> None:
        if self._saved_env is None:
            return
        for key, value in self._saved_env.values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env = None
        _reset_process_caches()

    def _set_aws_environment(self) -> None:
        self._set_environment(
            {
                "AWS_ENDPOINT_URL": self._moto_url,
                "AWS_DEFAULT_REGION": self.region,
                "AWS_REGION": self.region,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_SESSION_TOKEN": "testing",
                "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_DEV": "false",
            }
        )

    def _build(self, names: StackNames) -> None:
        template = load_template(self.template_path)
        assert self._http is not None
        local_host = f"{HOST}:{self._http.server_address[1]}"
        overrides = dict(self.parameter_overrides)
        if "PublicBaseUrl" in template.parameters:
            overrides.setdefault("PublicBaseUrl", f"http://{local_host}")
        if "SendingLeaseSeconds" in template.parameters:
            overrides.setdefault("SendingLeaseSeconds", self.sending_lease_seconds)
        builder = ResourceBuilder(
            template=template,
            client=self.client,
            names=names,
            region=self.region,
            account=ACCOUNT_ID,
            local_host=local_host,
            parameter_overrides=overrides,
        )
        self._builder = builder
        builder.build_all()
        self._verify_senders(builder)

        functions = template.of_type(*FUNCTION_TYPES)
        declared: dict[str, tuple[str, str]] = {}  # variable -> (value, function)
        for logical_id in functions:
            props = builder.properties(logical_id)
            variables = {
                key: _local_value(value, local_host)
                for key, value in ((props.get("Environment") or {}).get("Variables") or {}).items()
            }
            for key, value in variables.items():
                previous = declared.setdefault(key, (value, logical_id))
                if previous[0] != value:
                    raise TemplateError(
                        f"{key} is {previous[0]!r} for {previous[1]} but {value!r} for {logical_id}: "
                        "the local stack runs every function in one process, so they must agree"
                    )
            code_uri = props.get("CodeUri")
            if not isinstance(code_uri, str):
                raise TemplateError(f"{logical_id}: only a local CodeUri folder can run locally")
            self.registry.add(
                LocalFunction(
                    logical_id=logical_id,
                    name=str(builder.ref(logical_id)),
                    arn=str(builder.getatt(logical_id, "Arn")),
                    code_dir=(self.template_path.parent / code_uri).resolve(),
                    handler=str(props.get("Handler", "app.lambda_handler")),
                    timeout=int(props.get("Timeout", 3)),
                    memory=int(props.get("MemorySize", 128)),
                    environment=variables,
                    events=dict(template.resources[logical_id].get("Properties", {}).get("Events") or {}),
                )
            )
        self.environment = {key: value for key, (value, _) in declared.items()}
        self._set_environment(self.environment)

    def _verify_senders(self, builder: ResourceBuilder) -> None:
        """SES rejects unverified senders: verify the template's sender address parameters (kept in the
        state folder, like every identity)."""
        for name, value in builder.resolver.parameters.items():
            if "sender" in name.lower() and isinstance(value, str) and "@" in value:
                self.client("ses").verify_email_identity(EmailAddress=value)

    def _event_properties(self, function: LocalFunction, event_name: str) -> dict[str, Any]:
        raw = function.events[event_name].get("Properties") or {}
        resolved = self._resources.resolve(raw)
        return resolved if isinstance(resolved, dict) else {}

    def _async_invocation(self, function: LocalFunction) -> AsyncInvocation:
        """How Lambda invokes the function asynchronously: its retries, then its dead-letter queue."""
        props = self._resources.properties(function.logical_id)
        config = props.get("EventInvokeConfig") or {}
        on_failure = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        return AsyncInvocation(
            retries=int(config.get("MaximumRetryAttempts", 2)),
            on_failure_arn=str(on_failure) if on_failure else None,
        )

    def _start_pollers(self) -> None:
        schedules: dict[str, dict[str, dict[str, Any]]] = {}
        asynchronous: dict[str, AsyncInvocation] = {}
        ignored: list[str] = []
        for function in self.registry.functions.values():
            for event_name, spec in function.events.items():
                kind = spec.get("Type")
                if kind == "Api":
                    continue
                if kind == "DynamoDB":
                    props = self._event_properties(function, event_name)
                    self._pollers.append(
                        StreamPoller(
                            name=f"{function.logical_id}.{event_name}",
                            registry=self.registry,
                            function=function.logical_id,
                            client=self.client,
                            stream_arn=str(props["Stream"]),
                            region=self.region,
                            properties=props,
                            checkpoint_path=self.state_dir
                            / "streams"
                            / f"{function.logical_id}.{event_name}.json",
                            on_checkpoint=self._trim_stream,
                        )
                    )
                elif kind == "SQS":
                    props = self._event_properties(function, event_name)
                    # Lambda runs up to ScalingConfig.MaximumConcurrency batches at once (here one
                    # poller and one execution environment each); without it, one at a time locally.
                    scaling = props.get("ScalingConfig") or {}
                    concurrency = max(1, int(scaling.get("MaximumConcurrency") or 1))
                    self._pollers.extend(
                        SqsPoller(
                            name=f"{function.logical_id}.{event_name}" + (f"#{n}" if n else ""),
                            registry=self.registry,
                            function=function.logical_id,
                            client=self.client,
                            queue_arn=str(props["Queue"]),
                            region=self.region,
                            properties=props,
                            retry_visibility=self.sqs_retry_seconds,
                            environment=n,
                        )
                        for n in range(concurrency)
                    )
                elif kind in ("Schedule", "ScheduleV2"):
                    resolved = {"Type": kind, "Properties": self._event_properties(function, event_name)}
                    schedules.setdefault(function.logical_id, {})[event_name] = resolved
                    asynchronous[function.logical_id] = self._async_invocation(function)
                else:
                    ignored.append(f"{function.logical_id}.{event_name} ({kind})")
        if ignored:
            logger.warning("event sources not emulated locally: %s", ", ".join(ignored))
        self._schedules = ScheduleRunner(
            name="schedules",
            registry=self.registry,
            schedules=schedules,
            asynchronous=asynchronous,
            client=self.client,
            region=self.region,
            account=ACCOUNT_ID,
            rule_prefix=self.name_prefix,
            every=self.schedule_seconds,
        )
        self._pollers.append(self._schedules)
        groups = [str(self.ref(g)) for g in self._resources.template.of_type("AWS::Scheduler::ScheduleGroup")]
        self._pollers.append(
            SchedulerPoller(
                name="scheduler",
                registry=self.registry,
                client=self.client,
                groups=[*groups, "default"],
                engine=self._scheduler_engine,
            )
        )
        self._pollers.append(
            SesEventPublisher(
                name="ses-events",
                engine=self._ses_engine,
                client=self.client,
                send_event_topics=self._ses_send_event_topics(),
            )
        )
        for poller in self._pollers:
            poller.start()

    def _trim_stream(self, poller: StreamPoller) -> None:
        """Drop the stream records every consumer of the poller's stream has passed (bounded storage)."""
        if self.dynamodb is None:
            return
        consumers = [
            p for p in self._pollers if isinstance(p, StreamPoller) and p.stream_arn == poller.stream_arn
        ]
        for shard_id in poller.checkpoints:
            passed = [consumer.checkpoints.get(shard_id) for consumer in consumers]
            if all(passed):
                self.dynamodb.trim_stream(poller.stream_arn, min((str(p) for p in passed), key=int))

    def _enforce_policies(self) -> None:
        """Each function's template policy, checked on every AWS call its handler makes."""
        from devstack import iam

        template = self._resources.template
        policies = {
            logical_id: self._resources.properties(logical_id).get("Policies") or []
            for logical_id in template.of_type(*FUNCTION_TYPES)
        }
        self.policies = iam.PolicyChecker.from_policies(self.region, ACCOUNT_ID, policies)
        iam.enforce(self.policies)

    def _ses_send_event_topics(self) -> dict[str, list[str]]:
        """Configuration set name -> the SNS topics its event destinations send SES's Send events to
        (the configuration set is not created locally: the SES engine journals each email's Send event
        with its configuration set's name, and SesEventPublisher looks its topics up here)."""
        topics: dict[str, list[str]] = {}
        template = self._resources.template
        for logical_id in template.of_type("AWS::SES::ConfigurationSetEventDestination"):
            props = self._resources.resolve(template.resources[logical_id].get("Properties") or {}) or {}
            destination = props.get("EventDestination") or {}
            types = [str(t).lower() for t in destination.get("MatchingEventTypes") or []]
            topic = (destination.get("SnsDestination") or {}).get("TopicARN")
            if destination.get("Enabled", True) in (True, "true") and "send" in types and topic:
                topics.setdefault(str(props.get("ConfigurationSetName")), []).append(str(topic))
        return topics

    # ------------------------------------------------------------------ the gateway
    def _api_configs(self) -> dict[str, ApiConfig]:
        template = self._resources.template
        configs: dict[str, ApiConfig] = {}
        apis = list(template.of_type("AWS::Serverless::Api"))
        for logical_id in [*apis, _IMPLICIT_API]:
            if logical_id == _IMPLICIT_API:
                props = self._resources.resolve(template.globals.get("Api") or {}) or {}
                api_id, stage = "localapi00", str(props.get("StageName", "Prod"))
            else:
                props = self._resources.properties(logical_id)
                api_id, stage = str(self.ref(logical_id)), str(props.get("StageName", "Prod"))
            auth = props.get("Auth") or {}
            authorizers: dict[str, Authorizer] = {}
            for name, spec in (auth.get("Authorizers") or {}).items():
                function = self.registry.by_arn(str(spec.get("FunctionArn", "")))
                if function is None:
                    logger.warning(
                        "authorizer %s: %s is not a function of the template", name, spec.get("FunctionArn")
                    )
                    continue
                identity = spec.get("Identity") or {}
                expression = identity.get("ValidationExpression")
                authorizers[name] = Authorizer(
                    name=name,
                    function=function.logical_id,
                    payload_type=str(spec.get("FunctionPayloadType", "TOKEN")).upper(),
                    header=str(identity.get("Header", "Authorization")),
                    validation=re.compile(expression) if expression else None,
                    ttl=int(identity.get("ReauthorizeEvery", 300)),
                    request_headers=list(identity.get("Headers") or []),
                )
            configs[logical_id] = ApiConfig(
                logical_id=logical_id,
                api_id=api_id,
                stage=stage,
                authorizers=authorizers,
                default_authorizer=auth.get("DefaultAuthorizer"),
                gateway_responses=dict(props.get("GatewayResponses") or {}),
            )
        return configs

    def _gateway(self) -> Gateway:
        configs = self._api_configs()
        routes: list[Route] = []
        for function in self.registry.functions.values():
            for event_name, spec in function.events.items():
                if spec.get("Type") != "Api":
                    continue
                raw = spec.get("Properties") or {}
                rest_api = raw.get("RestApiId")
                api_logical = rest_api.get("Ref") if isinstance(rest_api, dict) else rest_api
                api = configs.get(str(api_logical or _IMPLICIT_API)) or configs[_IMPLICIT_API]
                props = self._event_properties(function, event_name)
                authorizer_name = (props.get("Auth") or {}).get("Authorizer", api.default_authorizer)
                authorizer = None
                if authorizer_name and authorizer_name not in ("NONE", "AWS_IAM"):
                    authorizer = api.authorizers.get(authorizer_name)
                    if authorizer is None:
                        raise TemplateError(
                            f"{function.logical_id}.{event_name}: no authorizer {authorizer_name}"
                        )
                routes.append(
                    Route(
                        api=api,
                        path=str(props["Path"]),
                        method=str(props.get("Method", "ANY")).upper(),
                        function=function.logical_id,
                        authorizer=authorizer,
                        event_name=event_name,
                    )
                )
        self.routes = routes
        gateway = Gateway(
            registry=self.registry,
            routes=routes,
            region=self.region,
            account=ACCOUNT_ID,
            s3_client=lambda: self.client("s3"),
            feeds_bucket=self._distribution_bucket(),
            feeds_prefix=self.feeds_prefix,
            **self._distribution_site(),
        )
        gateway.local_routes = {
            ("POST", "schedules"): self._local_schedule,
            ("POST", "digests/run"): self._local_digests,
            ("POST", "idle"): self._local_idle,
            ("GET", "health"): self._local_health,
        }
        return gateway

    def _distribution_bucket(self) -> str | None:
        """The bucket behind the template's CloudFront distribution (what /feeds/... serves)."""
        template = self._resources.template
        buckets = {}
        for logical_id in template.of_type("AWS::S3::Bucket"):
            built = self._resources.built.get(logical_id)
            if built is not None:
                for attribute in ("DomainName", "RegionalDomainName"):
                    buckets[built.attributes[attribute]] = str(built.ref)
        for logical_id, resource in template.of_type("AWS::CloudFront::Distribution").items():
            config = (resource.get("Properties") or {}).get("DistributionConfig") or {}
            for origin in config.get("Origins") or []:
                domain = self._resources.resolve(origin.get("DomainName"))
                if domain in buckets:
                    return buckets[domain]
            logger.debug("%s has no origin among the template's buckets", logical_id)
        return None

    def _distribution_site(self) -> dict[str, Any]:
        """What the distribution's default behaviour serves: its origin's path in the bucket, the
        default root object, and the response headers policy's security headers."""
        template = self._resources.template
        for resource in template.of_type("AWS::CloudFront::Distribution").values():
            config = (resource.get("Properties") or {}).get("DistributionConfig") or {}
            default = config.get("DefaultCacheBehavior") or {}
            origin: dict[str, Any] = next(
                (o for o in config.get("Origins") or [] if o.get("Id") == default.get("TargetOriginId")), {}
            )
            site: dict[str, Any] = {
                "default_root_object": str(config.get("DefaultRootObject") or "index.html")
            }
            if "OriginPath" in origin:
                site["site_origin_path"] = str(origin["OriginPath"]).strip("/")
            policy_ref = default.get("ResponseHeadersPolicyId")
            if isinstance(policy_ref, dict) and "Ref" in policy_ref:
                policy = template.resources.get(policy_ref["Ref"]) or {}
                site["distribution_headers"] = self._security_headers(policy)
            return site
        return {}

    def _security_headers(self, policy: dict[str, Any]) -> list[tuple[str, str]]:
        config = ((policy.get("Properties") or {}).get("ResponseHeadersPolicyConfig") or {}).get(
            "SecurityHeadersConfig"
        ) or {}
        headers: list[tuple[str, str]] = []
        hsts = config.get("StrictTransportSecurity")
        if hsts:
            value = f"max-age={hsts['AccessControlMaxAgeSec']}"
            value += "; includeSubDomains" if hsts.get("IncludeSubdomains") else ""
            value += "; preload" if hsts.get("Preload") else ""
            headers.append(("Strict-Transport-Security", value))
        if config.get("ContentTypeOptions"):
            headers.append(("X-Content-Type-Options", "nosniff"))
        if config.get("FrameOptions"):
            headers.append(("X-Frame-Options", str(config["FrameOptions"]["FrameOption"])))
        if config.get("ReferrerPolicy"):
            headers.append(("Referrer-Policy", str(config["ReferrerPolicy"]["ReferrerPolicy"])))
        csp = config.get("ContentSecurityPolicy")
        if csp:
            value = _local_value(self._resources.resolve(csp["ContentSecurityPolicy"]), self._local_host())
            headers.append(("Content-Security-Policy", str(value)))
        return headers

    def _local_host(self) -> str:
        return f"{HOST}:{self.port}"

    # ------------------------------------------------------------------ /_local routes
    def _local_digests(self, request: HttpRequest, rest: list[str]) -> HttpResponse:
        """Every digest now, as if its period had ended (devstack.digests): DigestFunction's hourly
        schedule run for each hour of a Monday no earlier run used."""
        if rest:
            return problem(404, "Use POST /_local/digests/run.")
        return self._run_schedule_response("DigestFunction", {}, at=self._digest_weeks.next_hours())

    def _local_schedule(self, request: HttpRequest, rest: list[str]) -> HttpResponse:
        """Run a function's schedules now; a JSON object body becomes the Scheduled Event's detail."""
        if len(rest) != 1:
            return problem(404, "Use POST /_local/schedules/<FunctionLogicalId>.")
        detail: Any = {}
        if request.body.strip():
            try:
                detail = json.loads(request.body)
            except ValueError:
                detail = None
            if not isinstance(detail, dict):
                return problem(400, "The body, if any, must be a JSON object (the event's detail).")
        return self._run_schedule_response(rest[0], detail)

    def _run_schedule_response(
        self, function: str, detail: dict[str, Any], *, at: list[datetime] | None = None
    ) -> HttpResponse:
        try:
            hours: list[datetime | None] = list(at) if at else [None]
            outcomes = [o for hour in hours for o in self.run_schedule(function, detail, at=hour)]
        except KeyError:
            return problem(404, f"{function} has no Schedule events in the template.")
        status = 500 if any("error" in outcome for outcome in outcomes) else 200
        body = json.dumps({"function": function, "results": outcomes}, default=str, ensure_ascii=False)
        return HttpResponse(status, [("Content-Type", "application/json")], body.encode())

    def _local_idle(self, request: HttpRequest, rest: list[str]) -> HttpResponse:
        try:
            self.wait_until_idle(10.0)
        except TimeoutError as error:
            return problem(503, str(error))
        return HttpResponse(200, [("Content-Type", "application/json")], b'{"idle":true}')

    def _local_health(self, request: HttpRequest, rest: list[str]) -> HttpResponse:
        body = {"status": "ok", "invocations": dict(self.invocations), "moto": self._moto_url}
        return HttpResponse(200, [("Content-Type", "application/json")], json.dumps(body).encode())

    # ------------------------------------------------------------------ for users and tests
    def create_office(self, name: str, **kwargs: Any) -> str:
        """Create an office through the application's own service; returns its plaintext key."""
        from boletin.composition.offices import office_service

        office, key = office_service().create_office(name=name, **kwargs)
        self.demo_office = office if self.demo_office is None else self.demo_office
        return str(key)

    def _demo_office_key(self) -> str:
        """The demo office's key: the one an earlier run on this state folder printed, while it still
        opens that office (so `make run` again keeps the same key); else a new office, or a new key for
        the office when its key was lost. Kept beside the engines' data, readable by its owner only."""
        from boletin.composition.offices import office_service
        from boletin.errors import BoletinError, OfficeExistsError

        record = self.state_dir / "demo-office.json"
        with contextlib.suppress(OSError, ValueError, KeyError, BoletinError):
            saved = json.loads(record.read_text())
            office_service().authenticate(f"Bearer {saved['key']}")
            return str(saved["key"])
        try:
            key = self.create_office(DEMO_OFFICE)
        except OfficeExistsError:
            key = office_service().rotate_key(DEMO_OFFICE_ID)
        record.write_text(json.dumps({"office": DEMO_OFFICE_ID, "key": key}))
        record.chmod(0o600)
        return key

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Invoke a function directly (RequestResponse); its exception propagates."""
        return self.registry.invoke(logical_id, event, source="direct")

    def run_schedule(
        self, logical_id: str, detail: dict[str, Any] | None = None, *, at: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Run every Schedule/ScheduleV2 event of a function now (`detail` goes into the event; `at`
        is the event's time, now if None)."""
        if self._schedules is None:
            raise RuntimeError("the stack is not started")
        return self._schedules.run(logical_id, detail, at=at)

    def fail_next(self, logical_id: str, times: int = 1, error: BaseException | None = None) -> None:
        """Make the next `times` invocations of the function raise (InjectedError, or `error`)."""
        self.registry.fail_next(logical_id, times, error)

    def wrap_handler(self, logical_id: str, wrapper: Wrapper) -> Callable[[], None]:
        """Run the function's handler through `wrapper(handler) -> handler` until the returned undo is
        called."""
        return self.registry.wrap(logical_id, wrapper)

    @contextmanager
    def wrapped(self, logical_id: str, wrapper: Wrapper) -> Iterator[None]:
        undo = self.wrap_handler(logical_id, wrapper)
        try:
            yield
        finally:
            undo()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Hold every event source (streams, queues, schedules, outbox) inside the block: what happens in
        it is delivered afterwards, in batches as large as the sources allow."""
        for poller in self._pollers:
            poller.pause()
        try:
            yield
        finally:
            for poller in self._pollers:
                poller.resume()

    def clear_faults(self) -> None:
        self.registry.clear_faults()

    def flush_authorizer_cache(self) -> None:
        for route in self.routes:
            if route.authorizer is not None:
                route.authorizer.flush()

    def wait_until_idle(self, timeout: float = 10.0) -> None:
        """Block until every stream is caught up, every consumed queue is empty, no invocation runs and
        the outbox is written, twice in a row; TimeoutError (naming what is busy) after `timeout` s."""
        deadline = time.monotonic() + timeout
        quiet = 0
        busy: list[str] = []
        while time.monotonic() < deadline:
            before = self.registry.activity
            busy = [poller.name for poller in self._pollers if not poller.is_drained()]
            if self.registry.in_flight:
                busy.append(f"{self.registry.in_flight} invocation(s)")
            if not busy and self.registry.activity == before:
                quiet += 1
                if quiet >= 2:
                    return
            else:
                quiet = 0
            time.sleep(0.05)
        raise TimeoutError(
            f"the local stack is still busy after {timeout} s: {', '.join(busy) or 'activity'}"
        )


def _local_value(value: Any, local_host: str) -> str:
    """An environment value as Lambda gets it (a string); https URLs of the local stack become http."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, (dict, list)):
        text = json.dumps(value)
    else:
        text = str(value)
    return text.replace(f"https://{local_host}", f"http://{local_host}")


def _reset_process_caches() -> None:
    """Forget what the application cached from the previous environment (settings, clients, keys)."""
    built = sys.modules.get("boletin.built")
    if built is not None:
        built.forget_built()  # settings, and every service a handler built from them
    aws = sys.modules.get("boletin.aws")
    if aws is not None and hasattr(aws, "reset_clients"):
        aws.reset_clients()
