"""RosterClient: the one way the receiver, the CLI and the worker talk to a task queue's roster.

Every signal and choice also starts the roster if it is not running yet (with this client's
``config``), so no deployment step creates it.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from models.agents import Choice, ChoiceRequest
from models.ids import roster_workflow_id
from roster.state import AgentActivity, ContactAssignment, PresenceChange, RosterConfig, RosterSnapshot, RosterState
from roster.workflow import Roster


@dataclass(frozen=True)
class RosterNews:
    """One of the roster's signals and its argument: what a webhook or an operator says about presence or load."""

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


class RosterClient:
    """Talks to the roster of ``task_queue``; ``config`` applies when a call starts the roster, ``rpc_timeout``
    bounds each call (None: the SDK's default)."""

    def __init__(self, client: Client, task_queue: str, config: RosterConfig, rpc_timeout: timedelta | None = None):
        self._client = client
        self._task_queue = task_queue
        self._config = config
        self._rpc_timeout = rpc_timeout
        self._workflow_id = roster_workflow_id(task_queue)

    async def choose(self, request: ChoiceRequest, request_id: str) -> Choice:
        """Ask for an assignee; the same ``request_id`` is applied at most once (say it again on a retry)."""
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

    async def tell(self, news: RosterNews) -> None:
        """Signal-with-start: the news reaches the running roster, or starts one and is delivered to it."""
        await self._client.start_workflow(
            Roster.run,
            RosterState(config=self._config),
            id=self._workflow_id,
            task_queue=self._task_queue,
            start_signal=news.signal.__name__,
            start_signal_args=[news.arg],
            rpc_timeout=self._rpc_timeout,
        )

    async def snapshot(self) -> RosterSnapshot | None:
        """The roster's agents, presence, load and cursors; None when no roster runs on the task queue."""
        try:
            handle = self._client.get_workflow_handle(self._workflow_id)
            return await handle.query(Roster.snapshot, rpc_timeout=self._rpc_timeout)
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return None
            raise
