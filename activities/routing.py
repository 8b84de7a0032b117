"""Talking to the task queue's roster: the routing activity, and the signals the starter and CLI send.

Every call also starts the roster if it is not running yet, so no deployment step creates it.
"""

import asyncio
from datetime import datetime

from temporalio import activity
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from activities.models import Choice, ChoiceRequest
from activities.settings import RoutingSettings
from workflows.roster import Roster
from workflows.roster_types import (
    AgentActivity,
    ContactAssignment,
    PresenceChange,
    RosterConfig,
    RosterSnapshot,
    RosterState,
    roster_workflow_id,
)

ROSTER_CALLS_AT_ONCE = 4
"""Per worker: Temporal admits 10 in-flight updates per workflow, and a burst beyond that thrashes the roster."""


class RoutingActivities:
    """Asks the roster of ``task_queue`` for an assignee; ``config`` applies if this call starts the roster."""

    def __init__(self, client: Client, task_queue: str, config: RosterConfig):
        self._client = client
        self._task_queue = task_queue
        self._config = config
        self._in_flight = asyncio.Semaphore(ROSTER_CALLS_AT_ONCE)

    @activity.defn
    async def choose_assignee(self, request: ChoiceRequest) -> Choice:
        info = activity.info()
        start = WithStartWorkflowOperation(
            Roster.run,
            RosterState(config=self._config),
            id=roster_workflow_id(self._task_queue),
            task_queue=self._task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
        async with self._in_flight:
            choice = await self._client.execute_update_with_start_workflow(
                Roster.choose,
                request,
                start_workflow_operation=start,
                # The same on every retry of this activity: the roster applies a choice at most once.
                id=f"choose-{info.workflow_run_id}-{info.activity_id}",
            )
        activity.logger.info("Contact %s: %s", request.contact_id, choice.reason)
        return choice


async def set_presence(
    client: Client, task_queue: str, agent_id: int, online: bool, *, config: RosterConfig | None = None
) -> None:
    """Set an agent online or offline explicitly (offline also forgets their recent activity)."""
    await _signal(client, task_queue, Roster.set_presence.__name__, PresenceChange(agent_id=agent_id, online=online), config)


async def agent_active(
    client: Client, task_queue: str, agent_id: int, at: datetime, *, config: RosterConfig | None = None
) -> None:
    """An agent sent a message at ``at`` (timezone-aware): online for the inactivity timeout after it."""
    await _signal(client, task_queue, Roster.agent_active.__name__, AgentActivity(agent_id=agent_id, at=at), config)


async def conversation_assigned(
    client: Client, task_queue: str, contact_id: int, agent_id: int | None, *, config: RosterConfig | None = None
) -> None:
    """Someone assigned the contact's conversation (None: unassigned it); the roster moves its load."""
    assignment = ContactAssignment(contact_id=contact_id, agent_id=agent_id)
    await _signal(client, task_queue, Roster.conversation_assigned.__name__, assignment, config)


async def conversation_closed(
    client: Client, task_queue: str, contact_id: int, *, config: RosterConfig | None = None
) -> None:
    """The contact's conversation closed: it no longer counts as anyone's open conversation."""
    await _signal(client, task_queue, Roster.conversation_closed.__name__, contact_id, config)


async def roster_snapshot(client: Client, task_queue: str) -> RosterSnapshot | None:
    """The roster's agents, presence, load and cursors; None when no roster runs on ``task_queue``."""
    try:
        return await client.get_workflow_handle(roster_workflow_id(task_queue)).query(Roster.snapshot)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


def roster_config() -> RosterConfig:
    """The roster's settings from the environment; whichever call starts the roster fixes them for its life."""
    return RoutingSettings().roster_config()


async def _signal(client: Client, task_queue: str, signal: str, arg: object, config: RosterConfig | None) -> None:
    """Signal-with-start: the signal reaches the running roster, or starts one (with ``config`` or the
    environment's settings) and delivers it."""
    await client.start_workflow(
        Roster.run,
        RosterState(config=config or roster_config()),
        id=roster_workflow_id(task_queue),
        task_queue=task_queue,
        start_signal=signal,
        start_signal_args=[arg],
    )
