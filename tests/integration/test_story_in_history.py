"""An escalation reads as its story in the Temporal UI, tried on a real dev server over real HTTP: a summary and
the policy at start, a summary on every activity and timer, and current details that follow each step."""

import asyncio
from collections import defaultdict
from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode

from starter.escalations import start_escalation
from tests.integration.wired import TIER_2, Wired, new_contact, wired
from tests.policies import quick_policy
from workflows.escalation import Escalation
from workflows.escalation_types import Outcome
from workflows.policy import Policy

pytestmark = pytest.mark.integration

POLICY = quick_policy("story-check", "2s")
NOBODY_ONLINE = Policy.model_validate(
    {
        "name": "story-waiting",
        "steps": [{"assign": {"team": "Tier 1", "only_online": True, "timeout": {"after": "1h"}}}],
    }
)
"""Tier 1 is offline in the roster (only Tier 2 is marked online), so the assign step waits for an agent."""


async def current_details(handle: WorkflowHandle) -> str:
    """What the UI shows as current details: the SDK's built-in metadata query."""
    metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    return metadata.current_details


async def details_once(handle: WorkflowHandle, start: str, deadline: float = 20) -> str:
    """Poll the current details until they start with ``start`` (the run may not have started yet)."""
    async with asyncio.timeout(deadline):
        while True:
            try:
                details = await current_details(handle)
            except RPCError as error:
                if error.status != RPCStatusCode.NOT_FOUND:
                    raise
                details = ""
            if details.startswith(start):
                return details
            await asyncio.sleep(0.05)


async def summaries(handle: WorkflowHandle) -> dict[int, list[str]]:
    """Every summary in the run's history, by event type, in order."""
    found: dict[int, list[str]] = defaultdict(list)
    async for event in handle.fetch_history_events():
        if event.user_metadata.HasField("summary"):
            text = pydantic_data_converter.payload_converter.from_payload(event.user_metadata.summary, str)
            found[event.event_type].append(text)
    return found


async def confirmations(handle: WorkflowHandle) -> dict[str, list[str]]:
    """What each activity that changes respond.io answered, in order, as the history reads it: a comment's text,
    a take's ``confirmed``."""
    kinds: dict[int, str] = {}
    found: dict[str, list[str]] = defaultdict(list)
    async for event in handle.fetch_history_events():
        if event.HasField("activity_task_scheduled_event_attributes"):
            kinds[event.event_id] = event.activity_task_scheduled_event_attributes.activity_type.name
        elif event.HasField("activity_task_completed_event_attributes"):
            completed = event.activity_task_completed_event_attributes
            answer = pydantic_data_converter.payload_converter.from_payload(completed.result.payloads[0])
            found[kinds[completed.scheduled_event_id]].append(
                answer if isinstance(answer, str) else answer["confirmed"]
            )
    return found


async def opened_by_customer(stack: Wired, contact_id: int) -> None:
    await stack.post(f"/sandbox/contacts/{contact_id}/customer-message", text="Hello?", firstName="Pat")


async def test_an_escalation_tells_its_story(dev_server, tmp_path):
    async with wired(dev_server, tmp_path, POLICY) as stack:
        contact_id = new_contact()
        await opened_by_customer(stack, contact_id)
        handle = stack.handle(contact_id)
        waiting = await details_once(handle, "Waiting for a reply from Alice Ng until ")
        result = await handle.result()
        finished = await current_details(handle)
        description = await handle.describe()
        told = await summaries(handle)
        confirmed = await confirmations(handle)
        world = await stack.world(contact_id)

    assert result.outcome == Outcome.ESCALATED, result.detail
    second = result.history[1].agent
    waited = world["comments"][0]["text"].removeprefix("No reply from Alice Ng in ").split(";")[0]
    assert second.id in TIER_2
    assert waiting.endswith("(2 s)\n\n**Assigned:** Alice Ng at " + f"{result.history[0].assigned_at:%H:%M:%S} UTC")
    assert finished.startswith(f"Finished, escalated: reassigned to {second.name}: ")
    assert finished.endswith(f"→ {second.name} at {result.history[1].assigned_at:%H:%M:%S} UTC")
    summary = await description.static_summary()
    assert summary == f"Contact {contact_id} · policy story-check · opened {result.opened_at:%Y-%m-%d %H:%M} UTC"
    assert told[EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED] == [summary]
    assert "- if the conversation is open and no reply since the assignment:" in (
        await description.static_details() or ""
    )
    assert told[EventType.EVENT_TYPE_TIMER_STARTED] == ["wait 2 s for a reply from Alice Ng"]
    assert confirmed == {
        "take_conversation": [
            f"respond.io assigned contact {contact_id} to Alice Ng (user 101)",
            f"respond.io assigned contact {contact_id} to {second.name} (user {second.id})",
        ],
        "post_comment": [f"respond.io added the comment to contact {contact_id}"],
    }
    since = f"{result.history[0].assigned_at:%H:%M:%S} UTC"
    assert told[EventType.EVENT_TYPE_MARKER_RECORDED] == [
        f"read the conversation: is it open, and has a person replied to Alice Ng's assignment since {since}?",
    ]
    assert told[EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED] == [
        "take the conversation: choose from user alice@example.com, then assign",
        "take the conversation: choose from team Tier 2 by round robin, only online, not the 1 already tried, then"
        " assign",
        f"comment: No reply from Alice Ng in {waited}; reassigned to {second.name}.",
    ]


async def test_waiting_for_an_agent_and_a_handed_over_run_say_so(dev_server, tmp_path):
    async with wired(dev_server, tmp_path, NOBODY_ONLINE) as stack:
        contact_id = new_contact()
        await opened_by_customer(stack, contact_id)
        handle = stack.handle(contact_id)
        waiting = await details_once(handle, "Queued for an eligible agent in team Tier 1: ")
        first = await handle.describe()
        async with asyncio.timeout(20):
            while not (told := await summaries(handle))[EventType.EVENT_TYPE_TIMER_STARTED]:
                await asyncio.sleep(0.05)
        reopened = await start_escalation(
            stack.client, first.task_queue, NOBODY_ONLINE, contact_id, "reopened", first.start_time + timedelta(hours=1)
        )
        assert reopened.handle is not None
        handed_over = await details_once(stack.handle(contact_id), f"Contact {contact_id} · policy story-waiting")
        await stack.handle(contact_id).execute_update(Escalation.cancel, "the test is over")
        result = await stack.handle(contact_id).result()
        finished = await current_details(stack.handle(contact_id))

    assert " gives up at " in waiting
    assert told[EventType.EVENT_TYPE_TIMER_STARTED] == ["wait 1 h for an eligible agent in team Tier 1"]
    assert told[EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED] == [
        "take the conversation: choose from team Tier 1 by round robin, only online, then assign"
    ]
    reopened_at = first.start_time + timedelta(hours=1)
    assert handed_over.splitlines()[0] == (
        f"Contact {contact_id} · policy story-waiting · opened {reopened_at:%Y-%m-%d %H:%M} UTC"
        " (handed over from the previous run)"
    )
    assert result.outcome == Outcome.CANCELLED
    assert finished.endswith("Finished, cancelled: cancelled by an operator: the test is over")
