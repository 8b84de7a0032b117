"""The words an escalation shows in the Temporal UI: its summary, its policy, what each activity and timer is
for, and what it does now.

Pure functions of the policy and the workflow's state, so a replay words everything the same way. Times are
UTC, as the Temporal UI shows them by default.
"""

from datetime import UTC, datetime, timedelta

from models.agents import Agent
from models.durations import spoken_duration
from workflows.escalation_types import Assignment, Outcome
from workflows.policy import Assign, Branch, Condition, Policy, Step

SUMMARY_MAX_CHARS = 200
"""A summary is one line; a long comment is cut short here (the activity's input keeps all of it)."""


def clock(at: datetime) -> str:
    """A time of day as the UI shows it, e.g. ``10:17:02 UTC`` (a naive time is taken as UTC)."""
    return f"{_utc(at):%H:%M:%S} UTC"


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SUMMARY_MAX_CHARS else line[: SUMMARY_MAX_CHARS - 1] + "…"


# The escalation as a whole: set when it starts.


def escalation_summary(contact_id: int, policy: str, opened_at: datetime) -> str:
    """The escalation's one line in the UI's list and page, e.g.
    ``Contact 4242 · policy promptly-transfer · opened 2025-05-12 10:02 UTC``."""
    return f"Contact {contact_id} · policy {policy} · opened {_utc(opened_at):%Y-%m-%d %H:%M} UTC"


def policy_outline(policy: Policy) -> str:
    """The policy's steps as a flat Markdown list, for the escalation's static details: a step inside a branch or
    an assign timeout is marked ``↳`` once per level, as the Temporal UI shows nested lists inline."""
    return "\n".join([f"**Policy {policy.name}**", "", *_outline(policy.steps, 0)])


def _outline(steps: list[Step], depth: int) -> list[str]:
    lines: list[str] = []
    item = "- " + "↳ " * depth
    for step in steps:
        if step.assign is not None:
            lines.append(f"{item}assign to {target(step.assign)}")
            if step.assign.timeout.steps:
                lines.append(f"{item}↳ if nobody is eligible within {spoken_duration(step.assign.timeout.after)}:")
                lines.extend(_outline(step.assign.timeout.steps, depth + 2))
        elif step.wait is not None:
            lines.append(f"{item}wait {spoken_duration(step.wait)}")
        elif step.branch is not None:
            lines.append(f"{item}if {conditions(step.branch)}:")
            lines.extend(_outline(step.branch.then, depth + 1))
            if step.branch.else_:
                lines.append(f"{item}otherwise:")
                lines.extend(_outline(step.branch.else_, depth + 1))
        elif step.comment is not None:
            lines.append(f"{item}comment “{_one_line(step.comment)}”")
    return lines


def target(assign: Assign) -> str:
    """Whom an assign step picks from and how, e.g. ``team Tier 2 by round robin, only online``."""
    if assign.user is not None:
        return assign.describe()
    words = [f"{assign.describe()} by {assign.strategy.replace('_', ' ')}"]
    if assign.only_online:
        words.append("only online")
    if assign.max_open is not None:
        words.append(f"at most {assign.max_open} open")
    return ", ".join(words)


def conditions(branch: Branch) -> str:
    """A branch's test as a sentence, e.g. ``the conversation is open and no reply since the assignment``."""
    joiner = " and " if branch.all is not None else " or "
    return joiner.join(_condition(condition) for condition in branch.conditions)


def _condition(condition: Condition) -> str:
    if condition.conversation_status is not None:
        return f"the conversation is {condition.conversation_status}"
    return f"{'no' if condition.no_reply_since_assignment else 'a'} reply since the assignment"


# Activities and timers: one line each in the event history.


def choose_summary(assign: Assign, tried: int) -> str:
    already = f", not the {tried} already tried" if tried else ""
    return f"choose from {target(assign)}{already}"


def take_summary(assign: Assign, tried: int) -> str:
    """The one step that reads the conversation, chooses from the pool and assigns."""
    return f"take the conversation: {choose_summary(assign, tried)}, then assign"


def decision_summary(assignee: Agent | None, since: datetime) -> str:
    """The one read a branch decides on."""
    who = f"to {assignee.name}'s assignment " if assignee else ""
    return f"read the conversation: is it open, and has a person replied {who}since {clock(since)}?"


def assign_summary(agent: Agent, level: int) -> str:
    team = f" ({agent.team})" if agent.team else ""
    return f"assign to {agent.name}{team}" if level == 0 else f"reassign to {agent.name}{team}, level {level}"


STATUS_CHECK_SUMMARY = "check whether the conversation is open"


def ownership_check_summary(assignee: Agent | None) -> str:
    still = f" and still with {assignee.name}" if assignee else ""
    return f"check the conversation is open{still}"


def evidence_check_summary(kinds: set[str]) -> str:
    return f"check what the webhooks said ({', '.join(sorted(kinds))}) against respond.io"


def reply_check_summary(assignee: Agent | None, since: datetime) -> str:
    who = f"to {assignee.name}'s assignment " if assignee else ""
    return f"look for a reply by a person {who}since {clock(since)}"


def comment_summary(text: str) -> str:
    return _one_line(f"comment: {text}")


def reply_timer_summary(assignee: Agent | None, duration: timedelta) -> str:
    who = f" from {assignee.name}" if assignee else ""
    return f"wait {spoken_duration(duration)} for a reply{who}"


def agent_timer_summary(assign: Assign, duration: timedelta) -> str:
    return f"wait {spoken_duration(duration)} for an eligible agent in {assign.describe()}"


# Current details: what the escalation does now and until when, then the assignments so far.


def assigning(assign: Assign) -> str:
    return f"Assigning to {target(assign)}"


def waiting_for_reply(assignee: Agent | None, deadline: datetime, wait: timedelta) -> str:
    who = assignee.name if assignee else "a person"
    return f"Waiting for a reply from {who} until {clock(deadline)} ({spoken_duration(wait)})"


def waiting_for_agent(assign: Assign, why: str, next_ask: datetime, giving_up_at: datetime) -> str:
    return (
        f"Waiting for an eligible agent in {assign.describe()}: {why}. Asking again at {clock(next_ask)} at the"
        f" latest; gives up at {_utc(giving_up_at):%Y-%m-%d %H:%M} UTC"
    )


def queued_for_agent(assign: Assign, why: str, giving_up_at: datetime) -> str:
    return (
        f"Queued for an eligible agent in {assign.describe()}: {why}. The roster offers one as soon as someone is"
        f" free; gives up at {_utc(giving_up_at):%Y-%m-%d %H:%M} UTC"
    )


def checking(branch: Branch) -> str:
    return f"Checking whether {conditions(branch)}"


def commenting(text: str) -> str:
    return f"Commenting: {_one_line(text)}"


def finished(outcome: Outcome, detail: str) -> str:
    return f"Finished, {outcome.value.replace('_', ' ')}: {detail}"


def current_details(now: str, history: list[Assignment], headline: str | None = None) -> str:
    """``now`` and, below it, who had the conversation since when (Markdown); a ``headline`` first, for a run
    handed over from an earlier one (it has no summary of its own)."""
    parts = [f"{headline} (handed over from the previous run)"] if headline else []
    parts.append(now)
    if history:
        parts.append("**Assigned:** " + " → ".join(f"{a.agent.name} at {clock(a.assigned_at)}" for a in history))
    return "\n\n".join(parts)
