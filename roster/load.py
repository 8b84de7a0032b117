"""Who carries which conversation: open conversations respond.io confirmed, and holds the roster chose.

A choice is counted in the agent's load at once, as a hold, so ``max_open`` and least-open see it
before respond.io does; the assignment's webhook (or a reconciliation) confirms it as open, and an
escalation that stops wanting the agent gives it back.
"""

from collections.abc import Set
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

HOLD_GRACE = timedelta(minutes=5)
"""An assignment that landed shows in respond.io well within this; an older hold it does not show never landed."""


class Hold(BaseModel):
    """An agent chosen for a contact and not yet confirmed by respond.io: when, and for which request."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agent_id: int
    at: datetime
    request_id: str


def load_counts(open_by_agent: dict[int, set[int]], holds: dict[int, Hold]) -> dict[int, int]:
    """Open plus held conversations per agent; a hold on a conversation the agent already has counts once."""
    counts = {agent_id: len(contacts) for agent_id, contacts in open_by_agent.items()}
    for contact_id, hold in holds.items():
        if contact_id not in open_by_agent.get(hold.agent_id, ()):
            counts[hold.agent_id] = counts.get(hold.agent_id, 0) + 1
    return counts


def carriers(open_by_agent: dict[int, set[int]], holds: dict[int, Hold]) -> set[int]:
    """The agents with at least one open or held conversation."""
    return {agent_id for agent_id, contacts in open_by_agent.items() if contacts} | {h.agent_id for h in holds.values()}


def contacts_of(agent_id: int, open_by_agent: dict[int, set[int]], holds: dict[int, Hold]) -> list[int]:
    """The contacts whose conversations the agent has open or held, in order."""
    held = {contact_id for contact_id, hold in holds.items() if hold.agent_id == agent_id}
    return sorted(open_by_agent.get(agent_id, set()) | held)


def reconciled(
    open_by_agent: dict[int, set[int]],
    holds: dict[int, Hold],
    assigned: dict[int, list[int]],
    now: datetime,
    news: Set[int],
) -> tuple[dict[int, set[int]], dict[int, Hold]]:
    """The open conversations and holds once respond.io's ``assigned`` (agent id → open contact ids) is the truth.

    Contacts with ``news`` (signals heard while respond.io was read) keep what the news said, since the read
    may predate it. A hold respond.io shows is confirmed (it becomes open); one older than ``HOLD_GRACE`` it
    does not show is dropped; a younger one may still be landing and stays.
    """
    shown = {contact: agent for agent, contacts in assigned.items() for contact in contacts if contact not in news}
    truth = {agent: contacts & news for agent, contacts in open_by_agent.items() if contacts & news}
    for contact, agent in shown.items():
        truth.setdefault(agent, set()).add(contact)
    kept = {
        contact: hold
        for contact, hold in holds.items()
        if contact in news or (shown.get(contact) != hold.agent_id and now - hold.at < HOLD_GRACE)
    }
    return truth, kept
