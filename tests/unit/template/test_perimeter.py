"""The API's perimeter as template.yaml declares it: throttles, WAF, retained secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cfnlint.decode.cfn_yaml import load

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE: dict[str, Any] = load(str(ROOT / "template.yaml"))
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]


def _throttles() -> dict[tuple[str, str], tuple[int, int]]:
    settings = RESOURCES["BoletinApi"]["Properties"]["MethodSettings"]
    return {
        (s["ResourcePath"], s["HttpMethod"]): (s["ThrottlingRateLimit"], s["ThrottlingBurstLimit"])
        for s in settings
    }


def test_anonymous_routes_and_office_writes_have_their_own_throttles() -> None:
    # Given the stage's method settings
    throttles = _throttles()
    anonymous = [("/~1subscriptions", "POST"), ("/~1bulletins", "GET"), ("/~1bulletins~1{id}", "GET")]
    office = [("/~1bulletins", "POST"), *((("/~1bulletins~1{id}", m)) for m in ("PUT", "PATCH", "DELETE"))]
    # Then every anonymous route and every office write is throttled on its own, not by a shared bucket
    for route in [*anonymous, *office]:
        assert route in throttles, route
    # And subscribing (which sends email) is the tightest of all
    assert throttles[("/~1subscriptions", "POST")] == min(throttles.values())


def test_a_waf_web_acl_with_rate_and_managed_rules_guards_the_api_stage_unless_turned_off() -> None:
    acl = RESOURCES["ApiWebAcl"]
    association = RESOURCES["ApiWebAclAssociation"]
    # Given the parameter that turns it off
    assert TEMPLATE["Conditions"][acl["Condition"]] == {"Fn::Equals": [{"Ref": "EnableWaf"}, "true"]}
    assert association["Condition"] == acl["Condition"]
    assert TEMPLATE["Parameters"]["EnableWaf"]["Default"] == "true"
    # Then the ACL is regional, on the API's stage, with per-IP rate rules and AWS managed rule groups
    assert acl["Properties"]["Scope"] == "REGIONAL"
    assert (
        "restapis/${BoletinApi}/stages/${BoletinApi.Stage}"
        in association["Properties"]["ResourceArn"]["Fn::Sub"]
    )
    statements = [rule["Statement"] for rule in acl["Properties"]["Rules"]]
    rates = [s["RateBasedStatement"] for s in statements if "RateBasedStatement" in s]
    assert rates
    assert all(r["AggregateKeyType"] == "IP" for r in rates)
    managed = {s["ManagedRuleGroupStatement"]["Name"] for s in statements if "ManagedRuleGroupStatement" in s}
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= managed


def test_secrets_that_links_and_ids_depend_on_outlive_the_stack() -> None:
    # A deleted signing secret breaks every link already sent; a deleted id secret breaks replays
    for name in ("SigningSecret", "BulletinIdSecret"):
        assert RESOURCES[name]["DeletionPolicy"] == "Retain", name
        assert RESOURCES[name]["UpdateReplacePolicy"] == "Retain", name
