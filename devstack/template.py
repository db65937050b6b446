"""Reading template.yaml: a YAML loader for CloudFormation short tags and a resolver of intrinsics.

The loader turns `!Ref X` into `{"Ref": "X"}`, `!GetAtt A.B` into `{"Fn::GetAtt": ["A", "B"]}` and every
other `!Name value` into `{"Fn::Name": value}`, so long-form and short-form templates read the same. The
`Resolver` evaluates intrinsic functions against values the caller provides (parameters, pseudo
parameters, and callbacks for `Ref`/`Fn::GetAtt` of resources, which the local stack answers by
creating the resource on first use).
"""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "NO_VALUE",
    "Resolver",
    "Template",
    "TemplateError",
    "load_template",
    "merge_globals",
]


class TemplateError(ValueError):
    """The template uses something the local stack cannot resolve."""


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()


class CfnLoader(yaml.SafeLoader):  # type: ignore[misc]
    """SafeLoader that understands CloudFormation's short-form intrinsic tags."""


def _construct_tag(loader: CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - yaml has no other node kinds
        raise TemplateError(f"unsupported node for !{suffix}")
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_tag)


@dataclass
class Template:
    """A parsed template (SAM or plain CloudFormation)."""

    path: Path
    body: dict[str, Any]

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self.body.get("Parameters") or {})

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return dict(self.body.get("Resources") or {})

    @property
    def conditions(self) -> dict[str, Any]:
        return dict(self.body.get("Conditions") or {})

    @property
    def mappings(self) -> dict[str, Any]:
        return dict(self.body.get("Mappings") or {})

    @property
    def globals(self) -> dict[str, Any]:
        return dict(self.body.get("Globals") or {})

    def of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        return {name: res for name, res in self.resources.items() if res.get("Type") in types}


def load_template(path: str | Path) -> Template:
    """Parse a YAML (or JSON) template file."""
    template_path = Path(path)
    body = yaml.load(template_path.read_text(encoding="utf-8"), Loader=CfnLoader)  # noqa: S506 - a SafeLoader
    if not isinstance(body, dict) or "Resources" not in body:
        raise TemplateError(f"{template_path} is not a CloudFormation template (no Resources)")
    return Template(template_path, body)


def merge_globals(globals_section: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals rule: maps merge (the resource wins), lists concatenate, scalars are overridden."""
    merged: dict[str, Any] = copy.deepcopy(dict(globals_section))
    for key, value in properties.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merged[key] = merge_globals(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = current + copy.deepcopy(value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


@dataclass
class Resolver:
    """Evaluates intrinsic functions. `ref(logical_id)` and `getatt(logical_id, attribute)` answer for
    resources; parameters and pseudo parameters are plain values."""

    parameters: dict[str, Any]
    pseudo: dict[str, Any]
    ref: Callable[[str], Any]
    getatt: Callable[[str, str], Any]
    conditions: dict[str, Any] = field(default_factory=dict)
    mappings: dict[str, Any] = field(default_factory=dict)
    _condition_values: dict[str, bool] = field(default_factory=dict)

    def resolve(self, value: Any) -> Any:
        result = self._resolve(value)
        return None if result is NO_VALUE else result

    def condition(self, name: str) -> bool:
        if name not in self._condition_values:
            if name not in self.conditions:
                raise TemplateError(f"unknown condition {name}")
            self._condition_values[name] = bool(self._resolve(self.conditions[name]))
        return self._condition_values[name]

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self._resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(self._resolve(argument))
            if key == "Condition" and isinstance(argument, str):
                return self.condition(argument)
            if key.startswith("Fn::"):
                return self._function(key[4:], argument)
        resolved = {key: self._resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def _ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise TemplateError(f"Ref needs a name, got {name!r}")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.ref(name)

    def _function(self, name: str, argument: Any) -> Any:
        if name == "GetAtt":
            parts = argument.split(".", 1) if isinstance(argument, str) else self._resolve(argument)
            if not isinstance(parts, list) or len(parts) != 2:
                raise TemplateError(f"bad Fn::GetAtt {argument!r}")
            return self.getatt(str(parts[0]), str(parts[1]))
        if name == "Sub":
            return self._sub(argument)
        if name == "Join":
            delimiter, items = self._resolve(argument)
            return str(delimiter).join(str(item) for item in items)
        if name == "Select":
            index, items = self._resolve(argument)
            return items[int(index)]
        if name == "Split":
            delimiter, text = self._resolve(argument)
            return str(text).split(str(delimiter))
        if name == "If":
            condition, when_true, when_false = argument
            return self._resolve(when_true if self.condition(condition) else when_false)
        if name == "Equals":
            left, right = self._resolve(argument)
            return str(left) == str(right)
        if name == "Not":
            return not self._resolve(argument)[0]
        if name == "And":
            return all(self._resolve(argument))
        if name == "Or":
            return any(self._resolve(argument))
        if name == "FindInMap":
            mapping, first, second = self._resolve(argument)
            return self.mappings[mapping][first][second]
        if name == "Base64":
            return base64.b64encode(str(self._resolve(argument)).encode()).decode()
        if name == "GetAZs":
            region = self._resolve(argument) or self.pseudo["AWS::Region"]
            return [f"{region}{zone}" for zone in "abc"]
        if name == "Length":
            return len(self._resolve(argument))
        if name == "ToJsonString":
            return json.dumps(self._resolve(argument), separators=(",", ":"))
        raise TemplateError(f"Fn::{name} is not supported by the local stack")

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, list):
            text, variables = argument[0], self._resolve(argument[1])
        else:
            text, variables = argument, {}
        if not isinstance(text, str):
            raise TemplateError(f"bad Fn::Sub {argument!r}")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                value = variables[name]
            elif name in self.pseudo or name in self.parameters or "." not in name:
                value = self._ref(name)
            else:
                resource, attribute = name.split(".", 1)
                value = self.getatt(resource, attribute)
            return ",".join(map(str, value)) if isinstance(value, list) else str(value)

        return _SUB_VARIABLE.sub(replace, text)
