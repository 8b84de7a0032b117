"""The words an escalation shows in the Temporal UI: its summary, its policy, what each activity and timer is
for, and what it does now.

Pure functions of the policy and the workflow's state, so a replay words everything the same way. Times are
UTC, as the Temporal UI shows them by default.
"""

from datetime import UTC, datetime, timedelta

from models.agents import Agent, ChoiceRequest
from models.durations import spoken_duration
from workflows.escalation_types import Assignment, Outcome
from workflows.policy import Assign, Branch, Close, Policy
from workflows.policy_words import business_time, conditions, one_line, target
from workflows.policy_words import policy_outline as policy_outline  # re-exported: the escalation's static details


def clock(at: datetime) -> str:
    """A time of day as the UI shows it, e.g. ``10:17:02 UTC`` (a naive time is taken as UTC)."""
    return f"{_utc(at):%H:%M:%S} UTC"


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


# The escalation as a whole: set when it starts.


def escalation_summary(contact_id: int, policy: str, opened_at: datetime) -> str:
    """The escalation's one line in the UI's list and page, e.g.
    ``Contact 4242 · policy promptly-transfer · opened 2025-05-12 10:02 UTC``."""
    return f"Contact {contact_id} · policy {policy} · opened {_utc(opened_at):%Y-%m-%d %H:%M} UTC"


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
    return one_line(f"comment: {text}")


def reply_timer_summary(
    assignee: Agent | None, duration: timedelta, business: timedelta | None = None, calendar: str | None = None
) -> str:
    """The reply timer; a business-time wait also says how much of the calendar's hours it counts."""
    who = f" from {assignee.name}" if assignee else ""
    hours = f" ({business_time(business, calendar)})" if calendar and business else ""
    return f"wait {spoken_duration(duration)}{hours} for a reply{who}"


def hours_timer_summary(calendar: str, duration: timedelta) -> str:
    return f"wait {spoken_duration(duration)} for {calendar}'s hours to open"


def presence_summary(assignee: Agent) -> str:
    return f"ask the roster whether {assignee.name} is online"


def move_summary(offline: Agent, choice: ChoiceRequest) -> str:
    pool = f"team {choice.team}" if choice.team else "the workspace"
    return (
        f"take the conversation from {offline.name} (offline, no reply): choose an online agent of {pool}, then assign"
    )


def message_summary(text: str) -> str:
    return one_line(f"message the customer: {text}")


def close_summary(close: Close) -> str:
    details = [
        f"{name} {value!r}" for name, value in (("category", close.category), ("summary", close.summary)) if value
    ]
    return "close the conversation" + (f" ({', '.join(details)})" if details else "")


def tags_summary(tags: list[str], remove: bool) -> str:
    return f"{'remove' if remove else 'add'} tag{'s' if len(tags) > 1 else ''} {', '.join(tags)}"


def agent_timer_summary(assign: Assign, duration: timedelta) -> str:
    return f"wait {spoken_duration(duration)} for an eligible agent in {assign.describe()}"


# Current details: what the escalation does now and until when, then the assignments so far.


def assigning(assign: Assign) -> str:
    return f"Assigning to {target(assign)}"


def waiting_for_reply(assignee: Agent | None, deadline: datetime, wait: timedelta, calendar: str | None = None) -> str:
    who = assignee.name if assignee else "a person"
    if calendar is None:
        return f"Waiting for a reply from {who} until {clock(deadline)} ({spoken_duration(wait)})"
    until = f"{_utc(deadline):%a %Y-%m-%d %H:%M:%S} UTC"
    return f"Waiting for a reply from {who} until {until} ({business_time(wait, calendar)})"


def waiting_for_hours(assign: Assign, calendar: str, opens: datetime) -> str:
    return (
        f"Outside {calendar}'s hours: assigning to {target(assign)} when they open, {_utc(opens):%a %Y-%m-%d %H:%M} UTC"
    )


def watching(policy: Policy, assignee: Agent | None) -> str:
    """What a run whose steps have run still does."""
    cares = []
    if policy.every_assignment:
        cares.append("a person's reassignment starts the flow again for the new assignee")
    if policy.requeue_when_offline is not None and assignee is not None:
        cares.append(f"if {assignee.name} goes offline before replying, the conversation moves to someone online")
    return f"The steps have run; watching until the conversation closes: {'; '.join(cares)}"


def move_queued(offline: Agent, why: str) -> str:
    return (
        f"{offline.name} went offline without replying; nobody can take the conversation now ({why}): it moves as"
        " soon as someone is free"
    )


def as_sentence(summary: str) -> str:
    """An activity's summary as what the escalation does now: ``close the …`` → ``Close the …``."""
    return summary[:1].upper() + summary[1:]


def messaging(text: str) -> str:
    return f"Messaging the customer: {one_line(text)}"


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
    return f"Commenting: {one_line(text)}"


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
