"""End to end on real processes: `handoff up --sandbox` (dev server, worker, receiver, sandbox) and a short story."""

import httpx
import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from bench.ports import free_stack_ports
from demo.actors import set_presence
from demo.run import DEMO_POLICY, play
from demo.scenario import ABSENT_AGENT_ID, CUSTOMERS, Behaviour
from starter.stack import Stack, StackConfig
from worker.settings import Settings
from workflows.escalation_types import Outcome

pytestmark = pytest.mark.integration

TIER_2 = {201, 202, 203}
ORDER = [
    Behaviour.REPLIES,
    Behaviour.SILENT,
    Behaviour.CUSTOMER_CLOSES,
    Behaviour.BOT_ONLY,
    Behaviour.GOES_OFFLINE,
    Behaviour.HUMAN_REASSIGNS,
]
"""One customer of each behaviour; round robin gives the agent who goes offline an answered conversation too."""


async def test_the_story_plays_out_through_webhooks(tmp_path):
    one_of_each = [next(c for c in CUSTOMERS if c.behaviour == behaviour) for behaviour in ORDER]
    config = StackConfig.from_settings(
        Settings(),
        sandbox=True,
        data_dir=tmp_path,
        policy=DEMO_POLICY,
        **free_stack_ports(),
    )
    async with Stack(config) as stack:
        client = await Client.connect(config.temporal_address, data_converter=pydantic_data_converter)
        token = {"Authorization": f"Bearer {stack.secrets['sandbox_token']}"}
        async with httpx.AsyncClient(base_url=config.sandbox_url, headers=token, timeout=10) as inbox:
            await set_presence(inbox)
            story = await play(client, inbox, one_of_each)
            state = (await inbox.get("/sandbox/state")).json()

    contacts = {c["id"]: c for c in state["contacts"]}
    (went,) = story.went_offline
    for customer in one_of_each:
        row, contact = story.rows[customer.contact_id], contacts[customer.contact_id]
        assert row.state and row.state.outcome == customer.expected, (customer, row.state)
        history = [a.agent for a in row.state.history]
        comments = [c["text"] for c in contact["comments"]]
        unanswered = customer.behaviour in (Behaviour.SILENT, Behaviour.BOT_ONLY, Behaviour.GOES_OFFLINE)
        if history[0].id == went.agent.id and unanswered:  # moved to a teammate within seconds, with a comment
            assert went.move_of(row) and history[1].team == history[0].team, history
            assert comments[0].startswith(
                f"{history[0].name} went offline without replying; moved to {history[1].name}"
            )
            comments = comments[1:]
        else:
            assert went.move_of(row) is None, history
        if customer.expected == Outcome.ESCALATED:
            assert contact["assigneeId"] in TIER_2 - {ABSENT_AGENT_ID}
            assert len(comments) == 1
            assert comments[0].startswith(f"No reply from {history[-2].name} in 10 s; reassigned to {{{{@user.")
        else:
            assert comments == []
        if customer.behaviour == Behaviour.HUMAN_REASSIGNS:
            assert contact["assigneeId"] == 202  # the supervisor's choice stands
        if customer.behaviour in (Behaviour.REPLIES, Behaviour.CUSTOMER_CLOSES):
            assert contact["assigneeId"] == history[0].id
    delivered = [d for d in state["deliveries"] if d["status"] == "delivered"]
    assert {d["event"] for d in delivered} >= {"conversation.opened", "message.sent", "conversation.closed"}
