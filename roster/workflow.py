"""Roster: one long-running workflow per task queue that decides who gets each conversation.

Each choice is an update handled atomically on the roster's state, so round robin stays fair
however many workers ask at once. When nobody is eligible the request waits in the roster's
queue, and whenever capacity may have appeared the roster hands queued conversations out in
order, signalling each escalation its agent (``offered``): a change wakes no more escalations
than it can serve. When an agent with conversations goes offline, explicitly or by inactivity,
the roster tells those conversations' escalations (``assignee_offline``). All state lives in
the workflow (``RosterState``), so the roster survives worker and server restarts, and it
continues as new to keep its history short.
"""

import asyncio
from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime, timedelta
from typing import TypedDict

from temporalio import workflow
from temporalio.exceptions import ActivityError, FailureError, is_cancelled_exception

from models.agents import AgentWentOffline, Choice, ChoiceRequest
from models.ids import escalation_workflow_id
from roster.state import AgentActivity, ContactAssignment, PresenceChange, RosterConfig, RosterSnapshot, RosterState

with workflow.unsafe.imports_passed_through():
    from activities.conversation import ConversationActivities


class _CallOptions(TypedDict):
    """The options of the roster's calls to respond.io."""

    start_to_close_timeout: timedelta
    schedule_to_close_timeout: timedelta


RESPONDIO_CALL = _CallOptions(
    start_to_close_timeout=timedelta(seconds=30), schedule_to_close_timeout=timedelta(minutes=1)
)
"""A sync or reconciliation that fails for a minute is skipped: the roster keeps what it knows and tries again later."""

OFFERED = "offered"
"""The escalation's signal that carries its agent, a ``Choice``, out of the queue."""
ASSIGNEE_OFFLINE = "assignee_offline"
"""The escalation's signal (an ``AgentWentOffline``) that the agent who has its conversation, or was chosen for it,
went offline."""
SIGNALS_AT_ONCE = 500
"""Signals to escalations in flight at once (offers, going offline, wakes): Temporal fails a workflow task that
leaves 2,000 pending."""

RECONCILE_WITH_RESPONDIO = "reconcile-with-respondio"
"""Every ``reconcile_every`` the roster reads each agent's open conversations from respond.io as their load."""
OFFER_FROM_THE_QUEUE = "offer-from-the-queue"
"""When capacity appears the roster hands queued conversations out in order and signals each escalation its agent."""
TELL_WHO_GOES_OFFLINE = "tell-escalations-when-agents-go-offline"
"""When an agent with conversations goes offline the roster signals their escalations, at that moment: it wakes when
the first activity-based presence among them runs out."""


@workflow.defn
class Roster:
    @workflow.init
    def __init__(self, state: RosterState) -> None:
        self._state = state
        self._handled = 0
        config = state.config
        self._next_sync = workflow.now() if state.synced_at is None else state.synced_at + config.sync_every
        self._next_reconcile = (state.reconciled_at or workflow.now()) + config.reconcile_every
        self._news: set[int] | None = None
        """While respond.io is read for a reconciliation: the contacts signals spoke of meanwhile."""

    @workflow.run
    async def run(self, state: RosterState) -> None:
        reconciles = workflow.patched(RECONCILE_WITH_RESPONDIO)
        tells = workflow.patched(TELL_WHO_GOES_OFFLINE)
        while not self._ready_to_continue():
            if workflow.now() >= self._next_sync:
                await self._sync()
                continue
            if reconciles and workflow.now() >= self._next_reconcile:
                await self._reconcile()
                continue
            gone = self._state.went_offline(workflow.now()) if tells else []
            if gone:
                await self._tell_who_went_offline(gone)
                continue
            next_call = min(self._next_sync, self._next_reconcile) if reconciles else self._next_sync
            next_look = self._state.next_look(workflow.now()) if tells else None
            await self._sleep(min(next_call, next_look) if next_look is not None else next_call, tells)
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(self._state)

    @workflow.update
    async def choose(self, request: ChoiceRequest) -> Choice:
        """Choose and hold an assignee, or queue the request; the same update id gets the same agent, even after a
        continue-as-new. Nothing awaits after the wait below, so no other handler interleaves."""
        # Resolves only once this activation's other handlers have run, so a hand-out they start goes first and a
        # new request never takes capacity the queue was owed.
        await workflow.wait_condition(lambda: self._state.synced_at is not None)
        self._handled += 1
        update = workflow.current_update_info()
        assert update is not None  # always set inside an update handler
        return self._state.choose(request, update.id, workflow.now())

    @workflow.signal
    async def set_presence(self, change: PresenceChange) -> None:
        self._handled += 1
        if self._state.set_presence(change, workflow.now()):
            await self._capacity_may_have_appeared()

    @workflow.signal
    async def agent_active(self, activity: AgentActivity) -> None:
        self._handled += 1
        if self._state.saw_activity(activity, workflow.now()):
            await self._capacity_may_have_appeared()

    @workflow.signal
    async def conversation_assigned(self, assignment: ContactAssignment) -> None:
        """respond.io assigned the conversation: it confirms the roster's hold, or moves the load to its new owner."""
        self._handled += 1
        self._heard_about(assignment.contact_id)
        if self._state.assigned(assignment.contact_id, assignment.agent_id):
            await self._capacity_may_have_appeared()

    @workflow.signal
    async def conversation_closed(self, contact_id: int) -> None:
        self._handled += 1
        self._heard_about(contact_id)
        if self._state.close(contact_id):
            await self._capacity_may_have_appeared()

    @workflow.signal
    async def withdraw(self, contact_id: int) -> None:
        """The contact's escalation no longer wants an agent: it leaves the queue and gives back an unconfirmed hold."""
        self._handled += 1
        self._heard_about(contact_id)
        if self._state.withdraw(contact_id):
            await self._capacity_may_have_appeared()

    @workflow.signal
    async def configure(self, config: RosterConfig) -> None:
        """The settings of the worker that just started: presence rules may have changed, and with them capacity."""
        self._handled += 1
        self._state.config = config
        await self._capacity_may_have_appeared()

    @workflow.query
    def snapshot(self) -> RosterSnapshot:
        return self._state.snapshot(workflow.now())

    @workflow.query
    def is_online(self, agent_id: int, at: datetime) -> bool:
        """Whether the agent counts as online at ``at``, the caller's clock: the roster's own clock only moves when
        it wakes, so an activity-based presence would otherwise look current for up to a sync interval too long."""
        return self._state.is_online(agent_id, max(at, workflow.now()))

    async def _sleep(self, until: datetime, tells: bool) -> None:
        """Wait until ``until``, or until it is time to continue as new or (``tells``) to look for who went offline."""

        def woken() -> bool:
            return self._ready_to_continue() or (tells and self._state.look_due(workflow.now(), until))

        with suppress(TimeoutError):
            await workflow.wait_condition(woken, timeout=until - workflow.now())

    async def _sync(self) -> None:
        """Refresh the agent list from respond.io; on failure keep the agents already known."""
        self._next_sync = workflow.now() + self._state.config.sync_every
        try:
            agents = await workflow.execute_activity_method(ConversationActivities.list_agents, **RESPONDIO_CALL)
        except ActivityError as error:
            if is_cancelled_exception(error):
                raise
            workflow.logger.warning(
                "Agent sync failed; keeping %s known agents: %s", len(self._state.agents), error.cause
            )
            return
        known = self._state.agents
        if self._state.sync(agents, workflow.now()):
            await self._capacity_may_have_appeared()
        elif agents != known:  # someone changed team: a queued conversation may have an agent now
            await self._serve_queue()

    async def _reconcile(self) -> None:
        """Take each agent's open conversations from respond.io as their load; on failure keep the load counted."""
        self._next_reconcile = workflow.now() + self._state.config.reconcile_every
        news: set[int] = set()
        self._news = news
        try:
            assigned = await workflow.execute_activity_method(
                ConversationActivities.open_conversations_by_agent, [a.id for a in self._state.agents], **RESPONDIO_CALL
            )
        except ActivityError as error:
            if is_cancelled_exception(error):
                raise
            workflow.logger.warning("Reconciliation with respond.io failed; keeping the load counted: %s", error.cause)
            return
        finally:
            self._news = None
        drift = self._state.reconcile(assigned, workflow.now(), news)
        if not drift:
            return
        names = {a.id: a.name for a in self._state.agents}
        changes = ", ".join(f"{names.get(i, i)} ({i}) {old} → {new}" for i, (old, new) in drift.items())
        workflow.logger.warning("Load corrected from respond.io's open conversations: %s", changes)
        if any(new < old for old, new in drift.values()):
            await self._capacity_may_have_appeared()

    async def _capacity_may_have_appeared(self) -> None:
        """Serve the queue first, then wake the escalations of older versions that wait to ask again."""
        await self._serve_queue()
        await self._wake_waiting()

    async def _serve_queue(self) -> None:
        """Hand queued conversations their agents; an escalation that is gone gives its agent to the next in line."""
        if not self._state.queue or not workflow.patched(OFFER_FROM_THE_QUEUE):
            return
        await asyncio.sleep(0)  # no timer: lets the rest of this activation's news land, so one hand-out sees it all
        offers = self._state.hand_out(workflow.now())
        while offers:
            sends = [(escalation_workflow_id(offer.contact_id), offer.choice) for offer in offers]
            delivered = await self._signal_all(OFFERED, sends, "is gone; its agent goes to the next in line")
            gone = [offer for offer, received in zip(offers, delivered, strict=True) if not received]
            for offer in gone:
                self._state.give_back(offer)
            offers = self._state.hand_out(workflow.now()) if gone else []

    async def _signal_all(self, signal: str, sends: Sequence[tuple[str, object]], when_gone: str) -> list[bool]:
        """Signal each workflow its payload (None: no payload), at most ``SIGNALS_AT_ONCE`` in flight; for each,
        whether it received it (False: it no longer runs, logged with ``when_gone``)."""

        async def send(workflow_id: str, payload: object) -> bool:
            try:
                args = [] if payload is None else [payload]
                await workflow.get_external_workflow_handle(workflow_id).signal(signal, args=args)
            except FailureError as error:
                workflow.logger.info("%s %s: %s", workflow_id, when_gone, error)
                return False
            return True

        received: list[bool] = []
        for start in range(0, len(sends), SIGNALS_AT_ONCE):
            received += await asyncio.gather(*(send(*target) for target in sends[start : start + SIGNALS_AT_ONCE]))
        return received

    async def _tell_who_went_offline(self, gone: list[AgentWentOffline]) -> None:
        """Signal the escalation of each conversation the agents who went offline have open or held."""
        told: list[tuple[str, object]] = []
        for news in gone:
            contacts = self._state.contacts_of(news.agent.id)
            workflow.logger.info(
                "%s (%s) went offline at %s; telling the escalations of their %s conversations",
                news.agent.name,
                news.agent.id,
                news.at.isoformat(),
                len(contacts),
            )
            told.extend((escalation_workflow_id(contact_id), news) for contact_id in contacts)
        await self._signal_all(ASSIGNEE_OFFLINE, told, "no longer runs to hear its agent went offline")

    async def _wake_waiting(self) -> None:
        """Tell each escalation waiting for an agent, once, to ask again now; the backoff stays their fallback."""
        waiting, self._state.waiting = sorted(self._state.waiting), set()
        await self._signal_all("roster_changed", [(workflow_id, None) for workflow_id in waiting], "no longer waits")

    def _heard_about(self, contact_id: int) -> None:
        """Note news of a contact while a reconciliation reads respond.io: the news is fresher than the read."""
        if self._news is not None:
            self._news.add(contact_id)

    def _ready_to_continue(self) -> bool:
        """Time to continue as new (once the agent list is known, so no update is left waiting for it)."""
        full = self._handled >= self._state.config.continue_after or workflow.info().is_continue_as_new_suggested()
        return full and self._state.synced_at is not None
