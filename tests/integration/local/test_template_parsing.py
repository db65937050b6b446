"""Reading CloudFormation templates: short tags, intrinsic functions and SAM Globals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from devstack.template import Resolver, TemplateError, load_template, merge_globals

YAML = """
Parameters:
  Stage: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      Name: !Ref Table
      Arn: !GetAtt Table.Arn
      Stream: !GetAtt [Table, StreamArn]
      Url: !Sub "https://${Dist.DomainName}/feeds"
      Where: !Sub "arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:${Stage}/${Table}"
      Literal: !Sub "${!NotAVariable} and ${Var}"
      WithVars: !Sub ["${Var}-${Stage}", {Var: !Ref Stage}]
      Joined: !Join [",", [a, !Ref Stage]]
      Picked: !Select [1, !Split ["/", "a/b/c"]]
      Branch: !If [IsProd, big, small]
      Gone: !Ref AWS::NoValue
      Listed: [!Ref Stage, !Ref AWS::NoValue]
"""


def resolver_for(body: dict[str, Any]) -> Resolver:
    return Resolver(
        parameters={"Stage": "dev"},
        pseudo={"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws"},
        ref=lambda name: f"ref:{name}",
        getatt=lambda name, attribute: f"att:{name}.{attribute}",
        conditions=body.get("Conditions") or {},
    )


def test_short_tags_and_intrinsics_resolve_against_the_stack(tmp_path: Path) -> None:
    # Given a template written with CloudFormation short tags
    path = tmp_path / "template.yaml"
    path.write_text(YAML)
    template = load_template(path)

    # When its properties are resolved
    props = resolver_for(template.body).resolve(template.resources["Table"]["Properties"])

    # Then every intrinsic gives the value CloudFormation would
    assert props["Name"] == "ref:Table"
    assert props["Arn"] == "att:Table.Arn"
    assert props["Stream"] == "att:Table.StreamArn"
    assert props["Url"] == "https://att:Dist.DomainName/feeds"
    assert props["Where"] == "arn:aws:x:us-east-1:123456789012:dev/ref:Table"
    assert props["Literal"] == "${NotAVariable} and ref:Var"
    assert props["WithVars"] == "dev-dev"
    assert props["Joined"] == "a,dev"
    assert props["Picked"] == "b"
    assert props["Branch"] == "small"
    assert "Gone" not in props
    assert props["Listed"] == ["dev"]


def test_a_function_the_local_stack_cannot_resolve_is_an_error(tmp_path: Path) -> None:
    resolver = resolver_for({})
    with pytest.raises(TemplateError, match="ImportValue"):
        resolver.resolve({"Fn::ImportValue": "elsewhere"})


def test_a_file_without_resources_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "not-a-template.yaml"
    path.write_text("hello: world\n")
    with pytest.raises(TemplateError):
        load_template(path)


def test_globals_merge_like_sam() -> None:
    # Given Globals and a function that overrides some of them
    merged = merge_globals(
        {"Timeout": 10, "Environment": {"Variables": {"A": "1", "B": "2"}}, "Layers": ["x"]},
        {"Timeout": 30, "Environment": {"Variables": {"B": "3"}}, "Layers": ["y"]},
    )
    # Then maps merge with the function winning, lists concatenate and scalars are replaced
    assert merged == {"Timeout": 30, "Environment": {"Variables": {"A": "1", "B": "3"}}, "Layers": ["x", "y"]}


def test_the_real_template_parses_with_every_short_tag() -> None:
    template = load_template(Path(__file__).resolve().parents[3] / "template.yaml")
    api = template.resources["BoletinApi"]["Properties"]
    assert api["StageName"] == {"Ref": "Stage"}
    env = template.globals["Function"]["Environment"]["Variables"]
    assert env["FEEDS_BASE_URL"] == {"Fn::Sub": "https://${FeedsDistribution.DomainName}/feeds"}
    assert env["RELEASE_QUEUE_ARN"] == {"Fn::GetAtt": ["ReleaseQueue", "Arn"]}
