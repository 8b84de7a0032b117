"""``handoff policy check`` warns about valid policies that cannot work as meant: each rule fires on the mistake it
names, and stays quiet on the policy written right."""

import pytest
from typer.testing import CliRunner

from starter import policy_warnings as rules
from starter.cli import app
from starter.policy_file import DEFAULT_POLICY
from starter.policy_warnings import policy_warnings
from workflows.policy import Policy

POLICIES = DEFAULT_POLICY.parent
EXAMPLES = ["default.yaml", "business-hours.yaml", "reminders.yaml"]
EU = {"timezone": "Europe/Berlin", "hours": {"mon-fri": "09:00-18:00"}}
OPEN = {"conversation_status": "open"}
CLOSED = {"conversation_status": "closed"}
NO_REPLY = {"no_reply_since_assignment": True}
TIER_1 = {"assign": {"team": "Tier 1"}}


def policy(*steps: object, **fields: object) -> Policy:
    return Policy.model_validate({"name": "p", "steps": list(steps), **fields})


def branch(kind: str, *conditions: object, then: object = ({"comment": "then"},), **more: object) -> dict[str, object]:
    return {"branch": {kind: list(conditions), "then": list(then), **more}}


def warned(rule: object, subject: Policy) -> list[str]:
    assert callable(rule)
    return [str(warning) for warning in rule(subject)]


# One case per rule: (rule, a policy with the mistake, the warning, the same policy written right).
CASES = [
    (
        rules.acts_after_a_reply,
        policy(TIER_1, {"repeat": {"times": 2, "steps": [{"wait": "10m"}, {"comment": "{assignee_mention}, still?"}]}}),
        "steps.1.repeat.steps.1.comment: runs as soon as the assignee replies too (the reply ends"
        " steps.1.repeat.steps.0's wait): to act only without a reply, put it under a branch on"
        " no_reply_since_assignment",
        policy(
            TIER_1,
            {"repeat": {"times": 2, "steps": [{"wait": "10m"}, branch("all", NO_REPLY, then=[{"comment": "still?"}])]}},
        ),
    ),
    (
        rules.never_times_anyone,
        policy(TIER_1, {"comment": "assigned"}),
        "steps: no step waits, so no assignee is ever timed: every step runs at once",
        policy(TIER_1, {"comment": "assigned"}, requeue_when_offline={"teams": ["Tier 1"]}),
    ),
    (
        rules.steps_after_a_close,
        policy(TIER_1, {"wait": "1h"}, {"close": True}, {"comment": "closed"}, {"add_tag": "done"}),
        "steps.3 to steps.4: never runs: steps.2 always closes the conversation first",
        policy(TIER_1, {"wait": "1h"}, {"comment": "closing"}, {"add_tag": "done"}, {"close": True}),
    ),
    (
        rules.steps_after_a_close,
        policy(
            TIER_1,
            {"wait": "1h"},
            branch("all", NO_REPLY, then=[{"comment": "late"}, {"close": True}], **{"else": [{"close": True}]}),
            {"comment": "after"},
        ),
        "steps.3: never runs: steps.2 always closes the conversation first",
        policy(TIER_1, {"wait": "1h"}, branch("all", NO_REPLY, then=[{"close": True}]), {"comment": "after"}),
    ),
    (
        rules.steps_after_a_close,
        policy(TIER_1, {"repeat": {"times": 3, "steps": [{"wait": "1h"}, {"close": True}]}}),
        "steps.1.repeat: runs once, not 3 times: its steps always close the conversation",
        policy(
            TIER_1, {"repeat": {"times": 3, "steps": [{"wait": "1h"}, branch("all", NO_REPLY, then=[{"close": True}])]}}
        ),
    ),
    (
        rules.contradicting_conditions,
        policy(TIER_1, {"wait": "1h"}, branch("all", OPEN, NO_REPLY, CLOSED)),
        "steps.2.branch.all: conversation_status and conversation_status here can never hold together, so then: never"
        " runs",
        policy(TIER_1, {"wait": "1h"}, branch("any", OPEN, CLOSED)),
    ),
    (
        rules.contradicting_conditions,
        policy(TIER_1, {"wait": "1h"}, branch("all", {"assignee_online": True}, {"assignee_online": False})),
        "steps.2.branch.all: assignee_online and assignee_online here can never hold together, so then: never runs",
        policy(TIER_1, {"wait": "1h"}, branch("all", {"assignee_online": False}, NO_REPLY)),
    ),
    (
        rules.contradicting_conditions,
        policy(TIER_1, {"wait": "1h"}, branch("all", NO_REPLY, {"no_reply_since_assignment": False})),
        "steps.2.branch.all: no_reply_since_assignment and no_reply_since_assignment here can never hold together,"
        " so then: never runs",
        policy(TIER_1, {"wait": "1h"}, branch("all", NO_REPLY, NO_REPLY)),
    ),
    (
        rules.contradicting_conditions,
        policy(
            TIER_1,
            {"wait": "1h"},
            branch(
                "all",
                {"last_incoming_message": {"less_than": "10m"}},
                {"last_incoming_message": {"more_than": "10m"}},
            ),
        ),
        "steps.2.branch.all: last_incoming_message and last_incoming_message here can never hold together, so then:"
        " never runs",
        policy(
            TIER_1,
            {"wait": "1h"},
            branch(
                "all",
                {"last_incoming_message": {"less_than": "1h"}},
                {"last_incoming_message": {"more_than": "10m"}},
            ),
        ),
    ),
    (
        rules.contradicting_conditions,
        policy(
            TIER_1,
            {"wait": "1h"},
            branch("all", {"contact_tag": {"all_of": ["vip", "gold"]}}, {"contact_tag": {"none_of": "VIP"}}),
        ),
        "steps.2.branch.all: contact_tag and contact_tag here can never hold together, so then: never runs",
        policy(
            TIER_1,
            {"wait": "1h"},
            branch("all", {"contact_tag": {"any_of": ["vip", "gold"]}}, {"contact_tag": {"none_of": "vip"}}),
        ),
    ),
    (
        rules.contradicting_conditions,
        policy(
            TIER_1,
            {"wait": "1h"},
            branch("all", {"channel": {"none_of": ["WhatsApp", "Telegram"]}}, {"channel": {"any_of": "whatsapp"}}),
        ),
        "steps.2.branch.all: channel and channel here can never hold together, so then: never runs",
        policy(
            TIER_1,
            {"wait": "1h"},
            branch("all", {"channel": {"none_of": ["Telegram"]}}, {"channel": {"any_of": "whatsapp"}}),
        ),
    ),
    (
        rules.conditions_always_hold,
        policy(TIER_1, {"wait": "1h"}, branch("any", OPEN, CLOSED, **{"else": [{"comment": "never"}]})),
        "steps.2.branch.any: one of conversation_status and conversation_status always holds: else: never runs",
        policy(TIER_1, {"wait": "1h"}, branch("all", OPEN, NO_REPLY, **{"else": [{"comment": "replied"}]})),
    ),
    (
        rules.conditions_always_hold,
        policy(
            TIER_1,
            {"wait": "1h"},
            branch("any", {"contact_tag": {"none_of": "vip"}}, {"contact_tag": {"any_of": ["vip", "gold"]}}),
        ),
        "steps.2.branch.any: one of contact_tag and contact_tag always holds: the branch decides nothing",
        policy(
            TIER_1,
            {"wait": "1h"},
            branch("any", {"contact_tag": {"none_of": ["vip", "gold"]}}, {"contact_tag": {"any_of": "vip"}}),
        ),
    ),
    (
        rules.empty_branch,
        policy(TIER_1, {"wait": "1h"}, branch("all", NO_REPLY, then=[])),
        "steps.2.branch: has no then: or else: steps, so it does nothing",
        policy(TIER_1, {"wait": "1h"}, branch("all", NO_REPLY, then=[], **{"else": [{"comment": "replied"}]})),
    ),
    (
        rules.reassignment_untimed,
        policy({"wait": "1h"}, TIER_1, {"comment": "assigned"}, applies_to="every_assignment"),
        "applies_to: every_assignment restarts the flow after the first top-level assign, and no step there waits:"
        " nothing times a new assignee",
        policy(TIER_1, {"comment": "assigned"}, {"wait": "1h"}, applies_to="every_assignment"),
    ),
    (
        rules.repeat_without_wait,
        policy(TIER_1, {"wait": "1h"}, {"repeat": {"times": 3, "steps": [{"comment": "{assignee_mention}?"}]}}),
        "steps.2.repeat: its steps never wait, so all 3 times run at once",
        policy(TIER_1, {"repeat": {"times": 3, "steps": [{"wait": "1h"}, {"comment": "{assignee_mention}?"}]}}),
    ),
    (
        rules.short_wait,
        policy(TIER_1, {"wait": 15}),
        "steps.1.wait: waits only 15 s; for minutes write 15m",
        policy(TIER_1, {"wait": "15m"}),
    ),
    (
        rules.unused_calendar,
        policy(TIER_1, {"wait": "15m"}, calendars={"support-eu": EU}),
        "calendars.support-eu: no step names it, so it changes nothing (a wait counts business time only with"
        " calendar: support-eu)",
        policy(TIER_1, {"wait": {"for": "15m", "calendar": "support-eu"}}, calendars={"support-eu": EU}),
    ),
    (
        rules.same_user_again,
        policy(
            {"assign": {"user": "alice@example.com"}},
            {"wait": "15m"},
            branch("all", NO_REPLY, then=[TIER_1, {"wait": "15m"}, {"assign": {"user": "Alice@example.com"}}]),
        ),
        "steps.2.branch.then.2.assign: Alice@example.com already had the conversation here and is never chosen"
        " twice: this finds nobody and waits 7 d for its timeout",
        policy(
            {"assign": {"user": "alice@example.com"}},
            {"wait": "15m"},
            branch("all", NO_REPLY, then=[TIER_1, {"wait": "15m"}, {"assign": {"user": "carol@example.com"}}]),
        ),
    ),
    (
        rules.same_user_again,
        policy({"repeat": {"times": 2, "steps": [{"assign": {"user": "alice@example.com"}}, {"wait": "15m"}]}}),
        "steps.0.repeat.steps.0.assign: alice@example.com already had the conversation here and is never chosen"
        " twice: this finds nobody and waits 7 d for its timeout",
        policy({"repeat": {"times": 2, "steps": [TIER_1, {"wait": "15m"}]}}),
    ),
    (
        rules.nobody_assigned_yet,
        policy({"message": "{assignee} will answer you"}, TIER_1, {"wait": "15m"}),
        "steps.0.message: {assignee} reads “nobody” here: no assign step runs before it",
        policy(TIER_1, {"message": "{assignee} will answer you"}, {"wait": "15m"}),
    ),
    (
        rules.nobody_assigned_yet,
        policy(TIER_1, {"comment": "taken from {previous_assignee_mention}"}, {"wait": "15m"}),
        "steps.1.comment: {previous_assignee_mention} reads “nobody” here: it needs two assign steps before it (a"
        " previous assignee and the current one)",
        policy(
            TIER_1, {"wait": "15m"}, branch("all", NO_REPLY, then=[TIER_1, {"comment": "from {previous_assignee}"}])
        ),
    ),
    (
        rules.nobody_assigned_yet,
        policy(branch("all", {"assignee_online": False}), TIER_1, {"wait": "15m"}),
        "steps.0.branch.all.0.assignee_online: tests nobody here (no assign step runs before it), and nobody counts"
        " as offline",
        policy(TIER_1, {"wait": "15m"}, branch("all", {"assignee_online": False})),
    ),
]


@pytest.mark.parametrize(
    ("rule", "mistaken", "warning", "right"), CASES, ids=[f"{case[0].__name__}-{n}" for n, case in enumerate(CASES)]
)
def test_each_rule_warns_about_its_mistake_and_not_about_the_policy_written_right(rule, mistaken, warning, right):
    assert warned(rule, mistaken) == [warning]
    assert warned(rule, right) == []


def test_every_rule_is_tried_and_states_itself_in_one_line():
    assert {case[0] for case in CASES} == set(rules.RULES)
    assert all(rule.__doc__ and "\n" not in rule.__doc__.strip() for rule in rules.RULES)


def test_an_assign_timeout_path_that_assigns_nobody_still_counts_as_not_assigned():
    flow = policy(
        {"assign": {"team": "Tier 1", "timeout": {"after": "1h", "steps": [{"comment": "nobody free"}]}}},
        {"comment": "{assignee_mention}, yours"},
        {"wait": "15m"},
    )
    assert warned(rules.nobody_assigned_yet, flow) == [
        "steps.1.comment: {assignee_mention} reads “nobody” here: no assign step runs before it"
    ]


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_example_policies_have_no_warnings(example):
    result = CliRunner().invoke(app, ["policy", "check", str(POLICIES / example)])
    assert result.exit_code == 0 and result.output.startswith("OK ") and "warning" not in result.output


def test_check_prints_warnings_in_yellow_and_still_passes(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("name: p\nsteps:\n  - assign: {team: Tier 1}\n  - close: true\n  - comment: bye\n")
    assert [str(warning) for warning in policy_warnings(policy(TIER_1, {"close": True}, {"comment": "bye"}))] == [
        "steps: no step waits, so no assignee is ever timed: every step runs at once",
        "steps.2: never runs: steps.1 always closes the conversation first",
    ]
    result = CliRunner().invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"⚠ {path}: steps: no step waits, so no assignee is ever timed: every step runs at once",
        f"⚠ {path}: steps.2: never runs: steps.1 always closes the conversation first",
        f"OK {path}: policy 'p', 3 steps, 2 warning(s)",
    ]


def test_check_fails_on_an_invalid_file_with_the_field_paths(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("name: p\ncalendars: {eu: {timezone: Mars/Base, hours: {mon: 09:00-17:00}}}\nsteps: [{wait: 1q}]\n")
    result = CliRunner().invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 2
    assert "calendars.eu.timezone: unknown time zone 'Mars/Base'" in result.output
    assert "steps.0.wait: '1q' is not a duration" in result.output
