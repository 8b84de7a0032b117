"""RosterClient: the one way the receiver, the CLI and the worker talk to a task queue's roster.

Every signal and choice also starts the roster if it is not running yet (with this client's
``config``), so no deployment step creates it.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from temporalio.client import Client, WithStartWorkflowOperation, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from models.agents import Choice, ChoiceRequest
from models.ids import roster_workflow_id
from roster.state import AgentActivity, ContactAssignment, PresenceChange, RosterConfig, RosterSnapshot, RosterState
from roster.workflow import Roster

UPDATES_AT_ONCE = 4
"""Choices one client (one per worker process) has in flight: Temporal admits 10 in-flight updates per workflow,
and a burst beyond that thrashes the roster."""


@dataclass(frozen=True)
class RosterNews:
    """One of the roster's signals and its argument: what a webhook, an operator, an escalation or a worker says."""

    signal: Callable[..., Awaitable[None]]
    arg: object

    @staticmethod
    def presence(agent_id: int, online: bool) -> "RosterNews":
        """An agent set online or offline explicitly (offline also forgets their recent activity)."""
        return RosterNews(Roster.set_presence, PresenceChange(agent_id=agent_id, online=online))

    @staticmethod
    def agent_active(agent_id: int, at: datetime) -> "RosterNews":
        """An agent sent a message at ``at`` (timezone-aware): online for the inactivity timeout after it."""
        return RosterNews(Roster.agent_active, AgentActivity(agent_id=agent_id, at=at))

    @staticmethod
    def assigned(contact_id: int, agent_id: int | None) -> "RosterNews":
        """Someone assigned the contact's conversation (None: unassigned it); the roster moves its load."""
        return RosterNews(Roster.conversation_assigned, ContactAssignment(contact_id=contact_id, agent_id=agent_id))

    @staticmethod
    def closed(contact_id: int) -> "RosterNews":
        """The contact's conversation closed: it no longer counts as anyone's open conversation."""
        return RosterNews(Roster.conversation_closed, contact_id)

    @staticmethod
    def withdraw(contact_id: int) -> "RosterNews":
        """The contact's escalation no longer wants an agent: it leaves the queue and gives back an unconfirmed hold."""
        return RosterNews(Roster.withdraw, contact_id)

    @staticmethod
    def configure(config: RosterConfig) -> "RosterNews":
        """The roster's settings from now on (a worker tells its own as it starts)."""
        return RosterNews(Roster.configure, config)


class RosterClient:
    """Talks to the roster of ``task_queue``; ``config`` applies when a call starts the roster, ``rpc_timeout``
    bounds each call (None: the SDK's default). Share one per process: its choices share ``UPDATES_AT_ONCE``."""

    def __init__(self, client: Client, task_queue: str, config: RosterConfig, rpc_timeout: timedelta | None = None):
        self._client = client
        self._task_queue = task_queue
        self._config = config
        self._rpc_timeout = rpc_timeout
        self._workflow_id = roster_workflow_id(task_queue)
        self._updates_in_flight = asyncio.Semaphore(UPDATES_AT_ONCE)

    async def choose(self, request: ChoiceRequest, request_id: str) -> Choice:
        """Ask for an assignee (held for the contact, or the request queued); the same ``request_id`` always gets
        the same agent (say it again on a retry). A plain update, which costs the server less than update-with-start
        (needed only until the roster first runs)."""
        async with self._updates_in_flight:
            try:
                return await self._handle().execute_update(
                    Roster.choose, request, id=request_id, rpc_timeout=self._rpc_timeout
                )
            except RPCError as error:
                if error.status != RPCStatusCode.NOT_FOUND:
                    raise
            start = WithStartWorkflowOperation(
                Roster.run,
                RosterState(config=self._config),
                id=self._workflow_id,
                task_queue=self._task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            )
            return await self._client.execute_update_with_start_workflow(
                Roster.choose, request, start_workflow_operation=start, id=request_id, rpc_timeout=self._rpc_timeout
            )

    async def withdraw(self, contact_id: int) -> None:
        """The contact no longer wants an agent: it leaves the queue and gives back a hold not yet confirmed."""
        await self.tell(RosterNews.withdraw(contact_id))

    async def tell(self, news: RosterNews) -> None:
        """The news reaches the running roster by a plain signal, or by signal-with-start when none runs yet."""
        try:
            return await self._handle().signal(news.signal, news.arg, rpc_timeout=self._rpc_timeout)
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
        await self._client.start_workflow(
            Roster.run,
            RosterState(config=self._config),
            id=self._workflow_id,
            task_queue=self._task_queue,
            start_signal=news.signal.__name__,
            start_signal_args=[news.arg],
            rpc_timeout=self._rpc_timeout,
        )

    def _handle(self) -> WorkflowHandle[Roster, None]:
        return self._client.get_workflow_handle_for(Roster.run, self._workflow_id)

    async def is_online(self, agent_id: int) -> bool:
        """Whether the roster counts the agent as online now (explicitly, or active within the inactivity timeout).
        With no roster running, nobody has reported on anyone: the presence this client's ``config`` gives an agent
        nobody reported on (``default_online``, offline unless configured otherwise)."""
        try:
            return await self._handle().query(
                Roster.is_online, args=[agent_id, datetime.now(UTC)], rpc_timeout=self._rpc_timeout
            )
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return self._config.default_online
            raise

    async def snapshot(self) -> RosterSnapshot | None:
        """The roster's agents, presence, load and cursors; None when no roster runs on the task queue."""
        try:
            return await self._handle().query(Roster.snapshot, rpc_timeout=self._rpc_timeout)
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return None
            raise
