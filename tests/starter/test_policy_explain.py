"""``handoff policy explain``: a policy as a timeline a support lead can read, in the same words as the Temporal UI."""

import pytest
from typer.testing import CliRunner

from starter.cli import app
from starter.policy_explain import explanation
from starter.policy_file import DEFAULT_POLICY, load_policy
from workflows.calendars import Calendar
from workflows.policy import Policy
from workflows.policy_words import policy_outline

EU = {"timezone": "Europe/Berlin", "hours": {"mon-fri": "09:00-18:00"}, "holidays": ["2026-12-25"]}


def policy(*steps: object, **fields: object) -> Policy:
    return Policy.model_validate({"name": "p", "steps": list(steps), **fields})


def timeline_of(*steps: object, **fields: object) -> list[str]:
    """The explanation without its first line (the policy's name and whom it times)."""
    return explanation(policy(*steps, **fields))[1:]


DEFAULT_TIMELINE = [
    "Policy promptly-transfer (times the first assignment of each conversation opened by a contact)",
    "at 0        assign to user alice@example.com",
    "at 0        wait 15 min for a reply",
    "at 15 min   if the conversation is open and no reply since the assignment:",
    "              assign to team Tier 2 by round robin, only online",
    "              comment “No reply from {previous_assignee} in {waited}; reassigned to {assignee_mention}.”",
]


def test_the_default_policy_reads_as_a_timeline():
    assert explanation(load_policy(DEFAULT_POLICY)) == DEFAULT_TIMELINE


def test_business_waits_else_steps_timeouts_and_repeats_each_say_when_they_run():
    lines = timeline_of(
        {"assign": {"team": "Tier 1", "timeout": {"after": "1h", "steps": [{"comment": "nobody in Tier 1"}]}}},
        {"wait": "15m"},
        {"wait": {"for": "15m", "calendar": "support-eu"}},
        {
            "branch": {
                "any": [{"within_hours": "support-eu"}, {"assignee_online": True}],
                "then": [{"repeat": {"times": 3, "steps": [{"wait": "10m"}, {"comment": "{assignee_mention}?"}]}}],
                "else": [{"message": "We answer tomorrow."}, {"close": {"category": "After hours"}}],
            }
        },
        {"add_tag": ["vip", "gold"]},
        calendars={"support-eu": EU},
    )
    assert lines == [
        "calendars:",
        f"  support-eu: {Calendar.model_validate(EU).describe()}",
        "at 0                      assign to team Tier 1 by round robin",
        "at 1 h                      if nobody is eligible within 1 h:",
        "                              comment “nobody in Tier 1”",
        "at 0 or 1 h               wait 15 min for a reply",
        "at 15 min or 1 h 15 min   wait 15 min of support-eu's hours for a reply",
        "at 15 min + 15 min of support-eu's hours or later",
        "                          if within support-eu's hours or the assignee is online:",
        "                            repeat 3 times:",
        "at 15 min + 15 min of support-eu's hours or later the first time (3 times in all)",
        "                              wait 10 min for a reply",
        "at 15 min + 15 min of support-eu's hours + 10 min or later the first time (3 times in all)",
        "                              comment “{assignee_mention}?”",
        "at 15 min + 15 min of support-eu's hours or later",
        "                          otherwise:",
        "                            send the customer “We answer tomorrow.”",
        "                            close the conversation as “After hours”",
        "at 15 min + 15 min of support-eu's hours + 30 min or later",
        "                          tag the contact vip, gold",
    ]


def test_a_repeat_lists_the_time_of_each_round():
    assert timeline_of({"assign": {"team": "Tier 1"}}, {"repeat": {"times": 3, "steps": [{"wait": "10m"}]}}) == [
        "at 0                   assign to team Tier 1 by round robin",
        "at 0                   repeat 3 times:",
        "at 0, 10 min, 20 min     wait 10 min for a reply",
    ]


def test_an_assign_within_hours_waits_for_the_opening_and_business_time_counts_from_there():
    assert timeline_of(
        {"assign": {"team": "Tier 1", "within_hours": "eu"}},
        {"wait": {"for": "30m", "calendar": "eu"}},
        {"wait": "5m"},
        {"assign": {"team": "Tier 2", "within_hours": "eu"}},
        calendars={"eu": EU},
    )[2:] == [
        "at 0                              assign to team Tier 1 by round robin, during eu's hours",
        "at eu's next opening              wait 30 min of eu's hours for a reply",
        "at 30 min of eu's hours           wait 5 min for a reply",
        "at 30 min of eu's hours + 5 min   assign to team Tier 2 by round robin, during eu's hours",
    ]


def test_steps_after_a_close_never_run():
    assert timeline_of({"close": True}, {"comment": "bye"}) == [
        "at 0    close the conversation",
        "never   comment “bye”",
    ]


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        ({"conversation_status": "closed"}, "the conversation is closed"),
        ({"no_reply_since_assignment": False}, "a reply since the assignment"),
        ({"within_hours": "eu"}, "within eu's hours"),
        ({"last_incoming_message": {"more_than": "10m"}}, "the customer's latest message is more than 10 min old"),
        ({"last_incoming_message": {"less_than": "1h"}}, "the customer's latest message is less than 1 h old"),
        ({"contact_tag": {"any_of": ["vip", "gold"]}}, "the contact is tagged any of vip, gold"),
        ({"contact_tag": {"all_of": ["vip", "gold"]}}, "the contact is tagged all of vip, gold"),
        ({"contact_tag": {"none_of": "spam"}}, "the contact is not tagged spam"),
        ({"contact_tag": {"none_of": ["spam", "test"]}}, "the contact is tagged none of spam, test"),
        ({"channel": {"any_of": "WhatsApp"}}, "the channel is WhatsApp"),
        ({"channel": {"none_of": ["WhatsApp", 42]}}, "the channel is none of WhatsApp, 42"),
        ({"assignee_online": True}, "the assignee is online"),
        ({"assignee_online": False}, "the assignee is offline"),
    ],
)
def test_every_condition_reads_as_a_clause(condition, words):
    lines = timeline_of({"branch": {"all": [condition], "then": [{"comment": "x"}]}}, calendars={"eu": EU})
    assert f"at 0   if {words}:" in lines


@pytest.mark.parametrize(
    ("step", "words"),
    [
        ({"message": "Hi {contact_name},\n  we are on it."}, "send the customer “Hi {contact_name}, we are on it.”"),
        ({"close": True}, "close the conversation"),
        ({"close": {"summary": "spam"}}, "close the conversation with the summary “spam”"),
        ({"add_tag": "vip"}, "tag the contact vip"),
        ({"remove_tag": ["vip", "gold"]}, "untag the contact vip, gold"),
        ({"assign": {"workspace": True, "logic": "least_open", "max_open": 4}}, "assign to the workspace by least"),
    ],
)
def test_every_step_reads_the_same_in_the_timeline_and_in_the_temporal_ui(step, words):
    [line] = timeline_of(step)
    assert line.startswith(f"at 0   {words}")
    assert policy_outline(policy(step)).splitlines()[2].startswith(f"- {words}")


def test_the_header_says_whom_the_policy_times_and_what_happens_when_agents_go_offline():
    every = explanation(
        policy(
            {"comment": "hello"},
            {"assign": {"team": "Tier 1"}},
            {"wait": "15m"},
            applies_to="every_assignment",
            trigger={"sources": ["contact", "user", "api"]},
            requeue_when_offline={"teams": ["Tier 1", "Tier 2"], "max_open": 5, "comment": "moved to {assignee}"},
        )
    )
    assert every[:2] == [
        "Policy p (times every assignment of each conversation opened by a contact, an agent or the API: when a"
        " person or a respond.io rule reassigns it, the steps after steps.1 run again for the new assignee, until the"
        " conversation closes)",
        "when an agent of team Tier 1 or Tier 2 goes offline (explicitly or by inactivity), their conversations with"
        " no reply since the assignment move to an online agent of the same team by round robin, at most 5 open,"
        " with the comment “moved to {assignee}”",
    ]
    workspace = explanation(
        policy({"wait": "1m"}, applies_to="every_assignment", requeue_when_offline={"workspace": True})
    )
    assert "the steps run again for the new assignee" in workspace[0]
    assert workspace[1].startswith("when any agent goes offline") and "an online agent of the workspace" in workspace[1]


def test_the_command_prints_the_timeline_and_refuses_an_invalid_file(tmp_path):
    result = CliRunner().invoke(app, ["policy", "explain"])
    assert result.exit_code == 0 and result.output.splitlines() == DEFAULT_TIMELINE
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nsteps: [{wait: {for: 15m, calendar: eu}}]\n")
    result = CliRunner().invoke(app, ["policy", "explain", str(broken)])
    assert result.exit_code == 2 and "steps.0.wait.calendar: unknown calendar 'eu'" in result.output
