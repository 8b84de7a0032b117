"""What the routing tests share: agents, fake respond.io activities with the real names, policies, cleanup."""

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable

from temporalio import activity
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle

from models.agents import Agent
from models.ids import roster_workflow_id
from roster.client import RosterClient
from roster.state import RosterConfig, RosterState
from roster.workflow import Roster
from tests.polling import until
from workflows.policy import Policy

TEAM = "Support"
SUPPORT = [Agent(id=i, email=f"agent{i}@example.com", name=f"Agent {i}", team=TEAM) for i in (11, 12, 13, 14)]


def list_agents_returning(agents: list[Agent]) -> Callable:
    """A fake ``list_agents`` (the roster's sync) answering with ``agents``."""

    @activity.defn(name="list_agents")
    async def list_agents() -> list[Agent]:
        return agents

    return list_agents


def open_conversations_returning(assigned: dict[int, list[int]]) -> Callable:
    """A fake ``open_conversations_by_agent`` (the roster's reconciliation) answering from ``assigned``, which a test
    may change between reconciliations."""

    @activity.defn(name="open_conversations_by_agent")
    async def open_conversations_by_agent(agent_ids: list[int]) -> dict[int, list[int]]:
        return {agent_id: assigned.get(agent_id, []) for agent_id in agent_ids}

    return open_conversations_by_agent


class OpenInbox:
    """respond.io behind the real conversation activities, as routing tests need it: every conversation open and
    unassigned, every assignment accepted (the assignment itself is not under test)."""

    async def get_contact(self, contact_id: int) -> dict:
        return {"id": contact_id, "firstName": "Pat", "lastName": "Lee", "status": "open", "assignee": None}

    async def assign(self, contact_id: int, assignee: int) -> dict:
        return {"contactId": contact_id}


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


@contextlib.asynccontextmanager
async def running_roster(client: Client, task_queue: str, config: RosterConfig) -> AsyncIterator[WorkflowHandle]:
    """The queue's roster, started with ``config`` (its worker must already run) and yielded once it knows the
    agents; cancelled afterwards, while the worker still runs."""
    handle = await client.start_workflow(
        Roster.run, RosterState(config=config), id=roster_workflow_id(task_queue), task_queue=task_queue
    )
    try:

        async def knows_agents() -> bool:
            return bool((await handle.query(Roster.snapshot)).agents)

        await until(knows_agents, "the roster knows the agents", every=0.01)
        yield handle
    finally:
        await stop_roster(client, task_queue)


async def stop_roster(client: Client, task_queue: str) -> None:
    """Cancel the queue's roster and wait until it has ended, while its worker still runs.

    Terminating instead would leave its pending tasks holding the time-skipping server's clock.
    """
    handle = client.get_workflow_handle(roster_workflow_id(task_queue))
    await handle.cancel()
    with contextlib.suppress(WorkflowFailureError):
        await handle.result()
