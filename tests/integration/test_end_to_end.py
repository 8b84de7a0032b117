"""End to end on real processes: `handoff up --sandbox` (dev server, worker, receiver, sandbox) and a short story."""

import httpx
import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from bench.ports import free_stack_ports
from demo.run import DEMO_POLICY, play, set_presence
from demo.scenario import CUSTOMERS, OFFLINE_AGENT_ID, Behaviour
from starter.stack import Stack, StackConfig
from worker.settings import Settings
from workflows.escalation_types import Outcome

pytestmark = pytest.mark.integration

TIER_2 = {201, 202, 203}


async def test_the_story_plays_out_through_webhooks(tmp_path):
    one_of_each = list({c.behaviour: c for c in CUSTOMERS}.values())
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
            rows = await play(client, inbox, one_of_each)
            state = (await inbox.get("/sandbox/state")).json()

    contacts = {c["id"]: c for c in state["contacts"]}
    for customer in one_of_each:
        row, contact = rows[customer.contact_id], contacts[customer.contact_id]
        assert row.state and row.state.outcome == customer.expected, (customer, row.state)
        first = row.state.history[0].agent
        if customer.expected == Outcome.ESCALATED:
            assert contact["assigneeId"] in TIER_2 - {OFFLINE_AGENT_ID}
            assert len(contact["comments"]) == 1
            assert contact["comments"][0]["text"].startswith(
                f"No reply from {first.name} in 10 s; reassigned to {{{{@user."
            )
        else:
            assert contact["comments"] == []
        if customer.behaviour == Behaviour.HUMAN_REASSIGNS:
            assert contact["assigneeId"] == 202  # the supervisor's choice stands
        if customer.behaviour in (Behaviour.REPLIES, Behaviour.CUSTOMER_CLOSES):
            assert contact["assigneeId"] == first.id
    delivered = [d for d in state["deliveries"] if d["status"] == "delivered"]
    assert {d["event"] for d in delivered} >= {"conversation.opened", "message.sent", "conversation.closed"}
