"""The policy's newer powers on the whole stack (receiver, worker, roster, the sandbox over HTTP with signed
webhooks): every assignment timed, offline agents' conversations moved, and the contact steps."""

import asyncio
from typing import Any

import pytest

from roster.client import RosterNews
from tests.integration.test_decisions import opened_by_customer
from tests.integration.wired import TIER_2, Wired, new_contact, wired
from workflows.escalation_types import Outcome
from workflows.policy import Policy

pytestmark = pytest.mark.integration
DAVE, SAM = 202, 301
OPEN_AND_UNANSWERED = [{"conversation_status": "open"}, {"no_reply_since_assignment": True}]


def _policy(**fields: Any) -> Policy:
    return Policy.model_validate({"name": "beyond", **fields})


async def _until(stack: Wired, contact_id: int, done, deadline: float = 30) -> dict[str, Any]:
    """Poll the sandbox's record of the contact until ``done(record)``."""
    async with asyncio.timeout(deadline):
        while not done(record := await stack.world(contact_id)):
            await asyncio.sleep(0.05)
    return record


async def test_a_persons_reassignment_is_timed_too(dev_server, tmp_path):
    policy = _policy(
        applies_to="every_assignment",
        steps=[
            {"assign": {"team": "Tier 2", "only_online": True}},
            {"wait": "3s"},
            {
                "branch": {
                    "all": OPEN_AND_UNANSWERED,
                    "then": [
                        {"assign": {"team": "Tier 2", "only_online": True}},
                        {"comment": "No reply from {previous_assignee} in {waited}; reassigned to {assignee}."},
                    ],
                }
            },
        ],
    )
    async with wired(dev_server, tmp_path, policy) as stack:
        contact_id = new_contact()
        await opened_by_customer(stack, contact_id)
        first = await stack.assigned(contact_id)
        picked = DAVE if first != DAVE else TIER_2[0]
        await stack.post(f"/sandbox/contacts/{contact_id}/assign", userId=picked, byUserId=SAM)
        record = await _until(stack, contact_id, lambda r: r["comments"])
        await stack.post(f"/sandbox/contacts/{contact_id}/close", byUserId=SAM)
        result = await stack.handle(contact_id).result()
    by_api = [a["assigneeId"] for a in record["assignments"] if a["source"] == "api"]
    assert by_api[0] == first and by_api[1] not in (first, picked), by_api
    assert [a.by_person for a in result.history] == [False, True, False]
    assert result.history[1].agent.id == picked
    assert record["comments"][0]["text"].startswith(f"No reply from {result.history[1].agent.name} in 3 s;")
    assert result.outcome == Outcome.ESCALATED, result.detail


async def test_an_agent_going_offline_loses_an_unanswered_conversation(dev_server, tmp_path):
    policy = _policy(
        requeue_when_offline={"teams": ["Tier 2"]},
        steps=[{"assign": {"team": "Tier 2", "only_online": True}}, {"wait": "1h"}],
    )
    async with wired(dev_server, tmp_path, policy) as stack:
        contact_id = new_contact()
        await opened_by_customer(stack, contact_id)
        first = await stack.assigned(contact_id)
        await stack.roster.tell(RosterNews.presence(first, False))
        record = await _until(stack, contact_id, lambda r: r["assigneeId"] != first and r["comments"])
        await stack.post(f"/sandbox/contacts/{contact_id}/close", byUserId=SAM)
        result = await stack.handle(contact_id).result()
    assert record["assigneeId"] in TIER_2 and record["assigneeId"] != first
    assert "went offline without replying" in record["comments"][0]["text"]
    assert [a.agent.id for a in result.history] == [first, record["assigneeId"]]
    assert result.outcome == Outcome.ESCALATED


async def test_a_holding_message_tags_and_a_close_reach_respondio(dev_server, tmp_path):
    policy = _policy(
        steps=[
            {"assign": {"team": "Tier 2", "only_online": True}},
            {"message": "Thanks {contact_name}, {assignee} will be with you shortly."},
            {"add_tag": ["waiting", "escalation"]},
            {"wait": "2s"},
            {"remove_tag": "waiting"},
            {
                "branch": {
                    "all": [*OPEN_AND_UNANSWERED, {"last_incoming_message": {"more_than": "1s"}}],
                    "then": [{"close": {"category": "unanswered", "summary": "Closed by the escalation policy"}}],
                }
            },
        ]
    )
    async with wired(dev_server, tmp_path, policy) as stack:
        contact_id = new_contact()
        await opened_by_customer(stack, contact_id)
        await stack.assigned(contact_id)  # the webhook has started the escalation
        result = await stack.handle(contact_id).result()
        record = await stack.world(contact_id)
    sent = [m for m in record["messages"] if m.get("sender", {}).get("source") == "api"]
    assert [m["message"]["text"] for m in sent] == [
        f"Thanks {record['name']}, {result.history[0].agent.name} will be with you shortly."
    ]
    assert record["tags"] == ["escalation"]
    assert record["status"] == "close" and record["conversations"][-1]["closedBySource"] == "api"
    assert result.outcome == Outcome.CLOSED, result.detail
