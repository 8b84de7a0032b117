"""What an escalation does beyond its steps: check what webhooks and the roster say against respond.io, time every
assignment (``applies_to: every_assignment``), and move a conversation from an assignee who went offline without
replying (``requeue_when_offline``), watching the conversation after the steps when the policy asks.

A base of the ``Escalation`` workflow class (``workflows.escalation``), which sets every attribute declared here.
"""

from collections.abc import Awaitable
from datetime import datetime
from enum import StrEnum

from temporalio import workflow

from models.agents import Agent, AgentWentOffline, ChoiceRequest
from models.conversation import ConversationRead, Taken, TakeRequest
from workflows import story
from workflows.api_calls import Finished
from workflows.escalation_calls import EscalationCalls
from workflows.escalation_types import AssigneeChanged, Assignment, Outcome, PendingStep, Status
from workflows.policy import Policy


def _flow_for_a_new_assignee(policy: Policy) -> list[PendingStep]:
    """What ``applies_to: every_assignment`` runs again when someone else assigns the conversation."""
    start = policy.new_assignee_starts_at
    return [PendingStep(where=f"steps.{index}", step=policy.steps[index]) for index in range(start, len(policy.steps))]


A_CLOSE_ENDS_THE_ESCALATION = "a-close-respondio-shows-ends-the-escalation"
"""respond.io showing the conversation closed ends the escalation, in a wait too (the steps after it ran on a closed
conversation) and whatever the webhook that led to the read said."""
OFFLINE_AS_ASSIGNED = "offline-while-being-assigned"
"""The roster's notice that an agent went offline, heard while the conversation was being given to them, counts once
they have it (the roster tells each conversation once)."""


class Heard(StrEnum):
    """What respond.io confirmed of what the webhooks (or the roster) said."""

    NOTHING = "nothing"
    CLOSED = "closed"
    REPLIED = "replied"
    REASSIGNED = "reassigned"
    """A person or a rule gave the conversation to someone else (or to nobody)."""
    MOVED = "moved"
    """Handoff moved the conversation from an assignee who went offline without replying."""


class EscalationFollowing(EscalationCalls):
    """Evidence weighed against respond.io; new assignees followed; offline assignees' conversations moved."""

    def _heard_offline(self, event: AgentWentOffline) -> None:
        """If the agent has this conversation and the policy moves such conversations, it is evidence to check
        (is it still theirs, and unanswered?)."""
        requeue = self._request.policy.requeue_when_offline
        mine = self._assignee
        # The roster's record of the agent names their team (respond.io's assignee on a contact does not).
        if requeue is None or not requeue.covers(event.agent.team):
            return
        if mine is not None and event.agent.id == mine.id:
            self._went_offline = event
            self._evidence.add("offline")
        else:  # perhaps the agent a take in flight, or a person's assignment not yet read, gives it to
            self._offline_elsewhere[event.agent.id] = event

    def _went_offline_meanwhile(self, assignment: Assignment) -> None:
        """Once an assignment is recorded: if its agent went offline since it was made, that is evidence to check."""
        news, self._offline_elsewhere = self._offline_elsewhere.get(assignment.agent.id), {}
        if news is not None and news.at >= assignment.assigned_at and workflow.patched(OFFLINE_AS_ASSIGNED):
            self._went_offline = news
            self._evidence.add("offline")

    def _assigned(self, taken: Taken) -> None:
        """Record Handoff's assignment, and whether its agent went offline as it landed."""
        self._record(taken)
        self._went_offline_meanwhile(self._history[-1])

    def _is_news(self, event: AssigneeChanged) -> bool:
        """As for every version; with ``every_assignment``, any assignment while nobody has it is news too."""
        waiting_for_one = self._request.policy.every_assignment and (self._assignee is None or self._unassigned)
        news = super()._is_news(event) or (waiting_for_one and event.assignee_id is not None)
        if news and event.assignee_id is not None:
            self._heard_at[event.assignee_id] = max(
                event.changed_at, self._heard_at.get(event.assignee_id, event.changed_at)
            )
        return news

    def _someone_else(self, assignee: Agent | None) -> bool:
        """Whether respond.io's assignee means a person or a rule took the conversation from Handoff's assignee (or,
        with ``every_assignment``, gave it to someone while nobody had it)."""
        mine = self._assignee
        if self._request.policy.every_assignment and (mine is None or self._unassigned):
            return assignee is not None
        return mine is not None and (assignee is None or assignee.id != mine.id)

    async def _weigh_evidence(self) -> Heard:
        """Check what the webhooks (or the roster) said against the API, act on what it confirms, and forget the
        rest: a late, duplicated or wrong webhook never changes anything by itself."""
        kinds, self._evidence = self._evidence, set()
        heard_at, self._heard_at = self._heard_at, {}
        summary = story.evidence_check_summary(kinds) if kinds else story.ownership_check_summary(self._assignee)
        read = await self._read(summary)
        conversation = read.conversation
        if conversation.status == "close" and ("closed" in kinds or workflow.patched(A_CLOSE_ENDS_THE_ESCALATION)):
            return Heard.CLOSED
        if "reassigned" in kinds and self._someone_else(conversation.assignee):
            if self._request.policy.every_assignment:
                await self._follow(conversation.assignee, heard_at)
            return Heard.REASSIGNED
        if "reply" in kinds and read.reply is not None:
            return Heard.REPLIED
        if self._offered_a_move():
            if self._theirs_and_unanswered(read):
                await self._move_to_the_offer()
                return Heard.MOVED
            await self._drop_the_move()
        if "offline" in kinds and await self._moved_from_offline(read):
            return Heard.MOVED
        self._log("Webhook evidence %s not confirmed by the API; waiting on", sorted(kinds))
        return Heard.NOTHING

    async def _following_people(self, step: Awaitable[None]) -> None:
        """Run a step (or the watch); with ``every_assignment``, a person's reassignment it ran into restarts the
        flow for the new assignee rather than ending the escalation."""
        try:
            await step
        except Finished as finished:
            if not (self._request.policy.every_assignment and finished.outcome == Outcome.REASSIGNED_BY_HUMAN):
                raise
            read = await self._read(story.ownership_check_summary(self._assignee))
            if read.conversation.status == "close":
                raise Finished(Outcome.CLOSED, "the conversation was closed") from finished
            if self._someone_else(read.conversation.assignee):
                await self._follow(read.conversation.assignee, {})

    async def _follow(self, assignee: Agent | None, heard_at: dict[int, datetime]) -> None:
        """A person or a rule assigned the conversation: run the flow again for the new assignee (nobody: watch
        for the next one)."""
        self._remaining = []
        await self._drop_the_move()
        await self._leave_queue()
        self._unassigned = assignee is None
        if assignee is None:
            self._log("The conversation was unassigned in respond.io: watching for its next assignee")
            return
        # From when respond.io said so, but never before the assignment it replaces (a stale webhook's time).
        assigned_at = min(max(heard_at.get(assignee.id, workflow.now()), self._reference_time), workflow.now())
        reason = "assigned in respond.io by a person or a rule"
        self._history.append(
            Assignment(agent=assignee, assigned_at=assigned_at, level=self._level, reason=reason, by_person=True)
        )
        self._seen_assignee = assignee
        if self._finding is not None and self._finding.outcome == Outcome.REPLIED:
            self._finding = None  # that reply answered the assignee before; the new one's flow finds its own
        self._went_offline_meanwhile(self._history[-1])
        self._remaining = _flow_for_a_new_assignee(self._request.policy)
        self._status = Status.ASSIGNED
        self._log("%s was assigned in respond.io: the flow starts again for them", assignee.name)

    def _watches(self) -> bool:
        """After the steps: every_assignment watches until the conversation closes; requeue_when_offline watches
        an assignee of a team it covers who has not replied, so their going offline still moves it."""
        policy, mine = self._request.policy, self._assignee
        if self._closed:
            return False
        if policy.every_assignment:
            return True
        unanswered = self._reply is None and (self._finding is None or self._finding.outcome == Outcome.ESCALATED)
        requeue = policy.requeue_when_offline
        return requeue is not None and mine is not None and requeue.covers(mine.team) and unanswered

    async def _watch(self) -> None:
        """No steps left: wait, without a timer, for what the policy still cares about; return when a new assignee
        gives it steps to run."""
        every = self._request.policy.every_assignment
        watched = {"closed", "reassigned", "offline"} | (set() if every else {"reply"})
        while not self._remaining:
            self._step = "watching the conversation"
            self._tell(story.watching(self._request.policy, self._assignee))
            self._status = Status.WATCHING
            await self._continue_as_new_if_long()
            self._publish()
            await workflow.wait_condition(
                lambda: bool(self._evidence & watched) or self._offered_a_move() or self._interrupted()
            )
            self._stop_if_interrupted()
            self._evidence &= watched  # an agent's message is no news here
            try:
                heard = await self._weigh_evidence()
            except Finished as finished:  # a move that found the conversation closed
                if finished.outcome != Outcome.CLOSED:
                    raise
                raise self._ended_after_steps(Outcome.CLOSED, finished.detail) from finished
            if heard == Heard.CLOSED:
                raise self._ended_after_steps(Outcome.CLOSED, "the conversation was closed")
            if heard == Heard.REPLIED:
                raise self._ended_after_steps(
                    Outcome.REPLIED, f"{self._assignee.name if self._assignee else 'a person'} replied"
                )
            if heard == Heard.REASSIGNED and not every:
                raise Finished(Outcome.REASSIGNED_BY_HUMAN, "a person reassigned the conversation; left as it is")
            if heard == Heard.MOVED and every:  # Handoff's new assignee is timed like any other
                self._remaining = _flow_for_a_new_assignee(self._request.policy)

    def _ended_after_steps(self, outcome: Outcome, detail: str) -> Finished:
        """The ending once a wait or the watch ends: what the steps found (an escalation stays one), then what
        happened."""
        if self._finding is None:
            return Finished(outcome, detail)
        return Finished(self._finding.outcome, f"{self._finding.detail}; then {detail}")

    def _theirs_and_unanswered(self, read: ConversationRead) -> bool:
        """Whether the conversation is open, still with Handoff's assignee, and has no reply since the assignment."""
        mine, conversation = self._assignee, read.conversation
        theirs = mine is not None and conversation.assignee is not None and conversation.assignee.id == mine.id
        return conversation.status == "open" and theirs and read.reply is None

    async def _moved_from_offline(self, read: ConversationRead) -> bool:
        """The roster said the assignee went offline: if the conversation is still open, still theirs and has no
        reply since the assignment, move it to an online agent of their team (or the workspace)."""
        went, self._went_offline = self._went_offline, None
        requeue, mine = self._request.policy.requeue_when_offline, self._assignee
        if went is None or requeue is None or mine is None or went.agent.id != mine.id:
            return False
        if not self._theirs_and_unanswered(read):
            self._log("%s went offline; the conversation is answered, closed or not theirs: it stays", mine.name)
            return False
        request = TakeRequest(
            choice=ChoiceRequest(
                contact_id=self._contact_id,
                team=None if requeue.workspace else went.agent.team,
                strategy=requeue.logic,
                only_online=True,
                max_open=requeue.max_open,
                exclude=[mine.id],
                queue=True,
            ),
            request_id=f"{workflow.info().run_id}/offline/{len(self._history)}",
            previous_assignee_id=mine.id,
        )
        taken = await self._take(request, story.move_summary(mine, request.choice))
        if taken.choice.agent is None:
            self._queued, self._requeue = taken.choice.queued, request
            self._tell(story.move_queued(mine, taken.choice.reason))
            self._log("%s went offline; nobody can take the conversation now: %s", mine.name, taken.choice.reason)
            return False
        await self._moved(taken)
        return True

    def _offered_a_move(self) -> bool:
        return self._requeue is not None and self._offer is not None

    async def _move_to_the_offer(self) -> None:
        """Someone came online for a conversation queued when its assignee went offline: move it to them."""
        request, offer = self._requeue, self._offer
        assert request is not None and offer is not None and offer.agent is not None
        self._requeue = None
        summary = story.assign_summary(offer.agent, self._level + 1)
        taken = await self._take(request.model_copy(update={"offered": offer}), summary)
        await self._moved(taken)

    async def _drop_the_move(self) -> None:
        """Stop waiting to move the conversation: respond.io shows it answered, closed or given to someone."""
        if self._requeue is not None:
            self._requeue = self._offer = None
            await self._leave_queue()

    async def _moved(self, taken: Taken) -> None:
        requeue = self._request.policy.requeue_when_offline
        assert requeue is not None
        self._assigned(taken)
        await self._comment(requeue.comment, "requeue_when_offline.comment")
