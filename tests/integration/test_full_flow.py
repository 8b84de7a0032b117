"""The whole flow on real processes: dev server, real worker and activities, the sandbox over HTTP."""

import asyncio
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from activities.respondio import RespondIOClient
from activities.respondio_config import RespondIOConfig
from models.ids import roster_workflow_id
from roster.client import RosterClient, RosterNews
from roster.state import RosterConfig
from sandbox.server import running_sandbox
from sandbox.settings import SandboxSettings
from starter.escalations import start_escalation
from tests.policies import quick_policy
from worker.activities import handoff_activities
from worker.build import build_worker
from worker.settings import Settings
from workflows import search_attributes as sa
from workflows.escalation_types import Outcome

pytestmark = pytest.mark.integration

QUICK_POLICY = quick_policy(
    "promptly-transfer-quick", "2s", "No reply from {previous_assignee} in {waited}; reassigned to {assignee_mention}."
)


@pytest.fixture
async def stack(dev_server, tmp_path):
    """Sandbox inbox + a real worker on a fresh task queue; yields (sandbox http client, start)."""
    queue = f"it-{uuid.uuid4()}"
    async with running_sandbox(SandboxSettings(db=str(tmp_path / "inbox.db"), port=0)) as url:
        config = RespondIOConfig(token="sandbox-token", base_url=f"{url}/v2")
        roster = RosterClient(dev_server.client, queue, RosterConfig())
        async with (
            RespondIOClient(config) as api,
            httpx.AsyncClient(base_url=url) as inbox,
            build_worker(dev_server.client, Settings(task_queue=queue), handoff_activities(api, roster)),
        ):
            for tier_2 in (201, 202, 203):  # online in the sandbox; the roster hears it from the starter or CLI
                await roster.tell(RosterNews.presence(tier_2, True))

            async def start(contact_id: int):
                await inbox.post(
                    f"/sandbox/contacts/{contact_id}/customer-message", json={"text": "Hello?", "firstName": "Pat"}
                )
                result = await start_escalation(
                    dev_server.client, queue, QUICK_POLICY, contact_id, "opening", datetime.now(UTC)
                )
                assert result.started and result.handle
                return result.handle

            yield inbox, start


async def contact(inbox: httpx.AsyncClient, contact_id: int) -> dict:
    state = (await inbox.get("/sandbox/state")).json()
    return next(c for c in state["contacts"] if c["id"] == contact_id)


async def test_unanswered_conversation_is_reassigned_with_a_comment(stack, dev_server, record_history):
    inbox, start = stack
    contact_id = 5000 + uuid.uuid4().int % 10**6
    handle = await start(contact_id)
    result = await handle.result()
    await record_history(handle)
    roster = dev_server.client.get_workflow_handle(roster_workflow_id((await handle.describe()).task_queue))
    await record_history(roster, "-roster")

    assert result.outcome == Outcome.ESCALATED
    final = await contact(inbox, contact_id)
    assert final["assigneeId"] == 201  # Carol: first in turn in Tier 2, and not Alice
    assert [c["text"] for c in final["comments"]] == ["No reply from Alice Ng in 2 s; reassigned to {{@user.201}}."]

    query = f"{sa.CONTACT_ID.name} = {contact_id} AND {sa.STATUS.name} = 'escalated' AND {sa.LEVEL.name} = 1"
    for _ in range(100):  # visibility is eventually consistent
        found = [w.id async for w in dev_server.client.list_workflows(query)]
        if found:
            break
        await asyncio.sleep(0.1)
    assert found == [handle.id]


async def test_reply_in_time_keeps_the_assignee(stack):
    inbox, start = stack
    contact_id = 5000 + uuid.uuid4().int % 10**6
    handle = await start(contact_id)
    for _ in range(100):
        if (await contact(inbox, contact_id))["assigneeId"] == 101:
            break
        await asyncio.sleep(0.05)
    reply = await inbox.post(f"/sandbox/contacts/{contact_id}/agent-reply", json={"userId": 101, "text": "On it!"})
    assert reply.status_code == 200, reply.text
    result = await handle.result()

    assert result.outcome == Outcome.REPLIED
    final = await contact(inbox, contact_id)
    assert final["assigneeId"] == 101 and final["comments"] == []
