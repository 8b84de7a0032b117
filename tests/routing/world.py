"""What the routing tests share: agents, fake respond.io activities with the real names, policies, cleanup."""

import contextlib
import uuid
from collections.abc import Callable

from temporalio import activity
from temporalio.client import Client, WorkflowFailureError

from models.agents import Agent
from models.conversation import AssignRequest, Conversation
from models.ids import roster_workflow_id
from roster.client import RosterClient
from roster.state import RosterConfig
from workflows.policy import Policy

TEAM = "Support"
SUPPORT = [Agent(id=i, email=f"agent{i}@example.com", name=f"Agent {i}", team=TEAM) for i in (11, 12, 13, 14)]


def list_agents_returning(agents: list[Agent]) -> Callable:
    """A fake ``list_agents`` (the roster's sync) answering with ``agents``."""

    @activity.defn(name="list_agents")
    async def list_agents() -> list[Agent]:
        return agents

    return list_agents


@activity.defn(name="get_conversation")
async def open_unassigned(contact_id: int) -> Conversation:
    """Every conversation is open and nobody has it yet: enough for a policy with one assign step."""
    return Conversation(contact_id=contact_id, contact_name="Pat Lee", status="open", assignee=None)


@activity.defn(name="assign_conversation")
async def assign_nowhere(request: AssignRequest) -> None:
    """The assignment itself is not under test; the escalation's result records it."""


def assign_policy(**assign: object) -> Policy:
    """A policy with one step: assign to the team with the given options."""
    return Policy.model_validate({"name": "route-once", "steps": [{"assign": {"team": TEAM, **assign}}]})


def roster_of(client: Client, task_queue: str) -> RosterClient:
    """The task queue's roster, as the receiver and the CLI reach it (default settings if this starts it)."""
    return RosterClient(client, task_queue, RosterConfig())


def fresh_queue(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4()}"


def fresh_contacts(count: int) -> list[int]:
    """Contact ids no other test uses (escalation workflow ids are per contact and namespace-wide)."""
    base = uuid.uuid4().int % 10**9 * 1000
    return [base + i for i in range(count)]


async def stop_roster(client: Client, task_queue: str) -> None:
    """Cancel the queue's roster and wait until it has ended, while its worker still runs.

    Terminating instead would leave its pending tasks holding the time-skipping server's clock.
    """
    handle = client.get_workflow_handle(roster_workflow_id(task_queue))
    await handle.cancel()
    with contextlib.suppress(WorkflowFailureError):
        await handle.result()
