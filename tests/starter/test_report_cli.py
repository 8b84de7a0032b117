"""`handoff report` on a real dev server: escalations with known endings, counted from what Temporal keeps."""

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle
from typer.testing import CliRunner

from models.conversation import CommentRequest, ConversationRead, ReplyQuery, Taken, TakeRequest
from models.ids import escalation_workflow_id
from starter.cli import app
from starter.escalations import start_escalation
from starter.report_source import retention
from starter.stack import keep_finished_workflows
from tests.policies import quick_policy
from tests.workflows.fake_inbox import AGENTS, FakeInbox, FakeMessage
from worker.build import build_worker
from worker.settings import Settings
from workflows.escalation import Escalation
from workflows.escalation_types import EscalationState

pytestmark = pytest.mark.integration

ALICE = AGENTS[0]


class Inboxes:
    """A fake inbox per contact behind the real activities' names, so one worker serves every conversation."""

    def __init__(self) -> None:
        self.of: dict[int, FakeInbox] = {}

    def activities(self) -> list:
        return [self.take_conversation, self.read_conversation, self.post_comment]

    @activity.defn(name="take_conversation")
    async def take_conversation(self, request: TakeRequest) -> Taken:
        return await self.of[request.contact_id].take_conversation(request)

    @activity.defn(name="read_conversation")
    async def read_conversation(self, query: ReplyQuery) -> ConversationRead:
        return await self.of[query.contact_id].read_conversation(query)

    @activity.defn(name="post_comment")
    async def post_comment(self, request: CommentRequest) -> None:
        await self.of[request.contact_id].post_comment(request)


async def first_assignment(handle: WorkflowHandle, deadline: float = 30) -> EscalationState:
    async with asyncio.timeout(deadline):
        while not (state := await handle.query(Escalation.state)).history:
            await asyncio.sleep(0.05)
    return state


def report(address: str, *args: str) -> Any:
    """`handoff report` as a user runs it, pointed at the dev server (in a thread: it runs its own event loop)."""
    return asyncio.to_thread(CliRunner().invoke, app, ["report", *args], env={"TEMPORAL_ADDRESS": address})


async def test_the_report_counts_each_conversation_once_as_it_ended(dev_server):
    client = dev_server.client
    name = f"report-{uuid.uuid4().hex[:8]}"
    policy = quick_policy(name, "2s")
    queue = f"report-{uuid.uuid4()}"
    inboxes = Inboxes()
    stories = ["replies in 30 s", "replies in 90 s", "silent", "closes", "terminated", "reopened, then silent"]
    contacts = {story: 800_000 + uuid.uuid4().int % 10**8 for story in stories}
    async with build_worker(client, Settings(task_queue=queue), inboxes.activities()):
        handles = {}
        for story, contact in contacts.items():
            inboxes.of[contact] = FakeInbox(contact_id=contact)
            started = await start_escalation(client, queue, policy, contact, "opening-1", datetime.now(UTC))
            assert started.handle, started.detail
            handles[story] = started.handle
        for story, seconds in (("replies in 30 s", 30), ("replies in 90 s", 90)):
            assigned_at = (await first_assignment(handles[story])).history[0].assigned_at
            inboxes.of[contacts[story]].messages.append(
                FakeMessage("user", ALICE.id, assigned_at + timedelta(seconds=seconds))
            )
        await first_assignment(handles["closes"])
        inboxes.of[contacts["closes"]].status = "close"
        await first_assignment(handles["terminated"])
        await handles["terminated"].terminate("the report counts it as failed")
        await first_assignment(handles["reopened, then silent"])
        reopened = contacts["reopened, then silent"]
        await start_escalation(client, queue, policy, reopened, "opening-2", datetime.now(UTC) + timedelta(seconds=1))
        ends = [handles[story].result() for story in stories if story != "terminated"]
        await asyncio.gather(*ends)  # the reopened one's follows the hand-over to its new run
        runs = [w async for w in client.list_workflows(f"WorkflowId = '{escalation_workflow_id(reopened)}'")]
        assert len(runs) == 2, "the reopened conversation has a run that continued as new, which the report skips"

    address = client.service_client.config.target_host
    async with asyncio.timeout(30):  # visibility catches up with the closed runs
        while True:
            result = await report(address, "--format", "json", "--policy", name)
            assert result.exit_code == 0, result.output
            found = json.loads(result.output)
            if found["conversations"] >= len(stories):
                break
            await asyncio.sleep(0.2)

    [by_policy] = found["policy"]
    assert by_policy["name"] == name and by_policy["conversations"] == 6
    assert (by_policy["replied"], by_policy["escalated"], by_policy["escalated_level_1"]) == (2, 2, 2)
    assert (by_policy["closed"], by_policy["failed"]) == (1, 1)
    assert (by_policy["median_first_reply_seconds"], by_policy["p90_first_reply_seconds"]) == (60.0, 90.0)
    teams = {team["name"]: team["conversations"] for team in found["team"]}
    assert teams == {"Tier 1": 5, "(unknown: no result)": 1}
    alice = next(agent for agent in found["agent"] if agent["key"] == str(ALICE.id))
    assert (alice["conversations"], alice["escalated"]) == (5, 2)
    assert found["escalated_most"] == [
        {"key": str(ALICE.id), "name": ALICE.name, "conversations": 5, "escalated": 2, "share": 0.4}
    ]
    assert found["still_running"] == 0
    assert found["retention_seconds"] > 0

    table = await report(address, "--policy", name)
    assert table.exit_code == 0 and name in table.output and "By agent" in table.output
    rows = (await report(address, "--format", "csv", "--policy", name)).output.splitlines()
    assert rows[0].startswith("group,key,name,conversations") and len(rows) == 1 + 1 + 2 + 2


async def test_handoff_up_sets_how_far_back_reports_can_see(dev_server):
    await keep_finished_workflows(dev_server.client.service_client.config.target_host, timedelta(days=45))
    assert await retention(dev_server.client) == timedelta(days=45)


def test_a_period_that_is_not_a_duration_is_refused_before_connecting():
    result = CliRunner().invoke(app, ["report", "--since", "last week"], env={"TEMPORAL_ADDRESS": "127.0.0.1:1"})
    assert result.exit_code == 2 and "30s, 15m, 1h30m or 7d" in result.output
