"""Policy files: the default loads, and every mistake is named with its field path."""

from datetime import timedelta

import pytest
from pydantic import ValidationError

from models.durations import format_duration, parse_duration
from starter.policy_file import DEFAULT_POLICY, PolicyError, describe_error, load_policy
from workflows.policy import Close, Policy
from workflows.policy_templates import render_template

POLICIES = DEFAULT_POLICY.parent
EU = {"timezone": "Europe/Berlin", "hours": {"mon-fri": "09:00-18:00"}}


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
            "steps.0: a step is exactly one of assign:, wait:, branch:, comment:, message:, close:, add_tag:,"
            " remove_tag:, repeat:",
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
    assert render_template("{contact_name}", {"contact_name": "x" * 1001}) == "x" * 999 + "…"
    assert render_template("{contact_name}!", {"contact_name": "Pat"}) == "Pat!"


def problems_of(**document: object) -> list[str]:
    """The "field.path: message" lines of a policy that must not validate (named x, unless it says otherwise)."""
    with pytest.raises(ValidationError) as raised:
        Policy.model_validate({"name": "x", **document})
    return [describe_error(item) for item in raised.value.errors()]


def branch_on(*conditions: object) -> list[object]:
    return [{"branch": {"all": list(conditions), "then": [{"comment": "hi"}]}}]


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (
            {"steps": [{"wait": {"for": "15m", "calendar": "support-eu"}}]},
            "steps.0.wait.calendar: unknown calendar 'support-eu'; the policy defines no calendars"
            " (add it under calendars:)",
        ),
        (
            {"calendars": {"eu": EU}, "steps": [{"wait": {"for": "15m", "calendar": "us"}}]},
            "steps.0.wait.calendar: unknown calendar 'us'; the policy defines eu",
        ),
        (
            {"calendars": {"eu": EU}, "steps": [{"wait": {"for": "0s", "calendar": "eu"}}]},
            "steps.0.wait: a wait must be longer than zero",
        ),
        (
            {"calendars": {"eu": EU}, "steps": [{"wait": {"for": "1m", "calendar": "eu", "hours": 1}}]},
            "steps.0.wait.hours: Extra inputs are not permitted",
        ),
        (
            {"steps": [{"assign": {"team": "Tier 1", "within_hours": "eu"}}]},
            "steps.0.assign.within_hours: unknown calendar 'eu'",
        ),
        (
            {"steps": [{"assign": {"team": "T", "timeout": {"steps": [{"wait": {"for": "1m", "calendar": "eu"}}]}}}]},
            "steps.0.assign.timeout.steps.0.wait.calendar: unknown calendar 'eu'",
        ),
        (
            {
                "calendars": {"eu": {"timezone": "Mars/Base", "hours": {"mon": "09:00-10:00"}}},
                "steps": [{"wait": "1m"}],
            },
            "calendars.eu.timezone: unknown time zone 'Mars/Base'",
        ),
        ({"applies_to": "sometimes", "steps": [{"wait": "1m"}]}, "applies_to: Input should be 'first_assignment' or"),
        ({"requeue_when_offline": {}, "steps": [{"wait": "1m"}]}, "requeue_when_offline: say teams: [...] or"),
        (
            {"requeue_when_offline": {"teams": ["Tier 1"], "workspace": True}, "steps": [{"wait": "1m"}]},
            "requeue_when_offline: say teams: [...] or workspace: true",
        ),
        (
            {"requeue_when_offline": {"workspace": True, "comment": "{who}"}, "steps": [{"wait": "1m"}]},
            "requeue_when_offline.comment: unknown variable {who}",
        ),
        (
            {"requeue_when_offline": {"workspace": True, "logic": "fastest"}, "steps": [{"wait": "1m"}]},
            "requeue_when_offline.logic: Input should be 'round_robin' or 'least_open'",
        ),
        ({"steps": [{"message": "hi {nobody}"}]}, "steps.0.message: unknown variable {nobody}"),
        ({"steps": [{"message": "x" * 4097}]}, "steps.0.message: String should have at most 4096 characters"),
        ({"steps": [{"message": "{unclosed"}]}, "steps.0.message: the template is malformed"),
        ({"steps": [{"close": {"category": ""}}]}, "steps.0.close.category: String should have at least 1 character"),
        ({"steps": [{"close": {"reason": "done"}}]}, "steps.0.close.reason: Extra inputs are not permitted"),
        ({"steps": [{"add_tag": " "}]}, "steps.0.add_tag: a tag is a name of 1 to 255 characters"),
        (
            {"steps": [{"remove_tag": [str(n) for n in range(11)]}]},
            "steps.0.remove_tag: List should have at most 10 items after validation, not 11",
        ),
        (
            {"steps": [{"repeat": {"times": 0, "steps": [{"wait": "1m"}]}}]},
            "steps.0.repeat.times: Input should be greater than or equal to 1",
        ),
        (
            {"steps": [{"repeat": {"times": 21, "steps": [{"wait": "1m"}]}}]},
            "steps.0.repeat.times: Input should be less than or equal to 20",
        ),
        ({"steps": [{"repeat": {"times": 2, "steps": []}}]}, "steps.0.repeat.steps: List should have at least 1 item"),
        (
            {"steps": [{"repeat": {"times": 2, "steps": [{"wait": "1q"}]}}]},
            "steps.0.repeat.steps.0.wait: '1q' is not a duration",
        ),
        ({"steps": branch_on({"within_hours": "eu"})}, "steps.0.branch.all.0.within_hours: unknown calendar 'eu'"),
        (
            {
                "steps": [
                    {"branch": {"any": [{"conversation_status": "open"}], "else": branch_on({"within_hours": "x"})}}
                ]
            },
            "steps.0.branch.else.0.branch.all.0.within_hours: unknown calendar 'x'",
        ),
        (
            {"steps": branch_on({"last_incoming_message": {"more_than": "1m", "less_than": "2m"}})},
            "steps.0.branch.all.0.last_incoming_message: say exactly one of more_than: or less_than:",
        ),
        (
            {"steps": branch_on({"last_incoming_message": {"more_than": "0s"}})},
            "steps.0.branch.all.0.last_incoming_message: the duration must be longer than zero",
        ),
        (
            {"steps": branch_on({"contact_tag": {}})},
            "steps.0.branch.all.0.contact_tag: say exactly one of any_of:, all_of: or none_of:",
        ),
        (
            {"steps": branch_on({"contact_tag": {"any_of": [" "]}})},
            "steps.0.branch.all.0.contact_tag.any_of: a value must not be empty",
        ),
        (
            {"steps": branch_on({"channel": {"any_of": ["WhatsApp"], "none_of": ["Telegram"]}})},
            "steps.0.branch.all.0.channel: say exactly one of any_of:, all_of: or none_of:",
        ),
        (
            {"steps": branch_on({"assignee_online": "maybe"})},
            "steps.0.branch.all.0.assignee_online: Input should be a valid boolean",
        ),
        (
            {"steps": branch_on({"assignee_online": True, "conversation_status": "open"})},
            "steps.0.branch.all.0: a condition tests exactly one thing",
        ),
    ],
)
def test_every_new_step_and_condition_names_its_mistakes_with_the_path(document, problem):
    found = problems_of(**document)
    assert any(p.startswith(problem) for p in found), found


def test_the_new_steps_and_conditions_take_their_short_forms():
    policy = Policy.model_validate(
        {
            "name": "short forms",
            "calendars": {"eu": EU},
            "steps": [
                {"close": True},
                {"add_tag": "vip"},
                {"remove_tag": ["lead", "cold"]},
                {"wait": {"for": "15m", "calendar": "eu"}},
                {"branch": {"any": [{"channel": {"any_of": 42}}, {"contact_tag": {"none_of": "spam"}}]}},
            ],
        }
    )
    close, tag, untag, wait, branch = policy.steps
    assert close.close == Close() and tag.add_tag == ["vip"] and untag.remove_tag == ["lead", "cold"]
    assert wait.wait_for == timedelta(minutes=15) and wait.wait_calendar == "eu"
    channel, contact_tag = branch.branch.conditions
    assert channel.channel.any_of == ["42"] and contact_tag.contact_tag.none_of == ["spam"]


@pytest.mark.parametrize("example", sorted(POLICIES.glob("*.yaml")), ids=lambda path: path.name)
def test_every_example_policy_validates_and_survives_the_round_trip(example):
    policy = load_policy(example)
    assert Policy.model_validate_json(policy.model_dump_json()) == policy
