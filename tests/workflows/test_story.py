"""The words an escalation shows in the Temporal UI, as pure functions of the policy and its state."""

from datetime import UTC, datetime, timedelta, timezone

from models.agents import Agent
from starter.policy_file import DEFAULT_POLICY, load_policy
from workflows import policy_words, story
from workflows.escalation_types import Assignment, Outcome
from workflows.policy import Assign, Branch, Policy

ALICE = Agent(id=101, email="alice@example.com", name="Alice Ng", team="Tier 1")
CAROL = Agent(id=201, email="carol@example.com", name="Carol Diaz", team="Tier 2")
AT = datetime(2025, 5, 12, 10, 2, 5, tzinfo=UTC)


def test_the_summary_names_contact_policy_and_opening_in_utc():
    in_berlin = AT.astimezone(timezone(timedelta(hours=2)))
    assert (
        story.escalation_summary(9300, "default", in_berlin)
        == "Contact 9300 · policy default · opened 2025-05-12 10:02 UTC"
    )
    assert story.escalation_summary(9300, "default", AT.replace(tzinfo=None)).endswith("10:02 UTC")


def test_the_default_policy_reads_as_the_article():
    assert story.policy_outline(load_policy(DEFAULT_POLICY)).splitlines() == [
        "**Policy promptly-transfer**",
        "",
        "- assign to user alice@example.com",
        "- wait 15 min",
        "- if the conversation is open and no reply since the assignment:",
        "- ↳ assign to team Tier 2 by round robin, only online",
        "- ↳ comment “No reply from {previous_assignee} in {waited}; reassigned to {assignee_mention}.”",
    ]


def test_else_steps_and_timeout_steps_are_nested_where_they_run():
    policy = Policy.model_validate(
        {
            "name": "ladder",
            "steps": [
                {"assign": {"workspace": True, "logic": "least_open", "max_open": 5, "timeout": {"after": "1h",
                 "steps": [{"comment": "nobody free"}]}}},
                {"branch": {"any": [{"conversation_status": "closed"}, {"no_reply_since_assignment": False}],
                            "else": [{"wait": "90s"}]}},
            ],
        }
    )  # fmt: skip
    assert story.policy_outline(policy).splitlines()[2:] == [
        "- assign to the workspace by least open, at most 5 open",
        "- ↳ if nobody is eligible within 1 h:",
        "- ↳ ↳ comment “nobody free”",
        "- if the conversation is closed or a reply since the assignment:",
        "- otherwise:",
        "- ↳ wait 1 min 30 s",
    ]


def test_activity_and_timer_summaries_say_what_each_is_for():
    tier_2 = Assign(team="Tier 2", only_online=True)
    assert story.choose_summary(tier_2, 0) == "choose from team Tier 2 by round robin, only online"
    assert (
        story.choose_summary(tier_2, 1)
        == "choose from team Tier 2 by round robin, only online, not the 1 already tried"
    )
    assert story.assign_summary(ALICE, 0) == "assign to Alice Ng (Tier 1)"
    assert story.assign_summary(CAROL, 1) == "reassign to Carol Diaz (Tier 2), level 1"
    assert story.reply_timer_summary(ALICE, timedelta(minutes=15)) == "wait 15 min for a reply from Alice Ng"
    assert story.agent_timer_summary(tier_2, timedelta(seconds=30)) == "wait 30 s for an eligible agent in team Tier 2"
    assert (
        story.reply_check_summary(ALICE, AT)
        == "look for a reply by a person to Alice Ng's assignment since 10:02:05 UTC"
    )
    assert story.ownership_check_summary(None) == "check the conversation is open"
    assert story.ownership_check_summary(ALICE) == "check the conversation is open and still with Alice Ng"
    assert (
        story.evidence_check_summary({"reply", "closed"})
        == "check what the webhooks said (closed, reply) against respond.io"
    )


def test_a_summary_is_one_short_line():
    summary = story.comment_summary("No reply\nfrom Alice.   " + "x" * 500)
    assert "\n" not in summary and summary.startswith("comment: No reply from Alice. x")
    assert len(summary) == policy_words.SUMMARY_MAX_CHARS and summary.endswith("…")


def test_current_details_say_what_it_does_now_until_when_and_who_had_it():
    waiting = story.waiting_for_reply(ALICE, AT + timedelta(minutes=15), timedelta(minutes=15))
    assert waiting == "Waiting for a reply from Alice Ng until 10:17:05 UTC (15 min)"
    history = [Assignment(agent=ALICE, assigned_at=AT, level=0, reason="the policy names this user")]
    assert story.current_details(waiting, history) == f"{waiting}\n\n**Assigned:** Alice Ng at 10:02:05 UTC"
    assert story.current_details("Assigning to user alice@example.com", []) == "Assigning to user alice@example.com"
    handed_over = story.current_details(waiting, [], headline="Contact 1 · policy p · opened 2025-05-12 10:02 UTC")
    assert handed_over.splitlines()[0].endswith("(handed over from the previous run)")


def test_waiting_for_an_agent_and_finishing():
    tier_2 = Assign(team="Tier 2", only_online=True)
    assert story.waiting_for_agent(tier_2, "nobody online", AT, AT + timedelta(days=7)) == (
        "Waiting for an eligible agent in team Tier 2: nobody online. Asking again at 10:02:05 UTC at the latest;"
        " gives up at 2025-05-19 10:02 UTC"
    )
    assert (
        story.finished(Outcome.ESCALATED, "reassigned to Carol Diaz") == "Finished, escalated: reassigned to Carol Diaz"
    )
    assert story.finished(Outcome.NO_ELIGIBLE_AGENT, "x") == "Finished, no eligible agent: x"
    branch = Branch.model_validate({"all": [{"conversation_status": "open"}, {"no_reply_since_assignment": True}]})
    assert story.checking(branch) == "Checking whether the conversation is open and no reply since the assignment"
