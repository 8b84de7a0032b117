"""The baseline: the least a Temporal flow with the same effects can do. One activity, a timer, three activities.

Assign to a Tier 1 agent, wait, read the conversation, and if it is still open reassign to a Tier 2
agent and comment. Agents are picked from the contact id: no roster, no search attributes, no signals.
"""

from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from bench.bare_activities import Assignment, BareActivities, Comment
    from workflows.api_calls import API_CALL  # the timeouts and retries Handoff gives every API call

TIER_1 = (101, 102)
TIER_2 = (201, 202, 203)
"""The sandbox's seeded agents (dev/sandbox/fixtures/agents.yaml)."""


@dataclass(frozen=True)
class BareRequest:
    contact_id: int
    wait_seconds: float


@dataclass(frozen=True)
class BareResult:
    """Epoch seconds in workflow time, taken where Handoff takes its ``assigned_at``: before each assignment."""

    started_at: float
    reassigned_at: float | None
    """None when the conversation was no longer open after the wait."""


@workflow.defn
class BareEscalation:
    @workflow.run
    async def run(self, request: BareRequest) -> BareResult:
        contact_id = request.contact_id
        started = workflow.now()
        first = Assignment(contact_id, TIER_1[contact_id % len(TIER_1)])
        await workflow.execute_activity_method(BareActivities.assign, first, **API_CALL)
        await workflow.sleep(timedelta(seconds=request.wait_seconds))
        status = await workflow.execute_activity_method(BareActivities.status, contact_id, **API_CALL)
        if status != "open":
            return BareResult(started.timestamp(), None)
        reassigned = workflow.now()
        second = Assignment(contact_id, TIER_2[contact_id % len(TIER_2)])
        await workflow.execute_activity_method(BareActivities.assign, second, **API_CALL)
        text = f"No reply from {{{{@user.{first.agent_id}}}}}; reassigned to {{{{@user.{second.agent_id}}}}}."
        await workflow.execute_activity_method(BareActivities.comment, Comment(contact_id, text), **API_CALL)
        return BareResult(started.timestamp(), reassigned.timestamp())
