"""The template's functions, run in this process: loading `functions/<CodeUri>/app.py`, a fake Lambda
context, execution environments (invocations of one environment never overlap, as in one warm Lambda
instance; a function has one, or as many as its event source's MaximumConcurrency, each with its own
copy of the handler's module), invocation counters, and fault-injection hooks for tests."""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import threading
import time
import traceback
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = [
    "FunctionRegistry",
    "InjectedError",
    "Invocation",
    "LocalFunction",
    "LocalLambdaContext",
    "running_function",
]

# Not under "boletin": Powertools' SuppressFilter drops records of any logger whose name contains the
# service name (POWERTOOLS_SERVICE_NAME=boletin) from the root handlers.
logger = logging.getLogger("local_stack")

_running = threading.local()


class _LambdaContextFilter(logging.Filter):
    """Powertools keeps a Logger's Lambda context (function_name, request id...) on the one logging
    logger a service name shares: in one process, the last handler to start would label every line.
    This puts the context of the function the logging thread runs on each record (record attributes
    win over the kept ones), so each line says which function wrote it, as on Lambda."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = getattr(_running, "context", None)
        if context is not None:
            record.function_name = context.function_name
            record.function_arn = context.invoked_function_arn
            record.function_request_id = context.aws_request_id
            record.function_memory_size = context.memory_limit_in_mb
        return True


_CONTEXT_FILTER = _LambdaContextFilter()


def label_function_logs(service: str) -> None:
    """Install the filter on the service's Powertools logger and its handlers (idempotent)."""
    service_logger = logging.getLogger(service)
    for target in (service_logger, *service_logger.handlers):
        if _CONTEXT_FILTER not in target.filters:
            target.addFilter(_CONTEXT_FILTER)


def running_function() -> str | None:
    """The logical id of the function this thread is running, None outside any: what tests and the
    load driver attribute AWS calls with."""
    return getattr(_running, "logical_id", None)


Handler = Callable[[Any, Any], Any]
Wrapper = Callable[[Handler], Handler]


class InjectedError(RuntimeError):
    """Raised instead of running a handler when a test asked for it (`DevStack.fail_next`)."""


class LocalLambdaContext:
    """What Lambda passes as `context` (the attributes Powertools and handlers read)."""

    def __init__(self, function: LocalFunction) -> None:
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function.arn
        self.memory_limit_in_mb = function.memory
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function.name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline = time.monotonic() + function.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class LocalFunction:
    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    timeout: int
    memory: int
    environment: dict[str, str]
    events: dict[str, dict[str, Any]]
    _modules: dict[int, ModuleType] = field(default_factory=dict)
    _load_lock: threading.Lock = field(default_factory=threading.Lock)
    _run_locks: dict[int, threading.Lock] = field(default_factory=dict)

    @property
    def module_name(self) -> str:
        return "boletin_local_fn_" + re.sub(r"\W", "_", self.logical_id)

    def run_lock(self, environment: int = 0) -> threading.Lock:
        """Held while execution environment `environment` runs an invocation."""
        with self._load_lock:
            return self._run_locks.setdefault(environment, threading.Lock())

    def handler_function(self, environment: int = 0) -> Handler:
        """The handler of execution environment `environment`: each loads the module afresh (its own
        module-level state, as its own Lambda instance would; the product package is shared)."""
        module_path, _, function_name = self.handler.rpartition(".")
        with self._load_lock:
            if environment not in self._modules:
                path = self.code_dir / (module_path.replace(".", "/") + ".py")
                name = self.module_name + (f"_{environment}" if environment else "")
                spec = importlib.util.spec_from_file_location(name, path)
                if spec is None or spec.loader is None:
                    raise ImportError(f"{self.logical_id}: cannot load {path}")
                module = importlib.util.module_from_spec(spec)
                started = time.perf_counter()
                spec.loader.exec_module(module)
                logger.debug(
                    "%s: loaded %s in %.0f ms", self.logical_id, path, (time.perf_counter() - started) * 1e3
                )
                self._modules[environment] = module
        handler = getattr(self._modules[environment], function_name, None)
        if not callable(handler):
            raise AttributeError(f"{self.logical_id}: {self.handler} is not a function")
        return handler  # type: ignore[no-any-return]


@dataclass
class Invocation:
    function: str
    event: Any
    result: Any = None
    error: str | None = None
    source: str = ""
    duration_ms: float = 0.0


@dataclass
class FunctionRegistry:
    """The functions, by logical id and by ARN, and how they are invoked."""

    functions: dict[str, LocalFunction] = field(default_factory=dict)
    invocations: Counter[str] = field(default_factory=Counter)
    history: deque[Invocation] = field(default_factory=lambda: deque(maxlen=2000))
    _failures: dict[str, list[BaseException]] = field(default_factory=dict)
    _wrappers: dict[str, list[Wrapper]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _in_flight: int = 0
    activity: int = 0  # grows with every invocation start and end: how wait_until_idle sees motion

    def add(self, function: LocalFunction) -> None:
        self.functions[function.logical_id] = function

    def get(self, logical_id: str) -> LocalFunction:
        try:
            return self.functions[logical_id]
        except KeyError:
            raise KeyError(f"no function {logical_id} in the template") from None

    def by_arn(self, arn: str) -> LocalFunction | None:
        base = re.sub(r":(\$LATEST|\d+|[A-Za-z][\w-]*)$", "", arn) if arn.count(":") > 6 else arn
        for function in self.functions.values():
            if function.arn in (arn, base) or function.name == arn:
                return function
        return None

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def touch(self) -> None:
        with self._lock:
            self.activity += 1

    # ------------------------------------------------------------------ fault hooks
    def fail_next(self, logical_id: str, times: int = 1, error: BaseException | None = None) -> None:
        self.get(logical_id)
        with self._lock:
            queue = self._failures.setdefault(logical_id, [])
            queue.extend(error or InjectedError(f"injected failure of {logical_id}") for _ in range(times))

    def wrap(self, logical_id: str, wrapper: Wrapper) -> Callable[[], None]:
        self.get(logical_id)
        with self._lock:
            self._wrappers.setdefault(logical_id, []).append(wrapper)

        def unwrap() -> None:
            with self._lock:
                wrappers = self._wrappers.get(logical_id, [])
                if wrapper in wrappers:
                    wrappers.remove(wrapper)

        return unwrap

    def clear_faults(self) -> None:
        with self._lock:
            self._failures.clear()
            self._wrappers.clear()

    # ------------------------------------------------------------------ invoking
    def invoke(self, logical_id: str, event: Any, *, source: str = "", environment: int = 0) -> Any:
        """Run the handler in execution environment `environment`; its exception propagates (the caller
        maps it as the AWS service would), after being logged with its traceback."""
        function = self.get(logical_id)
        with self._lock:
            self._in_flight += 1
            self.activity += 1
            self.invocations[logical_id] += 1
            failure = self._failures[logical_id].pop(0) if self._failures.get(logical_id) else None
            wrappers = list(self._wrappers.get(logical_id, []))
        record = Invocation(logical_id, event, source=source)
        started = time.perf_counter()
        previous = running_function()
        previous_context = getattr(_running, "context", None)
        try:
            with function.run_lock(environment):
                _running.logical_id = logical_id
                context = LocalLambdaContext(function)
                _running.context = context
                if failure is not None:
                    raise failure
                handler = function.handler_function(environment)
                label_function_logs(os.environ.get("POWERTOOLS_SERVICE_NAME", "service_undefined"))
                for wrapper in wrappers:
                    handler = wrapper(handler)
                record.result = handler(event, context)
                return record.result
        except BaseException as error:
            record.error = f"{type(error).__name__}: {error}"
            if isinstance(error, InjectedError):
                logger.info("%s: %s", logical_id, error)
            elif not (isinstance(error, Exception) and str(error) == "Unauthorized"):
                logger.error("%s raised (%s):\n%s", logical_id, source or "invoke", traceback.format_exc())
            raise
        finally:
            _running.logical_id = previous
            _running.context = previous_context
            record.duration_ms = (time.perf_counter() - started) * 1000
            if record.duration_ms > function.timeout * 1000:
                logger.warning(
                    "%s ran %.0f ms: over its %d s timeout", logical_id, record.duration_ms, function.timeout
                )
            self.history.append(record)
            with self._lock:
                self._in_flight -= 1
                self.activity += 1
