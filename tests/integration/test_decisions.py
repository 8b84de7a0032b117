"""The decision is never wrong, tried through real HTTP on a real dev server: a reply a moment after the
assignment counts, a conversation closed and reopened gets its own escalation, and the comment tells the
wait honestly. respond.io's time fields may be whole seconds or milliseconds: the sandbox sends either."""

import asyncio
from datetime import timedelta

import pytest

from tests.integration.wired import EVENTS, TIER_2, Wired, new_contact, wired
from tests.policies import quick_policy
from workflows.escalation_types import EscalationResult, Outcome

pytestmark = pytest.mark.integration

WAIT = timedelta(seconds=3)
ALICE = 101
POLICY = quick_policy("quick-decisions", "3s")
REPLY_DELAYS = [0, 0.010, 0.100, 0.500, 0.999]
"""Seconds between respond.io recording the assignment and the agent's reply."""


async def opened_by_customer(stack: Wired, contact_id: int) -> None:
    await stack.post(f"/sandbox/contacts/{contact_id}/customer-message", text="Hi, anyone there?", firstName="Quinn")


async def result_for_opening(stack: Wired, contact_id: int, opened_time: int, deadline: float = 30) -> EscalationResult:
    """The result of the run escalating the opening at ``opened_time``, once that run exists and ends."""
    async with asyncio.timeout(deadline):
        while (await (await stack.handle(contact_id).describe()).memo()).get("opening") != str(opened_time):
            await asyncio.sleep(0.05)
        return await stack.handle(contact_id).result()


@pytest.mark.parametrize(
    ("webhook_times", "api_times", "events"),
    [
        ("s", "s", EVENTS),
        ("ms", "ms", EVENTS),
        ("s", "s", [e for e in EVENTS if e != "message.sent"]),  # the reply webhook is lost: the API alone decides
    ],
    ids=["whole-seconds", "milliseconds", "whole-seconds-api-only"],
)
async def test_a_reply_just_after_the_assignment_counts(
    dev_server, tmp_path, webhook_times, api_times, events, record_history
):
    async with wired(
        dev_server, tmp_path, POLICY, events, webhook_message_times=webhook_times, api_message_times=api_times
    ) as stack:
        contacts = [new_contact() for _ in REPLY_DELAYS]

        async def reply_after(contact_id: int, delay: float) -> None:
            await opened_by_customer(stack, contact_id)
            agent = await stack.assigned(contact_id)
            await asyncio.sleep(delay)
            await stack.post(f"/sandbox/contacts/{contact_id}/agent-reply", userId=agent, text="Hello, I'm here!")

        await asyncio.gather(*(reply_after(c, d) for c, d in zip(contacts, REPLY_DELAYS, strict=True)))
        results = {c: await stack.handle(c).result() for c in contacts}
        await record_history(stack.handle(contacts[0]))
        worlds = {c: await stack.world(c) for c in contacts}

    for contact_id, delay in zip(contacts, REPLY_DELAYS, strict=True):
        result, world = results[contact_id], worlds[contact_id]
        assert result.outcome == Outcome.REPLIED, f"a reply {delay * 1000:.0f} ms after: {result.detail}"
        assert (world["assigneeId"], world["comments"]) == (ALICE, []), f"a reply {delay * 1000:.0f} ms after"
        if "message.sent" in events:  # the webhook woke the wait: it did not read the reply as earlier
            assert result.finished_at < result.history[0].assigned_at + WAIT, f"{delay * 1000:.0f} ms: not woken"


@pytest.mark.parametrize("gap", [0, 0.050, 0.500])
async def test_closed_then_reopened_gets_its_own_assignment_and_timer(dev_server, tmp_path, gap, record_history):
    async with wired(dev_server, tmp_path, POLICY) as stack:
        contact_id = new_contact()
        await opened_by_customer(stack, contact_id)
        await stack.assigned(contact_id)
        await stack.post(f"/sandbox/contacts/{contact_id}/close")
        await asyncio.sleep(gap)
        await opened_by_customer(stack, contact_id)
        conversations = (await stack.world(contact_id))["conversations"]
        result = await result_for_opening(stack, contact_id, conversations[-1]["openedTime"])
        world = await stack.world(contact_id)
        runs = [w async for w in stack.client.list_workflows(f"WorkflowId = '{stack.handle(contact_id).id}'")]
        for number, run in enumerate(sorted(runs, key=lambda r: r.start_time)):
            await record_history(stack.client.get_workflow_handle(run.id, run_id=run.run_id), f"-run{number}")

    assert len(conversations) == 2
    assert result.outcome == Outcome.ESCALATED, result.detail
    first, second = result.history
    assert first.agent.id == ALICE and second.agent.id in TIER_2
    assert second.assigned_at - first.assigned_at >= WAIT, "reassigned before the reopened conversation's wait"
    assert [c["text"] for c in world["comments"]] == [
        f"No reply from Alice Ng in 3 s; reassigned to {second.agent.name}."
    ]
