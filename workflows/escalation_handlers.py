"""What every version of the escalation workflow shares: the operators' query and updates, the openings and the
webhook signals that read the same in each, and the small helpers they use.

Changing anything here changes every version's running workflows: patch it (``workflow.patched``) as in a
workflow class, and the replay tests of each version guard it.
"""

from datetime import datetime

from temporalio import workflow

from models.agents import Agent, AgentWentOffline
from workflows import search_attributes as sa
from workflows import story
from workflows.api_calls import Finished
from workflows.escalation_types import (
    AssigneeChanged,
    Assignment,
    ConversationClosed,
    EscalationRequest,
    EscalationState,
    Outcome,
    opening_memo,
)


class EscalationHandlers:
    """A base for the escalation workflow classes (the ``@workflow.defn`` subclasses set these attributes)."""

    _request: EscalationRequest
    _history: list[Assignment]
    _step: str
    _deadline: datetime | None
    _outcome: Outcome | None
    _detail: str | None
    _reopening: EscalationRequest | None
    _evidence: set[str]
    _escalate_requested: bool
    _ended_early: list[str]
    _cancel_reason: str | None
    _waiting: bool
    _contact_name: str

    @workflow.signal
    def conversation_closed(self, event: ConversationClosed) -> None:
        self._evidence.add("closed")

    @workflow.signal
    def assignee_changed(self, event: AssigneeChanged) -> None:
        if self._is_news(event):
            self._evidence.add("reassigned")

    @workflow.signal
    def assignee_offline(self, event: AgentWentOffline) -> None:
        """The roster tells every escalation of an agent who went offline; a version that moves such conversations
        says what it keeps of it (older versions: nothing, rather than an unhandled signal)."""
        self._heard_offline(event)

    def _heard_offline(self, event: AgentWentOffline) -> None:
        """Nothing, unless a version moves conversations from offline agents."""

    def _is_news(self, event: AssigneeChanged) -> bool:
        """Whether the event may mean someone else has the conversation now (respond.io is asked before anything
        happens)."""
        return self._assignee is not None and event.assignee_id != self._assignee.id

    # Openings: the starter signals every conversation.opened to the contact's workflow (with start).

    @workflow.signal
    def opened(self, request: EscalationRequest) -> None:
        """The conversation opened: this run's own opening again and older ones change nothing; a newer one ends
        this run without any action and hands over to a fresh run waiting from the new opening."""
        newest = self._reopening or self._request
        if request.opening in (self._request.opening, newest.opening) or request.opened_at <= newest.opened_at:
            self._log("Opening %s is this escalation's or older: nothing to do", request.opening)
            return
        self._log("Reopened at %s: this escalation hands over to a new one", request.opened_at)
        self._reopening = request

    async def _hand_over_to(self, request: EscalationRequest) -> None:
        """Continue as a fresh run for the newer opening: its own assignment, its own timer."""
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(
            request,
            memo=opening_memo(request),
            search_attributes=sa.initial(request.contact_id, request.policy.name),
        )

    # Operators.

    @workflow.query
    def state(self) -> EscalationState:
        return EscalationState(
            contact_id=self._request.contact_id,
            policy=self._request.policy.name,
            step=self._step,
            assignee=self._assignee,
            level=self._level,
            deadline=self._deadline,
            history=self._history,
            outcome=self._outcome,
            detail=self._detail,
            ended_early=self._ended_early,
        )

    @workflow.update
    def escalate_now(self, reason: str) -> str:
        self._escalate_requested = True
        self._ended_early.append(reason)
        self._log("An operator ends the wait now: %s", reason)
        return "the current wait ends now; the policy's conditions still decide"

    @escalate_now.validator
    def _validate_escalate_now(self, reason: str) -> None:
        self._ensure_running()
        if not self._waiting:
            raise ValueError(f"no wait is running now ({self._step}); escalate-now ends a running wait")

    @workflow.update
    def cancel(self, reason: str) -> str:
        self._cancel_reason = reason
        self._log("An operator cancels the escalation: %s", reason)
        return "cancelled: Handoff takes no further action on this conversation"

    @cancel.validator
    def _validate_cancel(self, reason: str) -> None:
        self._ensure_running()
        if not reason.strip():
            raise ValueError("say why the escalation is cancelled (reason must not be empty)")

    def _ensure_running(self) -> None:
        if self._outcome is not None or self._cancel_reason is not None:
            raise ValueError("this escalation has already finished")

    def _stop_if_interrupted(self) -> None:
        if self._cancel_reason is not None:
            raise Finished(Outcome.CANCELLED, f"cancelled by an operator: {self._cancel_reason}")
        if self._reopening is not None:
            raise Finished(Outcome.REOPENED, f"reopened at {self._reopening.opened_at:%Y-%m-%d %H:%M:%S} UTC")

    def _log(self, message: str, *args: object) -> None:
        """One line per event, with the contact and the step (the SDK adds the workflow and run ids)."""
        workflow.logger.info(message, *args, extra={"contact_id": self._contact_id, "step": self._step})

    def _tell(self, now: str) -> None:
        """The Temporal UI's current details: what the escalation does now, and who had it since when. Not a
        command (the UI asks the worker), so it never changes what a replay must match."""
        headline = None
        if workflow.info().continued_run_id is not None:  # continue-as-new cannot give the run a static summary
            request = self._request
            headline = story.escalation_summary(request.contact_id, request.policy.name, request.opened_at)
        workflow.set_current_details(story.current_details(now, self._history, headline))

    def _waited(self) -> str:
        """How long the assignee had, for ``{waited}``: each version says it its own way."""
        raise NotImplementedError

    def _template_values(self) -> dict[str, object]:
        """What a comment or message template may say (``workflows.policy_templates.TEMPLATE_VARIABLES``)."""
        previous = self._history[-2].agent if len(self._history) > 1 else None
        current = self._assignee
        return {
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

    @property
    def _contact_id(self) -> int:
        return self._request.contact_id

    @property
    def _assignee(self) -> Agent | None:
        return self._history[-1].agent if self._history else None

    @property
    def _handoff_assignments(self) -> int:
        """How many times Handoff assigned the conversation (a person's assignments do not count)."""
        return sum(not assignment.by_person for assignment in self._history)

    @property
    def _level(self) -> int:
        """How many times Handoff reassigned the conversation."""
        return max(self._handoff_assignments - 1, 0)

    @property
    def _reference_time(self) -> datetime:
        """Replies count only after the assignment being checked (or the opening, before any)."""
        if self._history:
            return self._history[-1].assigned_at
        return self._request.opened_at
