"""The README's policy section documents the policy model: every field, step and condition with an example that
validates, every warning of ``handoff policy check``, and what ``handoff policy explain`` prints."""

import re
from pathlib import Path

import pytest
import yaml

from starter.policy_explain import explanation
from starter.policy_file import DEFAULT_POLICY, load_policy
from starter.policy_warnings import RULES
from workflows.policy import STEP_KINDS, Policy
from workflows.policy_conditions import CONDITION_KINDS

README = Path(__file__).resolve().parents[2] / "README.md"
SUPPORT_EU = {"support-eu": {"timezone": "Europe/Berlin", "hours": {"mon-fri": "09:00-18:00"}}}


def block(name: str) -> str:
    start, end = (
        f"<!-- policy {name}: checked by tests/docs/test_readme_policy.py -->",
        f"<!-- end of policy {name} -->",
    )
    readme = README.read_text()
    assert start in readme and end in readme, f"the README's policy section needs {start} ... {end}"
    return readme.split(start, 1)[1].split(end, 1)[0].strip()


def rows(name: str) -> dict[str, list[object]]:
    """A table's rows by the name in their first cell, each with the YAML examples of its last cell."""
    found = {}
    for line in block(name).splitlines()[2:]:
        first, *_, last = line.strip("|").split(" | ")
        found[first.strip().strip("`")] = [yaml.safe_load(example) for example in re.findall(r"`([^`]+)`", last)]
    return found


def test_every_policy_field_is_documented_with_an_example_that_validates():
    documented = rows("fields")
    assert list(documented) == list(Policy.model_fields)
    for field, examples in documented.items():
        for example in examples:
            assert isinstance(example, dict) and list(example) == [field], example
            Policy.model_validate({"name": "example", "steps": [{"wait": "15m"}], **example})


def test_every_step_is_documented_with_an_example_that_validates():
    documented = rows("steps")
    assert list(documented) == list(STEP_KINDS)
    for kind, examples in documented.items():
        assert examples, f"give the {kind} step an example"
        for example in examples:
            assert isinstance(example, dict) and list(example) == [kind], example
            Policy.model_validate({"name": "example", "calendars": SUPPORT_EU, "steps": [example]})


def test_every_condition_is_documented_with_an_example_that_validates():
    documented = rows("conditions")
    assert list(documented) == list(CONDITION_KINDS)
    for kind, examples in documented.items():
        assert examples, f"give the {kind} condition an example"
        for example in examples:
            assert isinstance(example, dict) and list(example) == [kind], example
            branch = {"all": [example], "then": [{"comment": "it holds"}]}
            Policy.model_validate({"name": "example", "calendars": SUPPORT_EU, "steps": [{"branch": branch}]})


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_every_warning_rule_is_listed(rule):
    assert f"- {rule.__doc__}" in block("warnings").splitlines()


def test_the_explain_example_is_what_the_command_prints_for_the_default_policy():
    shown = block("explain").removeprefix("```").removesuffix("```").strip("\n")
    assert shown.splitlines() == explanation(load_policy(DEFAULT_POLICY))
