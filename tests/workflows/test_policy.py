"""Policy files: the default loads, and every mistake is named with its field path."""

from datetime import timedelta

import pytest

from models.durations import format_duration, parse_duration
from starter.policy_file import DEFAULT_POLICY, PolicyError, load_policy
from workflows.comment import render_comment
from workflows.policy import Policy


def test_default_policy_is_the_articles_flow():
    policy = load_policy(DEFAULT_POLICY)
    first, wait, branch = policy.steps
    assert policy.name == "promptly-transfer" and policy.trigger.sources == ["contact"]
    assert first.assign.user == "alice@example.com"
    assert wait.wait == timedelta(minutes=15)
    assert [c.model_dump(exclude_none=True) for c in branch.branch.all] == [
        {"conversation_status": "open"},
        {"no_reply_since_assignment": True},
    ]
    reassign, comment = branch.branch.then
    assert (
        reassign.assign.team == "Tier 2" and reassign.assign.only_online and reassign.assign.strategy == "round_robin"
    )
    assert "{assignee_mention}" in comment.comment


def test_policy_survives_the_round_trip_through_workflow_history():
    policy = load_policy()
    assert Policy.model_validate_json(policy.model_dump_json()) == policy


BROKEN = """\
name: broken
steps:
  - assign: {team: Tier 2, user: bob@example.com}
  - wait: 15q
  - branch:
      all: [{conversation_status: pending}]
      then: [{comment: "hi {nobody}"}]
  - assign: {user: bob@example.com, only_online: true}
  - wat: 1
  - wait: 0s
"""


def test_broken_policy_names_every_problem_with_its_path(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    problems = raised.value.problems
    assert "steps.0.assign: say exactly one of user, team or workspace: true" in problems
    assert "steps.1.wait: '15q' is not a duration: write it like 30s, 15m, 1h30m or 7d" in problems
    assert "steps.2.branch.all.0.conversation_status: Input should be 'open' or 'closed'" in problems
    assert any(p.startswith("steps.2.branch.then.0.comment: unknown variable {nobody}") for p in problems)
    assert "steps.3.assign: only_online apply to a team or the workspace, not to one user" in problems
    assert "steps.4.wat: Extra inputs are not permitted" in problems
    assert "steps.5.wait: a wait must be longer than zero" in problems


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("steps: [{wait: 1m}]", "name: Field required"),
        ("name: x\nsteps: []", "steps: List should have at least 1 item after validation, not 0"),
        (
            "name: x\nsteps: [{wait: 1m, comment: hi}]",
            "steps.0: a step is exactly one of assign:, wait:, branch: or comment:",
        ),
        ("- just a list", "the file must hold a mapping with name: and steps:"),
        ("name: [unclosed", "not valid YAML"),
    ],
)
def test_structural_mistakes(tmp_path, text, problem):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    assert any(p.startswith(problem) for p in raised.value.problems), raised.value.problems


@pytest.mark.parametrize("value", [0.5, 1.7])
def test_fractional_seconds_are_refused(value):
    with pytest.raises(ValueError, match="whole number of seconds"):
        parse_duration(value)


def test_missing_file_says_so(tmp_path):
    with pytest.raises(PolicyError, match="cannot read the file"):
        load_policy(tmp_path / "nope.yaml")


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("15m", 900), ("1h30m", 5400), ("7d", 604800), (90, 90)])
def test_durations(text, seconds):
    parsed = parse_duration(text)
    assert parsed == timedelta(seconds=seconds)
    assert parse_duration(format_duration(parsed)) == parsed


def test_comment_is_kept_within_respond_io_limit():
    assert render_comment("{contact_name}", {"contact_name": "x" * 1001}) == "x" * 999 + "…"
    assert render_comment("{contact_name}!", {"contact_name": "Pat"}) == "Pat!"
