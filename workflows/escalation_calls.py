"""What an escalation run does besides interpreting its steps: its respond.io calls (refused tokens included), the
roster's queue, the record of its assignments, its comments, its search attributes, and continue-as-new.

A base of the ``Escalation`` workflow class (``workflows.escalation``), which sets every attribute declared here.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, FailureError, is_cancelled_exception

from models.agents import Agent, AgentWentOffline, Choice
from models.conversation import CommentRequest, ConversationRead, Reply, ReplyQuery, Taken, TakeRequest
from models.durations import spoken_duration
from models.ids import roster_workflow_id
from workflows import search_attributes as sa
from workflows import story
from workflows.api_calls import (
    CALL_FAILURES,
    SURFACING_A_REFUSED_TOKEN,
    WHILE_BLOCKED,
    CallFailure,
    ending_for,
    refused_token,
)
from workflows.escalation_handlers import EscalationHandlers
from workflows.escalation_types import (
    TIMED_STATUSES,
    Assignment,
    Carried,
    Finding,
    Outcome,
    PendingStep,
    Status,
    opening_memo,
)
from workflows.metrics import EscalationMetrics
from workflows.policy_templates import render_template
from workflows.policy_words import business_time

with workflow.unsafe.imports_passed_through():
    from activities.conversation import ConversationActivities

CONTINUE_AFTER_EVENTS = 2_000
"""History length after which a run continues as new at its next step (Temporal's hard limit is 51,200)."""
NO_CONTINUING_ONCE_INTERRUPTED = "no-continuing-as-new-once-cancelled-or-reopened"
"""A cancel or a newer opening heard while the run waited for its handlers ends it rather than being lost."""


class EscalationCalls(EscalationHandlers):
    """The run's calls and records, shared by the step interpreter and by what follows new assignees."""

    _remaining: list[PendingStep]
    _reply: Reply | None
    _finding: Finding | None
    _last_wait: timedelta
    _last_wait_timed: tuple[datetime, timedelta] | None
    _last_wait_calendar: str | None
    _metrics: EscalationMetrics
    _queued: bool
    _offer: Choice | None
    _status: str
    _published: dict[str, Any]
    _seen_assignee: Agent | None
    _assigning_at: datetime
    _heard_at: dict[int, datetime]
    _went_offline: AgentWentOffline | None
    _unassigned: bool
    _closed: bool
    """respond.io showed the conversation closed: nothing is left to watch (a reopening starts a new run)."""
    _requeue: TakeRequest | None
    _offline_elsewhere: dict[int, AgentWentOffline]
    """The roster's notices about agents who did not have the conversation when heard, by agent id, until the next
    assignment is recorded."""

    async def _continue_as_new_if_long(self) -> None:
        if workflow.info().get_current_history_length() >= CONTINUE_AFTER_EVENTS:
            await self._continue_as_new()

    async def _continue_as_new(self) -> None:
        """Hand the steps left and everything said so far to a fresh run, so no history grows without bound."""
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._interrupted() and workflow.patched(NO_CONTINUING_ONCE_INTERRUPTED):
            self._stop_if_interrupted()  # a cancel or a newer opening is not carried: it ends this run
        self._publish()
        carried = Carried(
            remaining=self._remaining,
            history=self._history,
            reply=self._reply,
            finding=self._finding,
            contact_name=self._contact_name,
            last_wait=self._last_wait,
            last_wait_timed=self._last_wait_timed,
            ended_early=self._ended_early,
            ran_out_at=self._metrics.ran_out_at,
            last_wait_calendar=self._last_wait_calendar,
            evidence=sorted(self._evidence),
            heard_at=self._heard_at,
            went_offline=self._went_offline,
            unassigned=self._unassigned,
            closed=self._closed,
            requeue=self._requeue,
            queued=self._queued,
            offer=self._offer,
            offline_elsewhere=self._offline_elsewhere,
        )
        self._log("Continuing as new with %s steps left", len(self._remaining))
        workflow.continue_as_new(
            self._request.model_copy(update={"carried": carried}), memo=opening_memo(self._request)
        )

    async def _sleep(self, duration: timedelta, summary: str, also_wake: Callable[[], bool]) -> bool:
        """Sleep durably (the timer shows ``summary``); return True if a cancel (or ``also_wake``) ended it early."""

        def woken() -> bool:
            return self._interrupted() or also_wake()

        if duration <= timedelta(0):
            return woken()
        self._publish()
        try:
            await workflow.wait_condition(woken, timeout=duration, timeout_summary=summary)
            return True
        except TimeoutError:
            return False

    def _interrupted(self) -> bool:
        return self._cancel_reason is not None or self._reopening is not None

    async def _take(self, request: TakeRequest, summary: str) -> Taken:
        self._assigning_at = workflow.now()  # before the call: a reply racing the assignment still counts
        self._evidence.clear()  # before the call too: what arrives during it is about the new assignment
        self._offer = None  # an offer from now on answers this take's request
        self._heard_at = {}
        # Not a local activity: it waits on the roster, which needs this worker's workflow task slots meanwhile.
        taken: Taken = await self._api(ConversationActivities.take_conversation, request, summary, local=False)
        return taken

    def _record(self, taken: Taken) -> None:
        choice = taken.choice
        assert choice.agent is not None
        level = self._handoff_assignments
        self._contact_name = taken.conversation.contact_name
        self._seen_assignee = choice.agent
        self._unassigned = False
        self._queued = False  # the roster took the contact out of its queue as it chose
        self._history.append(
            Assignment(
                agent=choice.agent,
                assigned_at=self._assigning_at,
                level=level,
                reason=choice.reason,
                candidates=choice.candidates,
            )
        )
        self._metrics.assigned(level, workflow.now())
        if level > 0:
            self._finding = Finding(
                outcome=Outcome.ESCALATED, detail=f"reassigned to {choice.agent.name}: {choice.reason}"
            )
        self._status = Status.ESCALATED if level else Status.ASSIGNED
        verb = "Reassigned" if level else "Assigned"
        self._log("%s to %s (level %s): %s", verb, choice.agent.name, level, choice.reason)

    async def _leave_queue(self) -> None:
        """Tell the roster this run no longer wants an agent, so it serves the next in the queue instead."""
        if not self._queued:
            return
        self._queued = False
        roster = workflow.get_external_workflow_handle(roster_workflow_id(workflow.info().task_queue))
        try:
            await roster.signal("withdraw", self._contact_id)
        except FailureError as error:  # no roster runs: nothing is queued or held for this run
            self._log("The roster could not hear the withdrawal: %s", error)

    async def _comment(self, template: str, where: str) -> None:
        self._step = f"{where}: comment"
        text = render_template(template, self._template_values())
        self._tell(story.commenting(text))
        # Not a local activity: a comment is the one effect that cannot be repeated harmlessly, and a local
        # activity's result is lost with a workflow task that fails (e.g. a signal arrived as the run completed).
        await self._api(
            ConversationActivities.post_comment,
            CommentRequest(contact_id=self._contact_id, text=text),
            story.comment_summary(text),
            local=False,
        )
        self._log("Commented: %s", text)

    async def _read(self, summary: str, incoming: bool = False) -> ConversationRead:
        """One read of the conversation: status, assignee, and the first human reply since the reference time (and
        the customer's latest message, when ``incoming``)."""
        query = ReplyQuery(contact_id=self._contact_id, since=self._reference_time, incoming=incoming)
        read: ConversationRead = await self._api(ConversationActivities.read_conversation, query, summary)
        self._contact_name = read.conversation.contact_name
        self._seen_assignee = read.conversation.assignee
        self._closed = self._closed or read.conversation.status == "close"
        if read.reply is not None:
            self._reply = self._reply or read.reply
            if self._history:
                self._metrics.replied(self._history[-1], read.reply)
        return read

    async def _api(self, call: Callable[..., Any], arg: object, summary: str, local: bool = True) -> Any:
        """One respond.io call, a local activity unless ``local`` is False. A refused token pauses the escalation
        as blocked until the token works again; any other failure that retrying cannot mend ends it with an
        outcome that says why."""
        execute = workflow.execute_local_activity_method if local else workflow.execute_activity_method
        try:
            return await execute(call, arg, summary=summary, **SURFACING_A_REFUSED_TOKEN)
        except CALL_FAILURES as error:
            if is_cancelled_exception(error):
                raise
            if not refused_token(error):
                raise ending_for(error) from error
            return await self._while_blocked(execute, call, arg, summary, error)

    async def _while_blocked(
        self, execute: Callable[..., Any], call: Callable[..., Any], arg: object, summary: str, refusal: CallFailure
    ) -> Any:
        """Say loudly that the escalation is blocked, retry the call until the token works, then carry on."""
        status, step = self._status, self._step
        reason = str(refusal.cause if isinstance(refusal, ActivityError) else refusal.message)
        self._step = f"blocked: {reason} Retrying at least every minute until it works."
        self._status = Status.BLOCKED
        self._publish()
        self._tell(self._step)
        workflow.logger.error("Blocked: %s", reason, extra={"contact_id": self._contact_id, "step": step})
        try:
            result = await execute(call, arg, summary=f"{summary} (blocked)", **WHILE_BLOCKED)
        except CALL_FAILURES as error:
            if is_cancelled_exception(error):
                raise
            raise ending_for(error) from error
        self._log("Unblocked: respond.io accepts the token again")
        self._step = step
        self._status = status
        return result

    def _waited(self) -> str:
        """How long the assignee had, for ``{waited}``: since the assignment the last wait timed."""
        if self._last_wait_timed is None:  # cut short by an operator: the time the wait lasted, and why
            lasted = spoken_duration(self._last_wait)
            return f"{lasted} (cut short by an operator: {self._ended_early[-1]})" if self._ended_early else lasted
        assigned_at, policy_wait = self._last_wait_timed
        calendar = self._last_wait_calendar
        if calendar is None:
            return spoken_duration(workflow.now() - assigned_at, at_least=policy_wait)
        had = self._request.policy.calendars[calendar].business_time_between(assigned_at, workflow.now())
        return business_time(had, calendar, at_least=policy_wait)

    def _publish(self) -> None:
        """Write the search attributes whose value changed since they were last written, in one upsert: the
        status, the assignee and level, and a timed status's deadline. Called only before the run waits or ends,
        so a status held for no time costs nothing."""
        wanted: dict[str, Any] = {sa.STATUS.name: self._status}
        if self._assignee is not None:
            wanted |= {sa.ASSIGNEE.name: self._assignee.email, sa.LEVEL.name: self._level}
        if self._status in TIMED_STATUSES and self._deadline is not None:
            wanted[sa.DEADLINE.name] = self._deadline
        if self._outcome == Outcome.REASSIGNED_BY_HUMAN:  # HandoffAssignee follows the person's choice
            taken_by = self._seen_assignee if self._seen_assignee != self._assignee else None
            wanted[sa.ASSIGNEE.name] = taken_by.email if taken_by else None
        changed = {name: value for name, value in wanted.items() if self._published.get(name) != value}
        if changed:
            workflow.upsert_search_attributes([sa.update(name, value) for name, value in changed.items()])
            self._published |= changed
