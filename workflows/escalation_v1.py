"""ConversationEscalation: the escalation as it ran before the roster owned the waiting (``workflows.escalation``).

Kept unchanged for the runs started before; remove it once none of type ``ConversationEscalation`` runs.
One durable run per opened conversation, interpreting its policy.

Signals from webhooks only wake a wait early; before a wait ends early the workflow checks
the evidence against the respond.io API, the source of truth, so a late, duplicated or
wrong webhook can never cut a wait short and cause a premature reassignment.
"""

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import count
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception

from models.agents import Agent, Choice, ChoiceRequest
from models.conversation import AssignRequest, CommentRequest, Conversation, Reply, ReplyQuery
from models.durations import format_duration, spoken_duration
from models.replies import counts_after
from models.timestamps import EpochTime
from workflows import search_attributes as sa
from workflows import story
from workflows.api_calls import (
    API_CALL,
    LOST,
    SURFACING_A_REFUSED_TOKEN,
    WHILE_BLOCKED,
    Finished,
    ending_for,
    refused_token,
)
from workflows.escalation_handlers import EscalationHandlers
from workflows.escalation_types import (
    TIMED_STATUSES,
    Assignment,
    EscalationRequest,
    EscalationResult,
    MessageSent,
    Outcome,
    Status,
)
from workflows.metrics import EscalationMetrics
from workflows.policy import Assign, Branch, Step
from workflows.policy_conditions import Condition
from workflows.policy_templates import render_template

with workflow.unsafe.imports_passed_through():
    from activities.conversation import ConversationActivities
    from roster.activities import RoutingActivities


# Patches: runs started before a change keep the old behaviour (tests/test_replay.py guards this).
RECHECK_AFTER_WAITING_FOR_AGENT = "recheck-after-waiting-for-agent"
"""After waiting for an eligible agent, check again that the conversation is open and still ours."""
REPLY_NOT_PROVABLY_BEFORE = "reply-not-provably-before"
"""A webhook's reply wakes the wait unless it is provably before the assignment (``models.replies``), at the
precision its time has; before, a whole-second time in the assignment's second read as before it."""
SPOKEN_WAITED = "spoken-waited"
"""``{waited}`` is the time since the assignment, as a person reads it and never less than the policy's wait."""
API_ERRORS_HAVE_OUTCOMES = "api-errors-have-outcomes"
"""respond.io failures never fail the run: a refused token pauses it as blocked until it works again, a
permanent refusal ends it with outcome failed, and a retried assignment that finds the conversation closed
or taken by a person ends it as closed or reassigned_by_human."""
CANCEL_IN_TEMPORAL_IS_AN_OUTCOME = "cancel-in-temporal-is-an-outcome"
"""A cancel from the Temporal UI or CLI ends the run with outcome cancelled, like Handoff's own cancel."""
SHORT_CIRCUIT_CONDITIONS = "short-circuit-conditions"
"""Stop checking a branch's conditions once the answer is known: fewer API calls, and the outcome
names the condition that decided (a closed conversation is "closed", not "replied")."""

NOBODY_ELIGIBLE_RETRY = [timedelta(seconds=s) for s in (15, 30, 60, 120, 300)]
"""How long an assign step waits before asking routing again while nobody is eligible."""


@workflow.defn
class ConversationEscalation(EscalationHandlers):
    @workflow.init
    def __init__(self, request: EscalationRequest) -> None:
        self._request = request
        self._step = "starting"
        self._history: list[Assignment] = []
        self._deadline: datetime | None = None
        self._outcome: Outcome | None = None
        self._detail: str | None = None
        self._contact_name = ""
        self._last_wait = timedelta(0)
        self._last_wait_timed: tuple[datetime, timedelta] | None = None
        """Of the last wait that ran out: the assignment time it timed, and the policy's wait."""
        self._reopening: EscalationRequest | None = None
        self._reply: Reply | None = None
        self._finding: tuple[Outcome, str] | None = None
        self._evidence: set[str] = set()
        self._escalate_requested = False
        self._ended_early: list[str] = []
        """The reasons operators gave to end a wait now (escalate-now), in order."""
        self._cancel_reason: str | None = None
        self._roster_changed = False
        self._waiting = False
        self._status: str = Status.STARTING
        self._taken_by: Agent | None = None
        """Whom a person gave the conversation to, when that ended the escalation (for ``HandoffAssignee``)."""
        self._metrics = EscalationMetrics(request.policy.name)

    @workflow.run
    async def run(self, request: EscalationRequest) -> EscalationResult:
        self._metrics.started()
        try:
            await self._run_steps(request.policy.steps, "steps")
            outcome, detail = self._finding or (Outcome.COMPLETED, "the policy ran to its end")
        except Finished as finished:
            outcome, detail = finished.outcome, finished.detail
        except (asyncio.CancelledError, ActivityError) as error:
            if not is_cancelled_exception(error) or not workflow.patched(CANCEL_IN_TEMPORAL_IS_AN_OUTCOME):
                raise
            outcome, detail = Outcome.CANCELLED, "cancelled in Temporal (its UI's or CLI's cancel)"
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
        taken = [sa.ASSIGNEE.value_set(self._taken_by.email) if self._taken_by else sa.ASSIGNEE.value_unset()]
        self._set_status(outcome.value, also=taken if outcome == Outcome.REASSIGNED_BY_HUMAN else [])
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

    # Signals: webhooks tell the workflow something may have changed.

    @workflow.signal
    def message_sent(self, event: MessageSent) -> None:
        if event.sender_source != "user":
            return
        if workflow.patched(REPLY_NOT_PROVABLY_BEFORE):
            after = counts_after(EpochTime(at=event.sent_at, precision=event.sent_precision), self._reference_time)
        else:
            after = event.sent_at > self._reference_time
        if after:
            self._evidence.add("reply")

    @workflow.signal
    def roster_changed(self) -> None:
        """The roster saw an agent come online or free up: an assign step waiting for one asks again now."""
        self._roster_changed = True

    # The step interpreter.

    async def _run_steps(self, steps: list[Step], path: str) -> None:
        for index, step in enumerate(steps):
            self._stop_if_interrupted()
            where = f"{path}.{index}"
            if step.assign is not None:
                await self._assign(step.assign, where)
            elif step.wait is not None:
                await self._wait(step.wait_for, where)
            elif step.branch is not None:
                await self._branch(step.branch, where)
            elif step.comment is not None:
                await self._comment(step.comment, where)

    async def _assign(self, assign: Assign, where: str) -> None:
        self._step = f"{where}: assign to {assign.describe()}"
        self._tell(story.assigning(assign))
        self._set_status(Status.ASSIGNING)
        await self._ensure_still_ours()
        giving_up_at = workflow.now() + assign.timeout.after
        for attempt in count():
            self._roster_changed = False  # before asking, so a change seen during the ask still wakes the sleep
            choice = await self._choose(assign)
            self._stop_if_interrupted()
            if choice.agent is not None:
                return await self._hand_to(choice)
            remaining = giving_up_at - workflow.now()
            if remaining <= timedelta(0):
                break
            retry_in = min(NOBODY_ELIGIBLE_RETRY[min(attempt, len(NOBODY_ELIGIBLE_RETRY) - 1)], remaining)
            self._deadline = workflow.now() + retry_in
            self._step = f"{where}: nobody eligible ({choice.reason}); asking again at {self._deadline:%H:%M:%S}"
            self._tell(story.waiting_for_agent(assign, choice.reason, self._deadline, giving_up_at))
            self._set_status(Status.WAITING_FOR_AGENT)
            self._log("Nobody eligible: %s", choice.reason)
            recheck = workflow.patched(RECHECK_AFTER_WAITING_FOR_AGENT)
            summary = story.agent_timer_summary(assign, retry_in)
            await self._sleep(retry_in, summary, also_wake=self._ends_wait_for_agent(recheck))
            self._stop_if_interrupted()
            if recheck:
                self._evidence -= LOST  # the check below is what confirms or refutes it
                await self._ensure_still_ours()  # time has passed: it may have been closed or taken by a person
        self._deadline = None
        if not assign.timeout.steps:
            raise Finished(
                Outcome.NO_ELIGIBLE_AGENT,
                f"nobody in {assign.describe()} was eligible within {format_duration(assign.timeout.after)}",
            )
        await self._run_steps(assign.timeout.steps, f"{where}.assign.timeout.steps")

    def _ends_wait_for_agent(self, recheck: bool) -> Callable[[], bool]:
        """Wakes a wait for an eligible agent: the roster changed or, with ``recheck``, the conversation may be lost."""
        return lambda: self._roster_changed or (recheck and bool(self._evidence & LOST))

    async def _choose(self, assign: Assign) -> Choice:
        request = ChoiceRequest(
            contact_id=self._contact_id,
            user=assign.user,
            team=assign.team,
            strategy=assign.strategy,
            only_online=assign.only_online,
            max_open=assign.max_open,
            exclude=[record.agent.id for record in self._history],
        )
        summary = story.choose_summary(assign, len(request.exclude))
        return await workflow.execute_activity_method(
            RoutingActivities.choose_assignee, request, summary=summary, **API_CALL
        )

    async def _hand_to(self, choice: Choice) -> None:
        assert choice.agent is not None
        level = len(self._history)
        assigned_at = workflow.now()  # before the call: a reply racing the assignment still counts
        self._evidence.clear()  # before the call too: what arrives during it is about the new assignment
        previous = self._assignee.id if self._assignee else None
        await self._api(
            ConversationActivities.assign_conversation,
            AssignRequest(contact_id=self._contact_id, agent=choice.agent, previous_assignee_id=previous),
            story.assign_summary(choice.agent, level),
        )
        self._history.append(
            Assignment(
                agent=choice.agent,
                assigned_at=assigned_at,
                level=level,
                reason=choice.reason,
                candidates=choice.candidates,
            )
        )
        self._metrics.assigned(level, workflow.now())
        if level > 0:
            self._finding = (Outcome.ESCALATED, f"reassigned to {choice.agent.name}: {choice.reason}")
        workflow.upsert_search_attributes([sa.ASSIGNEE.value_set(choice.agent.email), sa.LEVEL.value_set(level)])
        self._set_status(Status.ESCALATED if level else Status.ASSIGNED)
        verb = "Reassigned" if level else "Assigned"
        self._log("%s to %s (level %s): %s", verb, choice.agent.name, level, choice.reason)

    async def _ensure_still_ours(self) -> None:
        """Never act on a closed conversation, nor overwrite an assignment a person made."""
        conversation = await self._conversation(story.ownership_check_summary(self._assignee))
        if conversation.status == "close":
            raise Finished(Outcome.CLOSED, "the conversation was closed")
        mine = self._assignee
        if mine is not None and (conversation.assignee is None or conversation.assignee.id != mine.id):
            self._taken_by = conversation.assignee
            someone = conversation.assignee.name if conversation.assignee else "nobody"
            raise Finished(
                Outcome.REASSIGNED_BY_HUMAN, f"a person reassigned the conversation to {someone}; left as it is"
            )

    async def _wait(self, duration: timedelta, where: str) -> None:
        started = workflow.now()
        self._deadline = started + duration
        self._step = f"{where}: wait {format_duration(duration)}"
        self._tell(story.waiting_for_reply(self._assignee, self._deadline, duration))
        self._set_status(Status.WAITING)
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
        try:
            await workflow.wait_condition(woken, timeout=duration, timeout_summary=summary)
            return True
        except TimeoutError:
            return False

    async def _evidence_confirmed(self) -> bool:
        """Check what the webhooks said against the API; forget it if the API disagrees."""
        kinds, self._evidence = self._evidence, set()
        conversation = await self._conversation(story.evidence_check_summary(kinds))
        if "closed" in kinds and conversation.status == "close":
            return True
        if (
            "reassigned" in kinds
            and self._assignee
            and (conversation.assignee is None or conversation.assignee.id != self._assignee.id)
        ):
            return True
        if "reply" in kinds and await self._human_reply() is not None:
            return True
        self._log("Webhook evidence %s not confirmed by the API; waiting on", sorted(kinds))
        return False

    async def _branch(self, branch: Branch, where: str) -> None:
        self._step = f"{where}: check conditions"
        self._tell(story.checking(branch))
        self._set_status(Status.CHECKING)
        if workflow.patched(SHORT_CIRCUIT_CONDITIONS):
            needed = branch.all is None  # all: stop at the first false condition; any: at the first true one
            passed = not needed
            for condition in branch.conditions:
                if await self._holds(condition) == needed:
                    passed = needed
                    break
        else:
            results = [await self._holds(condition) for condition in branch.conditions]
            passed = all(results) if branch.all is not None else any(results)
        steps, label = (branch.then, "then") if passed else (branch.else_, "else")
        await self._run_steps(steps, f"{where}.branch.{label}")

    async def _holds(self, condition: Condition) -> bool:
        if condition.conversation_status is not None:
            conversation = await self._conversation(story.STATUS_CHECK_SUMMARY)
            status = "closed" if conversation.status == "close" else "open"
            if status == "closed":
                self._finding = (Outcome.CLOSED, "the conversation was closed")
            return status == condition.conversation_status
        reply = await self._human_reply()
        if reply is not None:
            who = self._assignee.name if self._assignee else "an agent"
            self._finding = (Outcome.REPLIED, f"{who} replied at {reply.sent_at:%Y-%m-%d %H:%M:%S} UTC")
        return (reply is None) == condition.no_reply_since_assignment

    async def _comment(self, template: str, where: str) -> None:
        self._step = f"{where}: comment"
        text = render_template(template, self._template_values())
        self._tell(story.commenting(text))
        await self._api(
            ConversationActivities.post_comment,
            CommentRequest(contact_id=self._contact_id, text=text),
            story.comment_summary(text),
        )
        self._log("Commented: %s", text)

    # Reading the world through activities.

    async def _conversation(self, summary: str) -> Conversation:
        """Read the conversation; ``summary`` says in the history why."""
        conversation: Conversation = await self._api(ConversationActivities.get_conversation, self._contact_id, summary)
        self._contact_name = conversation.contact_name
        return conversation

    async def _human_reply(self) -> Reply | None:
        query = ReplyQuery(contact_id=self._contact_id, since=self._reference_time)
        summary = story.reply_check_summary(self._assignee, query.since)
        reply: Reply | None = await self._api(ConversationActivities.find_human_reply, query, summary)
        self._reply = self._reply or reply
        if reply is not None and self._history:
            self._metrics.replied(self._history[-1], reply)
        return reply

    async def _api(self, call: Callable[..., Any], arg: object, summary: str) -> Any:
        """One respond.io call. A refused token pauses the escalation as blocked until the token works again; any
        other failure that retrying cannot mend ends it with an outcome that says why (``API_ERRORS_HAVE_OUTCOMES``)."""
        if not workflow.patched(API_ERRORS_HAVE_OUTCOMES):
            return await workflow.execute_activity_method(call, arg, summary=summary, **API_CALL)
        try:
            return await workflow.execute_activity_method(call, arg, summary=summary, **SURFACING_A_REFUSED_TOKEN)
        except ActivityError as error:
            if is_cancelled_exception(error):
                raise
            if not refused_token(error):
                raise ending_for(error) from error
            return await self._while_blocked(call, arg, summary, error)

    async def _while_blocked(self, call: Callable[..., Any], arg: object, summary: str, refusal: ActivityError) -> Any:
        """Say loudly that the escalation is blocked, retry the call until the token works, then carry on."""
        status, step = self._status, self._step
        reason = refusal.cause.message if isinstance(refusal.cause, ApplicationError) else str(refusal)
        self._step = f"blocked: {reason} Retrying at least every minute until it works."
        self._set_status(Status.BLOCKED)
        self._tell(self._step)
        workflow.logger.error("Blocked: %s", reason, extra={"contact_id": self._contact_id, "step": step})
        try:
            result = await workflow.execute_activity_method(call, arg, summary=f"{summary} (blocked)", **WHILE_BLOCKED)
        except ActivityError as error:
            if is_cancelled_exception(error):
                raise
            raise ending_for(error) from error
        self._log("Unblocked: respond.io accepts the token again")
        self._step = step
        self._set_status(status)
        return result

    # Small helpers.

    def _waited(self) -> str:
        """How long the assignee had, for ``{waited}``: since the assignment the last wait timed."""
        if not workflow.patched(SPOKEN_WAITED):
            return format_duration(self._last_wait)
        if self._last_wait_timed is None:  # cut short by an operator: the time the wait lasted, and why
            lasted = spoken_duration(self._last_wait)
            return f"{lasted} (cut short by an operator: {self._ended_early[-1]})" if self._ended_early else lasted
        assigned_at, policy_wait = self._last_wait_timed
        return spoken_duration(workflow.now() - assigned_at, at_least=policy_wait)

    def _set_status(self, status: str, also: list[SearchAttributeUpdate[Any]] | None = None) -> None:
        """``HandoffStatus``; a timed status carries its deadline (``HandoffDeadline``) in the same upsert, and
        ``also`` rides along (the assignee a person chose)."""
        self._status = status
        updates: list[SearchAttributeUpdate[Any]] = [sa.STATUS.value_set(status), *(also or [])]
        if status in TIMED_STATUSES and self._deadline is not None:
            updates.append(sa.DEADLINE.value_set(self._deadline))
        workflow.upsert_search_attributes(updates)
