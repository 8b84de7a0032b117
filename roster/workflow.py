"""Roster: one long-running workflow per task queue that decides who gets each conversation.

Each choice is an update handled atomically on the roster's state, so round robin stays fair
however many workers ask at once. All state lives in the workflow (``RosterState``), so the
roster survives worker and server restarts, and it continues as new to keep its history short.
"""

import asyncio
from contextlib import suppress
from datetime import timedelta
from typing import TypedDict

from temporalio import workflow
from temporalio.exceptions import ActivityError, FailureError, is_cancelled_exception

from models.agents import Choice, ChoiceRequest
from roster import strategies
from roster.state import AgentActivity, ContactAssignment, PresenceChange, RosterSnapshot, RosterState

with workflow.unsafe.imports_passed_through():
    from activities.conversation import ConversationActivities


class _SyncOptions(TypedDict):
    """The options of the agent-sync activity call."""

    start_to_close_timeout: timedelta
    schedule_to_close_timeout: timedelta


SYNC_CALL = _SyncOptions(start_to_close_timeout=timedelta(seconds=30), schedule_to_close_timeout=timedelta(minutes=1))
"""A sync that fails for a minute is skipped: the roster keeps the agents it knows and tries again later."""


@workflow.defn
class Roster:
    @workflow.init
    def __init__(self, state: RosterState) -> None:
        self._state = state
        self._handled = 0
        self._next_sync = workflow.now() if state.synced_at is None else state.synced_at + state.config.sync_every

    @workflow.run
    async def run(self, state: RosterState) -> None:
        while not self._ready_to_continue():
            if workflow.now() >= self._next_sync:
                await self._sync()
                continue
            with suppress(TimeoutError):
                await workflow.wait_condition(self._ready_to_continue, timeout=self._next_sync - workflow.now())
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(self._state)

    @workflow.update
    async def choose(self, request: ChoiceRequest) -> Choice:
        """Pick an assignee and record it; after the first sync nothing awaits, so no other handler interleaves."""
        await workflow.wait_condition(lambda: self._state.synced_at is not None)
        self._handled += 1
        choice = strategies.choose(self._state.agents, request, self._state.view(workflow.now()))
        self._state.record(request, choice)
        return choice

    @workflow.signal
    async def set_presence(self, change: PresenceChange) -> None:
        self._handled += 1
        if self._state.set_presence(change, workflow.now()):
            await self._wake_waiting()

    @workflow.signal
    async def agent_active(self, activity: AgentActivity) -> None:
        self._handled += 1
        if self._state.saw_activity(activity, workflow.now()):
            await self._wake_waiting()

    @workflow.signal
    async def conversation_assigned(self, assignment: ContactAssignment) -> None:
        """Someone else assigned the conversation: move it to its new owner's load."""
        self._handled += 1
        if self._state.move(assignment.contact_id, assignment.agent_id):
            await self._wake_waiting()

    @workflow.signal
    async def conversation_closed(self, contact_id: int) -> None:
        self._handled += 1
        if self._state.move(contact_id, None):
            await self._wake_waiting()

    @workflow.query
    def snapshot(self) -> RosterSnapshot:
        return self._state.snapshot(workflow.now())

    async def _sync(self) -> None:
        """Refresh the agent list from respond.io; on failure keep the agents already known."""
        self._next_sync = workflow.now() + self._state.config.sync_every
        try:
            agents = await workflow.execute_activity_method(ConversationActivities.list_agents, **SYNC_CALL)
        except ActivityError as error:
            if is_cancelled_exception(error):
                raise
            workflow.logger.warning(
                "Agent sync failed; keeping %s known agents: %s", len(self._state.agents), error.cause
            )
            return
        if self._state.sync(agents, workflow.now()):
            await self._wake_waiting()

    async def _wake_waiting(self) -> None:
        """Tell each escalation waiting for an agent, once, to ask again now; the backoff stays their fallback."""
        waiting, self._state.waiting = sorted(self._state.waiting), set()
        await asyncio.gather(*(self._wake(workflow_id) for workflow_id in waiting))

    async def _wake(self, workflow_id: str) -> None:
        try:
            await workflow.get_external_workflow_handle(workflow_id).signal("roster_changed")
        except FailureError as error:
            workflow.logger.info("Escalation %s no longer waits for an agent: %s", workflow_id, error)

    def _ready_to_continue(self) -> bool:
        """Time to continue as new (once the agent list is known, so no update is left waiting for it)."""
        full = self._handled >= self._state.config.continue_after or workflow.info().is_continue_as_new_suggested()
        return full and self._state.synced_at is not None
