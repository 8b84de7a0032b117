"""Escalation: one durable run per opened conversation, interpreting its policy at the cost of a bare flow.

Each decision is one activity: taking the conversation (read, choose, assign), reading it (status, assignee
and the latest human reply at once: a local activity), or commenting. When nobody is eligible the roster queues the
conversation and later offers it an agent (the ``offered`` signal): the run waits for that with one timer,
never polling. Search attributes are written only when what they say changes, just before the run waits or
ends. Between steps a run whose history grows long continues as new, carrying the steps left (``Carried``).

Signals from webhooks only wake a wait early; before a wait ends early the workflow checks the evidence
against the respond.io API, the source of truth, so a late, duplicated or wrong webhook can never cut a wait
short and cause a premature reassignment.
"""

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, FailureError, is_cancelled_exception

from models.agents import Agent, Choice, ChoiceRequest
from models.conversation import CommentRequest, ConversationRead, ReplyQuery, Taken, TakeRequest
from models.durations import format_duration, spoken_duration
from models.ids import roster_workflow_id
from models.replies import counts_after
from models.timestamps import EpochTime
from workflows import search_attributes as sa
from workflows import story
from workflows.api_calls import (
    CALL_FAILURES,
    LOST,
    SURFACING_A_REFUSED_TOKEN,
    WHILE_BLOCKED,
    CallFailure,
    Finished,
    ending_for,
    refused_token,
)
from workflows.comment import render_comment
from workflows.escalation_handlers import EscalationHandlers
from workflows.escalation_types import (
    TIMED_STATUSES,
    Assignment,
    Carried,
    EscalationRequest,
    EscalationResult,
    Finding,
    MessageSent,
    Outcome,
    PendingStep,
    Status,
    opening_memo,
)
from workflows.metrics import EscalationMetrics
from workflows.policy import Assign, Branch, Condition, Step

with workflow.unsafe.imports_passed_through():
    from activities.conversation import ConversationActivities

CONTINUE_AFTER_EVENTS = 2_000
"""History length after which a run continues as new at its next step (Temporal's hard limit is 51,200)."""


def _pending(steps: list[Step], path: str) -> list[PendingStep]:
    return [PendingStep(where=f"{path}.{index}", step=step) for index, step in enumerate(steps)]


@workflow.defn
class Escalation(EscalationHandlers):
    @workflow.init
    def __init__(self, request: EscalationRequest) -> None:
        carried = request.carried or Carried(remaining=_pending(request.policy.steps, "steps"))
        self._request = request
        self._remaining = list(carried.remaining)
        self._history = list(carried.history)
        self._reply = carried.reply
        self._finding = carried.finding
        self._contact_name = carried.contact_name
        self._last_wait = carried.last_wait
        self._last_wait_timed = carried.last_wait_timed
        """Of the last wait that ran out: the assignment time it timed, and the policy's wait."""
        self._ended_early = list(carried.ended_early)
        """The reasons operators gave to end a wait now (escalate-now), in order."""
        self._metrics = EscalationMetrics(request.policy.name, ran_out_at=carried.ran_out_at)
        self._step = "starting"
        self._deadline: datetime | None = None
        self._outcome: Outcome | None = None
        self._detail: str | None = None
        self._reopening: EscalationRequest | None = None
        self._evidence: set[str] = set()
        self._escalate_requested = False
        self._cancel_reason: str | None = None
        self._waiting = False
        self._queued = False
        """Waiting in the roster's queue: the roster may offer an agent, and must hear if the run stops wanting one."""
        self._offer: Choice | None = None
        self._status: str = Status.STARTING
        self._published: dict[str, Any] = {} if request.carried else sa.initial_values(Status.STARTING)
        """The search attributes as last written (a fresh run: those ``search_attributes.initial`` set)."""
        self._seen_assignee: Agent | None = None
        """The assignee respond.io reported last: whom a person gave the conversation to, if that ended the run."""
        self._assigning_at = workflow.now()
        """When the latest take began: a reply racing the assignment still counts."""

    @workflow.run
    async def run(self, request: EscalationRequest) -> EscalationResult:
        if request.carried is None:
            self._metrics.started()
        try:
            await self._run_policy()
            finding = self._finding or Finding(outcome=Outcome.COMPLETED, detail="the policy ran to its end")
            outcome, detail = finding.outcome, finding.detail
        except Finished as finished:
            outcome, detail = finished.outcome, finished.detail
        except (asyncio.CancelledError, ActivityError) as error:
            if not is_cancelled_exception(error):
                raise
            outcome, detail = Outcome.CANCELLED, "cancelled in Temporal (its UI's or CLI's cancel)"
        await self._leave_queue()
        self._metrics.finished(outcome)
        if self._reopening is not None:  # whatever this run was doing, the newer opening gets its escalation
            await self._hand_over_to(self._reopening)
        if self._ended_early:
            detail += f"; an operator ended the wait early: {'; '.join(self._ended_early)}"
        self._outcome, self._detail = outcome, detail
        self._step = "finished"
        self._log("Finished, %s: %s", outcome.value, detail)
        self._tell(story.finished(outcome, detail))
        self._deadline = None
        self._status = outcome.value
        self._publish()
        return EscalationResult(
            outcome=outcome,
            detail=detail,
            contact_id=request.contact_id,
            opened_at=request.opened_at,
            finished_at=workflow.now(),
            assignee=self._assignee,
            level=self._level,
            history=self._history,
            reply=self._reply,
        )

    # Signals: webhooks tell the workflow something may have changed; the roster offers an agent.

    @workflow.signal
    def message_sent(self, event: MessageSent) -> None:
        sent = EpochTime(at=event.sent_at, precision=event.sent_precision)
        if event.sender_source == "user" and counts_after(sent, self._reference_time):
            self._evidence.add("reply")

    @workflow.signal
    def offered(self, choice: Choice) -> None:
        """The roster took this conversation from its queue and holds ``choice.agent`` for it. Kept even before
        the take that queued it returns: the signal and the take's result can arrive in one activation."""
        if choice.agent is not None:
            self._offer = choice

    # The step interpreter: the steps left are a flat list, so a run can hand them to the next.

    async def _run_policy(self) -> None:
        while self._remaining:
            self._stop_if_interrupted()
            if workflow.info().get_current_history_length() >= CONTINUE_AFTER_EVENTS:
                await self._continue_as_new()
            pending = self._remaining.pop(0)
            step, where = pending.step, pending.where
            if step.assign is not None:
                await self._assign(step.assign, where)
            elif step.wait is not None:
                await self._wait(step.wait, where)
            elif step.branch is not None:
                await self._branch(step.branch, where)
            elif step.comment is not None:
                await self._comment(step.comment, where)

    async def _continue_as_new(self) -> None:
        """Hand the steps left and everything said so far to a fresh run, so no history grows without bound."""
        await workflow.wait_condition(workflow.all_handlers_finished)
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
        )
        self._log("Continuing as new with %s steps left", len(self._remaining))
        workflow.continue_as_new(
            self._request.model_copy(update={"carried": carried}), memo=opening_memo(self._request)
        )

    async def _assign(self, assign: Assign, where: str) -> None:
        self._step = f"{where}: assign to {assign.describe()}"
        self._tell(story.assigning(assign))
        self._status = Status.ASSIGNING
        request = TakeRequest(
            choice=ChoiceRequest(
                contact_id=self._contact_id,
                user=assign.user,
                team=assign.team,
                strategy=assign.strategy,
                only_online=assign.only_online,
                max_open=assign.max_open,
                exclude=[record.agent.id for record in self._history],
                queue=True,
            ),
            # What the step is, not which activity: a re-executed workflow task may number activities differently.
            request_id=f"{workflow.info().run_id}/{where}/{len(self._history)}",
            previous_assignee_id=self._assignee.id if self._assignee else None,
        )
        taken = await self._take(request, story.take_summary(assign, len(request.choice.exclude)))
        if taken.choice.agent is None:
            self._queued = taken.choice.queued
            offer = await self._wait_for_offer(assign, taken.choice, where)
            if offer is None:
                await self._leave_queue()
                if not assign.timeout.steps:
                    raise Finished(
                        Outcome.NO_ELIGIBLE_AGENT,
                        f"nobody in {assign.describe()} was eligible within {format_duration(assign.timeout.after)}",
                    )
                self._remaining[:0] = _pending(assign.timeout.steps, f"{where}.assign.timeout.steps")
                return
            assert offer.agent is not None
            offered = request.model_copy(update={"offered": offer})
            taken = await self._take(offered, story.assign_summary(offer.agent, len(self._history)))
        self._record(taken)

    async def _wait_for_offer(self, assign: Assign, queued: Choice, where: str) -> Choice | None:
        """Wait in the roster's queue for an offer, or until the step's timeout; None when it ran out."""
        giving_up_at = workflow.now() + assign.timeout.after
        self._deadline = giving_up_at
        self._step = f"{where}: nobody eligible ({queued.reason}); queued until {giving_up_at:%Y-%m-%d %H:%M} UTC"
        self._tell(story.queued_for_agent(assign, queued.reason, giving_up_at))
        self._status = Status.WAITING_FOR_AGENT
        self._log("Nobody eligible: %s", queued.reason)
        while self._offer is None:
            remaining = giving_up_at - workflow.now()
            summary = story.agent_timer_summary(assign, remaining)
            woke = await self._sleep(remaining, summary, also_wake=lambda: self._offer is not None or self._lost())
            self._stop_if_interrupted()
            if not woke:
                break
            if self._lost():
                self._evidence -= LOST  # the read below is what confirms or refutes it
                read = await self._read(story.ownership_check_summary(None))
                if read.conversation.status == "close":
                    raise Finished(Outcome.CLOSED, "the conversation was closed")
        self._deadline = None
        offer, self._offer = self._offer, None
        if offer is not None:
            self._queued = False  # the roster holds the agent for this run: nothing to withdraw
        return offer

    def _lost(self) -> bool:
        return bool(self._evidence & LOST)

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

    def _record(self, taken: Taken) -> None:
        choice = taken.choice
        assert choice.agent is not None
        level = len(self._history)
        self._contact_name = taken.conversation.contact_name
        self._seen_assignee = choice.agent
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

    async def _take(self, request: TakeRequest, summary: str) -> Taken:
        self._assigning_at = workflow.now()  # before the call: a reply racing the assignment still counts
        self._evidence.clear()  # before the call too: what arrives during it is about the new assignment
        self._offer = None  # an offer from now on answers this take's request
        # Not a local activity: it waits on the roster, which needs this worker's workflow task slots meanwhile.
        taken: Taken = await self._api(ConversationActivities.take_conversation, request, summary, local=False)
        return taken

    async def _wait(self, duration: timedelta, where: str) -> None:
        started = workflow.now()
        self._deadline = started + duration
        self._step = f"{where}: wait {format_duration(duration)}"
        self._tell(story.waiting_for_reply(self._assignee, self._deadline, duration))
        self._status = Status.WAITING
        self._log("Waiting for a reply until %s", f"{self._deadline:%Y-%m-%d %H:%M:%S} UTC")
        self._waiting = True
        while True:
            remaining = self._deadline - workflow.now()
            summary = story.reply_timer_summary(self._assignee, remaining)
            woke = await self._sleep(
                remaining, summary, also_wake=lambda: self._escalate_requested or bool(self._evidence)
            )
            self._stop_if_interrupted()
            if not woke or self._escalate_requested or await self._evidence_confirmed():
                break
        self._metrics.wait_ended(None if woke else self._deadline)
        self._last_wait_timed = None if self._escalate_requested else (self._reference_time, duration)
        self._escalate_requested = self._waiting = False
        self._last_wait = workflow.now() - started
        self._deadline = None

    async def _sleep(self, duration: timedelta, summary: str, also_wake: Callable[[], bool]) -> bool:
        """Sleep durably (the timer shows ``summary``); return True if a cancel (or ``also_wake``) ended it early."""

        def woken() -> bool:
            return self._cancel_reason is not None or self._reopening is not None or also_wake()

        if duration <= timedelta(0):
            return woken()
        self._publish()
        try:
            await workflow.wait_condition(woken, timeout=duration, timeout_summary=summary)
            return True
        except TimeoutError:
            return False

    async def _evidence_confirmed(self) -> bool:
        """Check what the webhooks said against the API; forget it if the API disagrees."""
        kinds, self._evidence = self._evidence, set()
        read = await self._read(story.evidence_check_summary(kinds))
        conversation = read.conversation
        if "closed" in kinds and conversation.status == "close":
            return True
        mine = self._assignee
        if "reassigned" in kinds and mine and (conversation.assignee is None or conversation.assignee.id != mine.id):
            return True
        if "reply" in kinds and read.reply is not None:
            return True
        self._log("Webhook evidence %s not confirmed by the API; waiting on", sorted(kinds))
        return False

    async def _branch(self, branch: Branch, where: str) -> None:
        """Decide on one read of the conversation; stop at the condition that settles the answer."""
        self._step = f"{where}: check conditions"
        self._tell(story.checking(branch))
        self._status = Status.CHECKING
        read = await self._read(story.decision_summary(self._assignee, self._reference_time))
        needed = branch.all is None  # all: stop at the first false condition; any: at the first true one
        passed = not needed
        for condition in branch.conditions:
            if self._holds(condition, read) == needed:
                passed = needed
                break
        steps, label = (branch.then, "then") if passed else (branch.else_, "else")
        self._remaining[:0] = _pending(steps, f"{where}.branch.{label}")

    def _holds(self, condition: Condition, read: ConversationRead) -> bool:
        if condition.conversation_status is not None:
            status = "closed" if read.conversation.status == "close" else "open"
            if status == "closed":
                self._finding = Finding(outcome=Outcome.CLOSED, detail="the conversation was closed")
            return status == condition.conversation_status
        if read.reply is not None:
            who = self._assignee.name if self._assignee else "an agent"
            detail = f"{who} replied at {read.reply.sent_at:%Y-%m-%d %H:%M:%S} UTC"
            self._finding = Finding(outcome=Outcome.REPLIED, detail=detail)
        return (read.reply is None) == condition.no_reply_since_assignment

    async def _comment(self, template: str, where: str) -> None:
        self._step = f"{where}: comment"
        previous = self._history[-2].agent if len(self._history) > 1 else None
        current = self._assignee
        variables = {
            "contact_id": self._contact_id,
            "contact_name": self._contact_name,
            "previous_assignee": previous.name if previous else "nobody",
            "previous_assignee_mention": previous.mention() if previous else "nobody",
            "assignee": current.name if current else "nobody",
            "assignee_mention": current.mention() if current else "nobody",
            "waited": self._waited(),
            "level": self._level,
            "reason": self._history[-1].reason if self._history else "",
        }
        text = render_comment(template, variables)
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

    # Reading the world through local activities.

    async def _read(self, summary: str) -> ConversationRead:
        """One read of the conversation: status, assignee, and the first human reply since the reference time."""
        query = ReplyQuery(contact_id=self._contact_id, since=self._reference_time)
        read: ConversationRead = await self._api(ConversationActivities.read_conversation, query, summary)
        self._contact_name = read.conversation.contact_name
        self._seen_assignee = read.conversation.assignee
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

    # Small helpers.

    def _waited(self) -> str:
        """How long the assignee had, for ``{waited}``: since the assignment the last wait timed."""
        if self._last_wait_timed is None:  # cut short by an operator: the time the wait lasted, and why
            lasted = spoken_duration(self._last_wait)
            return f"{lasted} (cut short by an operator: {self._ended_early[-1]})" if self._ended_early else lasted
        assigned_at, policy_wait = self._last_wait_timed
        return spoken_duration(workflow.now() - assigned_at, at_least=policy_wait)

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
