"""`handoff report`'s arithmetic: finished escalations grouped and counted, without Temporal."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from rich.console import Console

from models.agents import Agent
from models.conversation import Reply
from starter.report import FAILED, NOBODY, UNKNOWN, Ending, Report, Tally, time_to_first_reply
from starter.report_view import print_report, report_csv, report_json
from workflows.escalation_types import Assignment, EscalationResult, Outcome

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
ALICE = Agent(id=101, email="alice@example.com", name="Alice Ng", team="Tier 1")
BOB = Agent(id=102, email="bob@example.com", name="Bob Okafor", team="Tier 1")
CAROL = Agent(id=201, email="carol@example.com", name="Carol Diaz", team="Tier 2")
LONER = Agent(id=401, email="lee@example.com", name="Lee Loner")


def result(outcome: Outcome, *assigned: tuple[Agent, int], reply_after: int | None = None) -> EscalationResult:
    """A finished run: each assignment (agent, seconds after T0) one level up; a reply that many seconds after T0."""
    history = [
        Assignment(agent=agent, assigned_at=T0 + timedelta(seconds=at), level=level, reason="test")
        for level, (agent, at) in enumerate(assigned)
    ]
    reply = None if reply_after is None else Reply(message_id=1, user_id=1, sent_at=T0 + timedelta(seconds=reply_after))
    return EscalationResult(
        outcome=outcome,
        detail="test",
        contact_id=1,
        opened_at=T0,
        finished_at=T0 + timedelta(hours=1),
        assignee=history[-1].agent if history else None,
        level=max(len(history) - 1, 0),
        history=history,
        reply=reply,
    )


def test_the_first_reply_is_timed_from_the_assignment_it_answered():
    assert time_to_first_reply(result(Outcome.REPLIED, (ALICE, 0), reply_after=42)) == timedelta(seconds=42)
    answered_at_level_1 = result(Outcome.REPLIED, (ALICE, 0), (CAROL, 600), reply_after=630)
    assert time_to_first_reply(answered_at_level_1) == timedelta(seconds=30)
    assert time_to_first_reply(result(Outcome.ESCALATED, (ALICE, 0), (CAROL, 600))) is None


def test_a_reply_counted_within_the_clock_allowance_before_its_assignment_takes_no_time():
    assert time_to_first_reply(result(Outcome.REPLIED, (ALICE, 10), reply_after=9)) == timedelta(0)


def endings() -> list[Ending]:
    return [
        Ending.of_result("quick", result(Outcome.REPLIED, (ALICE, 0), reply_after=10)),
        Ending.of_result("quick", result(Outcome.REPLIED, (ALICE, 0), reply_after=20)),
        Ending.of_result("quick", result(Outcome.ESCALATED, (ALICE, 0), (CAROL, 600))),
        Ending.of_result("quick", result(Outcome.CLOSED, (BOB, 0))),
        Ending.of_result("quick", result(Outcome.ESCALATED, (BOB, 0), (CAROL, 600))),
        Ending.of_result("ladder", result(Outcome.REPLIED, (BOB, 0), (CAROL, 600), reply_after=640)),
        Ending.of_result("ladder", result(Outcome.ESCALATED, (ALICE, 0), (CAROL, 600), (BOB, 1200))),
        Ending.of_result("ladder", result(Outcome.REASSIGNED_BY_HUMAN, (LONER, 0))),
        Ending.of_result("ladder", result(Outcome.NO_ELIGIBLE_AGENT)),
        Ending.without_result("ladder", FAILED),
    ]


def report_of(items: list[Ending], retention: timedelta | None = timedelta(days=30)) -> Report:
    return Report.of(items, T0 - timedelta(days=7), T0, retention, still_running=3)


def named(tallies: list[Tally]) -> dict[str, Tally]:
    return {t.name: t for t in tallies}


def test_policies_count_how_each_conversation_ended_and_how_far_it_escalated():
    policies = named(report_of(endings()).policies)
    quick, ladder = policies["quick"], policies["ladder"]
    assert (quick.conversations, quick.ended["replied"], quick.ended["closed"]) == (5, 2, 1)
    assert quick.escalated == 2 and quick.escalated_by_level == {1: 2}
    assert ladder.conversations == 5
    assert ladder.escalated_by_level == {1: 1, 2: 1}, "answered at level 1 still counts as escalated"
    assert ladder.ended["replied"] == 1 and ladder.ended[FAILED] == 1
    assert ladder.ended["reassigned_by_human"] == 1 and ladder.ended["no_eligible_agent"] == 1


def test_teams_and_agents_are_those_of_the_first_assignment():
    report = report_of(endings())
    teams = named(report.teams)
    assert teams["Tier 1"].conversations == 7 and teams["Tier 1"].escalated == 4
    assert "Tier 2" not in teams, "Carol only ever took escalated conversations"
    assert teams["(no team)"].conversations == 1
    assert teams[NOBODY[1]].conversations == 1 and teams[UNKNOWN[1]].conversations == 1
    agents = named(report.agents)
    assert agents["Alice Ng"].key == "101"
    assert (agents["Alice Ng"].conversations, agents["Alice Ng"].escalated) == (4, 2)
    assert (agents["Bob Okafor"].conversations, agents["Bob Okafor"].escalated) == (3, 2)


def test_median_and_p90_of_the_first_reply():
    tally = Tally("k", "n", first_replies=[timedelta(seconds=s) for s in (40, 10, 30, 20)])
    assert tally.median_first_reply == timedelta(seconds=25)
    assert tally.p90_first_reply == timedelta(seconds=40)
    ten = Tally("k", "n", first_replies=[timedelta(seconds=s) for s in range(1, 11)])
    assert (ten.median_first_reply, ten.p90_first_reply) == (timedelta(seconds=5.5), timedelta(seconds=9))
    assert Tally("k", "n").median_first_reply is None and Tally("k", "n").p90_first_reply is None


def test_agents_whose_conversations_escalate_most_come_first():
    most = report_of(endings()).escalated_most
    assert [t.name for t in most] == ["Bob Okafor", "Alice Ng"], "2 of 3 before 2 of 4"
    assert all(t.escalated for t in most)


def test_the_report_says_when_retention_hides_part_of_the_period():
    assert report_of([], retention=timedelta(days=30)).sees_the_whole_period
    assert not report_of([], retention=timedelta(days=1)).sees_the_whole_period


def test_csv_and_json_carry_the_same_fields_for_every_group():
    report = report_of(endings())
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert {row["group"] for row in rows} == {"policy", "team", "agent"}
    ladder = next(row for row in rows if row["group"] == "policy" and row["name"] == "ladder")
    assert (ladder["escalated"], ladder["escalated_level_1"], ladder["escalated_level_2"]) == ("2", "1", "1")
    assert ladder["failed"] == "1" and ladder["median_first_reply_seconds"] == "40.0"
    parsed = json.loads(report_json(report))
    assert parsed["conversations"] == 10 and parsed["still_running"] == 3
    assert parsed["retention_seconds"] == 30 * 86400
    quick = next(p for p in parsed["policy"] if p["name"] == "quick")
    assert quick["median_first_reply_seconds"] == 15.0 and quick["p90_first_reply_seconds"] == 20.0
    assert set(quick) == set(ladder) - {"group"}
    assert [a["name"] for a in parsed["escalated_most"]] == ["Bob Okafor", "Alice Ng"]


def test_the_table_leaves_out_columns_that_are_zero_everywhere():
    console = Console(record=True, width=200)
    print_report(report_of(endings()[:5]), console)
    text = console.export_text()
    assert "By policy" in text and "By team (of the first assignee)" in text and "replied in time" in text
    assert "no eligible agent" not in text and "failed" not in text
    assert "3 escalations still running" in text


def test_an_empty_period_says_so():
    console = Console(record=True, width=200)
    print_report(report_of([]), console)
    assert "No escalation ended in this period." in console.export_text()
