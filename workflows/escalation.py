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
from temporalio.exceptions import ActivityError, is_cancelled_exception

from models.agents import Agent, Choice, ChoiceRequest
from models.conversation import (
    CloseRequest,
    ConversationRead,
    MessageRequest,
    TagRequest,
    TakeRequest,
)
from models.durations import format_duration
from models.replies import counts_after
from models.timestamps import EpochTime
from workflows import search_attributes as sa
from workflows import story
from workflows.api_calls import (
    LOST,
    Finished,
)
from workflows.calendars import Calendar, CalendarNeverOpens
from workflows.conditions import Facts, holds
from workflows.escalation_following import A_CLOSE_ENDS_THE_ESCALATION, EscalationFollowing, Heard
from workflows.escalation_types import (
    Carried,
    EscalationRequest,
    EscalationResult,
    Finding,
    MessageSent,
    Outcome,
    PendingStep,
    Status,
)
from workflows.metrics import EscalationMetrics
from workflows.policy import Assign, Branch, Close, Repeat, Step
from workflows.policy_conditions import Condition
from workflows.policy_templates import MESSAGE_MAX_CHARS, render_template

with workflow.unsafe.imports_passed_through():
    from activities.conversation import ConversationActivities


def _pending(steps: list[Step], path: str) -> list[PendingStep]:
    return [PendingStep(where=f"{path}.{index}", step=step) for index, step in enumerate(steps)]


@workflow.defn
class Escalation(EscalationFollowing):
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
        self._evidence: set[str] = set(carried.evidence)
        self._escalate_requested = False
        self._cancel_reason: str | None = None
        self._waiting = False
        self._queued = carried.queued
        """Waiting in the roster's queue: the roster may offer an agent, and must hear if the run stops wanting one."""
        self._offer: Choice | None = carried.offer
        self._status: str = Status.STARTING
        self._published: dict[str, Any] = {} if request.carried else sa.initial_values(Status.STARTING)
        """The search attributes as last written (a fresh run: those ``search_attributes.initial`` set)."""
        self._seen_assignee: Agent | None = None
        """The assignee respond.io reported last: whom a person gave the conversation to, if that ended the run."""
        self._assigning_at = workflow.now()
        """When the latest take began: a reply racing the assignment still counts."""
        self._last_wait_calendar = carried.last_wait_calendar
        self._went_offline = carried.went_offline
        """The roster's word that the assignee went offline, until respond.io is read to act on it."""
        self._offline_elsewhere = dict(carried.offline_elsewhere)
        self._heard_at = dict(carried.heard_at)
        """When respond.io said each agent got the conversation, for reassignments not checked yet (a person's
        assignment is timed from then, so the new assignee's quick reply still counts)."""
        self._unassigned = carried.unassigned
        self._closed = carried.closed
        """respond.io showed the conversation unassigned since its last assignment (``every_assignment``)."""
        self._requeue = carried.requeue
        """The move from an offline assignee that waits in the roster's queue for someone to come online."""

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
        """Run the steps; then, if the policy asks, watch the conversation and run the steps again for each new
        assignee a person gives it, until it closes."""
        while True:
            while self._remaining:
                self._stop_if_interrupted()
                await self._continue_as_new_if_long()
                pending = self._remaining.pop(0)
                await self._following_people(self._run_step(pending.step, pending.where))
            if not self._watches():
                return
            await self._following_people(self._watch())

    async def _run_step(self, step: Step, where: str) -> None:
        if step.assign is not None:
            await self._assign(step.assign, where)
        elif step.wait is not None:
            await self._wait(step, where)
        elif step.branch is not None:
            await self._branch(step.branch, where)
        elif step.comment is not None:
            await self._comment(step.comment, where)
        elif step.message is not None:
            await self._message(step.message, where)
        elif step.close is not None:
            await self._close(step.close, where)
        elif step.add_tag is not None or step.remove_tag is not None:
            await self._change_tags(step, where)
        elif step.repeat is not None:
            self._repeat(step.repeat, where)

    async def _assign(self, assign: Assign, where: str) -> None:
        waited = assign.within_hours is not None and await self._wait_for_hours(assign, assign.within_hours, where)
        self._step = f"{where}: assign to {assign.describe()}"
        self._tell(story.assigning(assign))
        self._status = Status.ASSIGNING
        await self._drop_the_move()  # this step's choice replaces a move still queued
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
            waited=waited,
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
            offered = request.model_copy(update={"offered": offer, "waited": True})
            taken = await self._take(offered, story.assign_summary(offer.agent, len(self._history)))
        self._assigned(taken)

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
                await self._end_if_lost()
        self._deadline = None
        offer, self._offer = self._offer, None
        if offer is not None:
            self._queued = False  # the roster holds the agent for this run: nothing to withdraw
        return offer

    async def _wait_for_hours(self, assign: Assign, calendar: str, where: str) -> bool:
        """Outside the step's calendar hours, wait until they open (the conversation stays unassigned meanwhile);
        whether it waited."""
        opens = self._business_time(calendar, lambda hours: hours.next_opening(workflow.now()))
        if opens <= workflow.now():
            return False
        self._deadline = opens
        self._step = f"{where}: outside {calendar}'s hours; assigning when they open at {opens:%Y-%m-%d %H:%M} UTC"
        self._tell(story.waiting_for_hours(assign, calendar, opens))
        self._status = Status.WAITING_FOR_AGENT
        self._log("Outside %s's hours: assigning at %s", calendar, f"{opens:%Y-%m-%d %H:%M:%S} UTC")
        while True:
            summary = story.hours_timer_summary(calendar, opens - workflow.now())
            woke = await self._sleep(opens - workflow.now(), summary, also_wake=self._lost)
            self._stop_if_interrupted()
            if not woke:
                break
            await self._end_if_lost()
        self._deadline = None
        return True

    def _lost(self) -> bool:
        return bool(self._evidence & LOST)

    async def _end_if_lost(self) -> None:
        """Webhooks said the conversation may be lost: read it, and end the escalation if it was closed (or, with
        ``every_assignment``, follow whom a person gave it to)."""
        self._evidence -= LOST  # the read below is what confirms or refutes it
        read = await self._read(story.ownership_check_summary(None))
        if read.conversation.status == "close":
            raise Finished(Outcome.CLOSED, "the conversation was closed")
        if self._request.policy.every_assignment and self._someone_else(read.conversation.assignee):
            raise Finished(Outcome.REASSIGNED_BY_HUMAN, "a person assigned the conversation")

    async def _wait(self, step: Step, where: str) -> None:
        duration, calendar = step.wait_for, step.wait_calendar
        started = workflow.now()
        self._deadline = self._wait_ends(duration, calendar)
        self._step = f"{where}: wait {format_duration(duration)}" + (f" of {calendar}'s hours" if calendar else "")
        self._tell(story.waiting_for_reply(self._assignee, self._deadline, duration, calendar))
        self._status = Status.WAITING
        self._log("Waiting for a reply until %s", f"{self._deadline:%Y-%m-%d %H:%M:%S} UTC")
        self._waiting = True
        heard = Heard.NOTHING
        while heard == Heard.NOTHING:
            remaining = self._deadline - workflow.now()
            business = self._business_time_left(calendar) if calendar else None
            summary = story.reply_timer_summary(self._assignee, remaining, business, calendar)
            woke = await self._sleep(
                remaining,
                summary,
                also_wake=lambda: self._escalate_requested or bool(self._evidence) or self._offered_a_move(),
            )
            self._stop_if_interrupted()
            if not woke or self._escalate_requested:
                break
            heard = await self._weigh_evidence()
        self._metrics.wait_ended(None if woke else self._deadline)
        self._last_wait_timed = None if self._escalate_requested else (self._reference_time, duration)
        self._last_wait_calendar = calendar
        self._escalate_requested = self._waiting = False
        self._last_wait = workflow.now() - started
        self._deadline = None
        if heard == Heard.MOVED:  # the new assignee has the whole wait
            self._remaining.insert(0, PendingStep(where=where, step=step))
        if heard == Heard.CLOSED and workflow.patched(A_CLOSE_ENDS_THE_ESCALATION):
            raise self._ended_after_steps(Outcome.CLOSED, "the conversation was closed")

    def _wait_ends(self, duration: timedelta, calendar: str | None) -> datetime:
        """When a wait from now ends: ``duration`` later, or once ``duration`` of the calendar's hours has passed."""
        if calendar is None:
            return workflow.now() + duration
        return self._business_time(calendar, lambda hours: hours.add(workflow.now(), duration))

    def _business_time_left(self, calendar: str) -> timedelta:
        assert self._deadline is not None
        return self._request.policy.calendars[calendar].business_time_between(workflow.now(), self._deadline)

    def _business_time(self, calendar: str, reckon: Callable[[Calendar], datetime]) -> datetime:
        """A time reckoned in one of the policy's calendars; a calendar that never opens ends the escalation."""
        try:
            return reckon(self._request.policy.calendars[calendar])
        except CalendarNeverOpens as error:
            raise Finished(Outcome.FAILED, f"calendar {calendar}: {error}") from error

    async def _branch(self, branch: Branch, where: str) -> None:
        """Decide on one read of the conversation; stop at the condition that settles the answer."""
        self._step = f"{where}: check conditions"
        self._tell(story.checking(branch))
        self._status = Status.CHECKING
        incoming = any(condition.needs_incoming for condition in branch.conditions)
        read = await self._read(story.decision_summary(self._assignee, self._reference_time), incoming=incoming)
        needed = branch.all is None  # all: stop at the first false condition; any: at the first true one
        passed = not needed
        for condition in branch.conditions:
            if await self._holds(condition, read) == needed:
                passed = needed
                break
        steps, label = (branch.then, "then") if passed else (branch.else_, "else")
        self._remaining[:0] = _pending(steps, f"{where}.branch.{label}")

    async def _holds(self, condition: Condition, read: ConversationRead) -> bool:
        """Whether the condition holds; a closed conversation or a reply found is also what the policy found."""
        online = await self._assignee_online() if condition.assignee_online is not None else None
        if condition.conversation_status is not None and read.conversation.status == "close":
            self._finding = Finding(outcome=Outcome.CLOSED, detail="the conversation was closed")
        if condition.no_reply_since_assignment is not None and read.reply is not None:
            who = self._assignee.name if self._assignee else "an agent"
            detail = f"{who} replied at {read.reply.sent_at:%Y-%m-%d %H:%M:%S} UTC"
            self._finding = Finding(outcome=Outcome.REPLIED, detail=detail)
        return holds(condition, Facts(read, workflow.now(), self._request.policy.calendars, online))

    async def _assignee_online(self) -> bool:
        if self._assignee is None:
            return False
        summary = story.presence_summary(self._assignee)
        online: bool = await self._api(ConversationActivities.agent_online, self._assignee.id, summary)
        return online

    async def _message(self, template: str, where: str) -> None:
        """Send the customer a message (e.g. a holding message) on the channel they last used."""
        self._step = f"{where}: message the customer"
        text = render_template(template, self._template_values(), limit=MESSAGE_MAX_CHARS)
        self._tell(story.messaging(text))
        # Not a local activity, as for a comment: the customer must not get the message twice.
        request = MessageRequest(contact_id=self._contact_id, text=text)
        await self._api(ConversationActivities.send_message, request, story.message_summary(text), local=False)
        self._log("Messaged the customer: %s", text)

    async def _close(self, close: Close, where: str) -> None:
        self._step = f"{where}: close the conversation"
        self._tell(story.as_sentence(story.close_summary(close)))
        request = CloseRequest(contact_id=self._contact_id, category=close.category, summary=close.summary)
        await self._api(ConversationActivities.close_conversation, request, story.close_summary(close))
        self._log("Closed the conversation")
        raise Finished(Outcome.CLOSED, f"the policy closed the conversation ({where})")

    async def _change_tags(self, step: Step, where: str) -> None:
        remove = step.remove_tag is not None
        tags = step.remove_tag or step.add_tag or []
        self._step = f"{where}: {'remove' if remove else 'add'} tags"
        summary = story.tags_summary(tags, remove)
        self._tell(story.as_sentence(summary))
        request = TagRequest(contact_id=self._contact_id, tags=tags, remove=remove)
        await self._api(ConversationActivities.change_tags, request, summary)
        self._log("Tags: %s", summary)

    def _repeat(self, repeat: Repeat, where: str) -> None:
        """Unroll the repeat in front of the steps left, each round with its own path (``…repeat.2.0``)."""
        rounds = [_pending(repeat.steps, f"{where}.repeat.{round_}") for round_ in range(repeat.times)]
        self._remaining[:0] = [pending for steps in rounds for pending in steps]
