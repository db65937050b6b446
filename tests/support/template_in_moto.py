"""The template's AWS resources in moto, in this process (`moto.mock_aws`), and its functions'
handlers called directly: what an integration test feeds an event to. No HTTP, no pollers, no local
stack: a handler runs once per `invoke`, and only what it does itself happens.

Resources come from template.yaml through the local stack's public builder (`devstack.resources`),
so tables, indexes, queues, the bus and its rules, buckets, topics and the secret are the template's;
each function's environment is the template's, one process-wide environment as in the local stack.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.paths import ROOT

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
# Where CloudFront would serve (a distribution's DomainName); nothing listens there.
PUBLIC_HOST = "news.example.org"
_CREDENTIALS = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_DEV": "false",
}


@dataclass
class TemplateInMoto:
    """Refs of the template's resources, boto3 clients of moto, and the functions to invoke."""

    builder: Any  # devstack.resources.ResourceBuilder
    functions: dict[str, Any]  # logical id -> devstack.functions.LocalFunction
    environment: dict[str, str]
    _clients: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def ref(self, logical_id: str) -> Any:
        """What `!Ref logical_id` resolves to (a table's name, a queue's URL...)."""
        return self.builder.ref(logical_id)

    def client(self, service: str) -> Any:
        import boto3

        with self._lock:
            if service not in self._clients:
                self._clients[service] = boto3.client(service, region_name=REGION)
            return self._clients[service]

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Call the function's handler with `event` and a Lambda context; its exception propagates."""
        from devstack.functions import LocalLambdaContext

        function = self.functions[logical_id]
        return function.handler_function()(event, LocalLambdaContext(function))


def _as_lambda_value(value: Any) -> str:
    """An environment value as Lambda passes it: always a string."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in (*values, "AWS_ENDPOINT_URL")}
    os.environ.pop("AWS_ENDPOINT_URL", None)  # moto answers in process; no endpoint to point at
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _forget_process_caches() -> None:
    """Settings, clients and built services belong to one environment: forget them at each change."""
    from boletin import aws
    from boletin.built import forget_built

    aws.reset_clients()
    forget_built()


@contextmanager
def template_in_moto(template: Path = ROOT / "template.yaml") -> Iterator[TemplateInMoto]:
    from moto import mock_aws

    from devstack.functions import LocalFunction
    from devstack.resources import FUNCTION_TYPES, ResourceBuilder, StackNames
    from devstack.template import load_template

    loaded = load_template(template)
    with _environment(_CREDENTIALS), mock_aws():
        _forget_process_caches()
        import boto3

        clients: dict[str, Any] = {}

        def client(service: str) -> Any:
            return clients.setdefault(service, boto3.client(service, region_name=REGION))

        builder = ResourceBuilder(
            template=loaded,
            client=client,
            names=StackNames("boletin-it"),
            region=REGION,
            account=ACCOUNT,
            local_host=PUBLIC_HOST,
        )
        builder.build_all()
        # SES refuses unverified senders: the template's sender address is verified, as on AWS.
        for name, value in builder.resolver.parameters.items():
            if "sender" in name.lower() and isinstance(value, str) and "@" in value:
                client("ses").verify_email_identity(EmailAddress=value)
        functions: dict[str, Any] = {}
        environment: dict[str, str] = {}
        for logical_id in loaded.of_type(*FUNCTION_TYPES):
            props = builder.properties(logical_id)
            variables = {
                key: _as_lambda_value(value)
                for key, value in ((props.get("Environment") or {}).get("Variables") or {}).items()
            }
            for key, value in variables.items():
                # One process holds every function: they must agree on each variable (as locally).
                assert environment.setdefault(key, value) == value, f"{key} differs between functions"
            functions[logical_id] = LocalFunction(
                logical_id=logical_id,
                name=str(builder.ref(logical_id)),
                arn=str(builder.getatt(logical_id, "Arn")),
                code_dir=(template.parent / str(props["CodeUri"])).resolve(),
                handler=str(props.get("Handler", "app.lambda_handler")),
                timeout=int(props.get("Timeout", 3)),
                memory=int(props.get("MemorySize", 128)),
                environment=variables,
                events={},
            )
        with _environment(environment):
            _forget_process_caches()
            try:
                yield TemplateInMoto(builder, functions, environment)
            finally:
                _forget_process_caches()
