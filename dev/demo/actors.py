"""The story's scripted people: each customer writes, then the agents, the supervisor or the customer act out that
customer's behaviour; the sandbox inbox passes every message, assignment and presence on as respond.io would."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx

from demo.scenario import ABSENT_AGENT_ID, HAND_PICKED_ID, SUPERVISOR_ID, Behaviour, Customer
from demo.seen import InboxAgent, Story, WentOffline

WRITES_EVERY_SECONDS = 0.3
"""The customers write one after another, so round robin hands them out in the scenario's order."""
ACT_AFTER_SECONDS = 3.0
"""How long after an assignment the scripted people act (the wait is 10 s)."""
OFFLINE_AFTER_SECONDS = 5.0
"""How long after the assignment the agent of a GOES_OFFLINE conversation goes offline: seconds after their
scripted replies to earlier conversations, seconds before the waits of their unanswered ones run out."""
T = TypeVar("T")


async def set_presence(inbox: httpx.AsyncClient) -> None:
    """Everyone starts online but Erin; the sandbox passes presence on to Handoff's routing."""
    for agent in (await inbox.get("/sandbox/state")).json()["agents"]:
        await _post(inbox, f"/sandbox/agents/{agent['id']}/presence", online=agent["id"] != ABSENT_AGENT_ID)


async def act(customer: Customer, place: int, story: Story, inbox: httpx.AsyncClient) -> None:
    """One customer writes; once Handoff has assigned someone, the scripted people do their part."""
    row = story.rows[customer.contact_id]
    await asyncio.sleep(place * WRITES_EVERY_SECONDS)
    path = f"/sandbox/contacts/{customer.contact_id}"
    text = "Hi, I need help with my order."
    await _post(
        inbox, f"{path}/customer-message", text=text, firstName=customer.first_name, lastName=customer.last_name
    )
    assignee = await _seen(lambda: row.assignee)
    match customer.behaviour:
        case Behaviour.GOES_OFFLINE:
            await asyncio.sleep(OFFLINE_AFTER_SECONDS)
            await _go_offline(assignee, story, inbox)
        case Behaviour.REPLIES:
            await asyncio.sleep(ACT_AFTER_SECONDS)
            await _post(inbox, f"{path}/agent-reply", userId=assignee.id, text="Hello! Looking into it now.")
        case Behaviour.CUSTOMER_CLOSES:
            await asyncio.sleep(ACT_AFTER_SECONDS)
            await _post(inbox, f"{path}/close")
        case Behaviour.BOT_ONLY:
            await asyncio.sleep(ACT_AFTER_SECONDS)
            await _post(inbox, f"{path}/automated-message", source="workflow", text="We got your message.")
        case Behaviour.HUMAN_REASSIGNS:
            await asyncio.sleep(ACT_AFTER_SECONDS)
            await _post(inbox, f"{path}/assign", userId=HAND_PICKED_ID, byUserId=SUPERVISOR_ID)


async def _go_offline(agent: InboxAgent, story: Story, inbox: httpx.AsyncClient) -> None:
    went = WentOffline(agent=agent, at=datetime.now(UTC), into_story=story.elapsed)
    await _post(inbox, f"/sandbox/agents/{agent.id}/presence", online=False)
    story.went_offline.append(went)


async def _seen(what: Callable[[], T | None]) -> T:
    """Wait until the demo's watch over the inbox has seen something (the demo's deadline ends the wait)."""
    while (seen := what()) is None:
        await asyncio.sleep(0.1)
    return seen


async def _post(inbox: httpx.AsyncClient, path: str, **body: Any) -> None:
    (await inbox.post(path, json=body)).raise_for_status()
