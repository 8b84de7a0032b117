"""The webhook receiver over real HTTP, with a real Temporal dev server behind it."""

import asyncio
import json

import pytest
from temporalio.client import WorkflowExecutionStatus

from models.ids import escalation_workflow_id
from starter.receiver import WEBHOOK_PATH
from tests.starter.receiving import KEYS, MAX_BODY, deliver, describe, event, new_contact, opened
from tests.workflows.fake_inbox import AGENTS, FakeInbox
from worker.build import build_worker
from worker.settings import Settings
from workflows.escalation import Escalation
from workflows.escalation_types import Outcome

pytestmark = pytest.mark.integration


async def test_signed_opening_starts_an_escalation(receiver, dev_server, task_queue):
    contact_id = new_contact()
    response = await deliver(receiver, opened(contact_id))
    assert response.status_code == 200, response.text
    assert response.json()["result"] == "started"
    run = await describe(dev_server.client, contact_id)
    assert run is not None and run.status == WorkflowExecutionStatus.RUNNING
    assert run.task_queue == task_queue


async def test_each_subscription_key_is_accepted(receiver):
    for key in KEYS:
        response = await deliver(receiver, event("contact.updated", new_contact()), key=key)
        assert response.status_code == 200, f"{key}: {response.text}"


async def test_missing_or_wrong_signature_is_refused(receiver, dev_server):
    contact_id = new_contact()
    body = json.dumps(opened(contact_id)).encode()
    unsigned = await receiver.post(WEBHOOK_PATH, content=body)
    wrong_key = await deliver(receiver, body, key="not-a-configured-key")
    other_body = await receiver.post(WEBHOOK_PATH, content=body, headers={"X-Webhook-Signature": "AAAA"})
    for response in (unsigned, wrong_key, other_body):
        assert response.status_code == 401
        assert "HANDOFF_WEBHOOK_KEYS" in response.json()["error"]
    assert await describe(dev_server.client, contact_id) is None


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", None])
async def test_json_or_undeclared_bodies_are_read(receiver, content_type):
    response = await deliver(receiver, event("contact.updated", new_contact()), content_type=content_type)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
async def test_a_body_declared_as_something_else_is_refused_with_415(receiver, dev_server, content_type):
    contact_id = new_contact()
    response = await deliver(receiver, opened(contact_id), content_type=content_type)
    assert response.status_code == 415
    assert "application/json" in response.json()["error"]
    assert await describe(dev_server.client, contact_id) is None


async def test_malformed_json_is_refused(receiver):
    response = await deliver(receiver, b'{"event_type": "conversation.opened", ')
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"event_type": "conversation.opened", "contact": {}}, "contact.id"),
        ({"event_type": "message.sent", "contact": {"id": "Pat"}}, "contact.id"),
        ({"contact": {"id": 1}}, "event_type"),
        ({"event_type": "message.sent", "contact": {"id": 1}, "message": {"sender": {}}}, "message.sender.source"),
        (
            {"event_type": "conversation.closed", "contact": {"id": 1}, "conversation": {"closedTime": "soon"}},
            "conversation.closedTime",
        ),
    ],
)
async def test_event_without_a_needed_field_is_refused_naming_it(receiver, payload, field):
    response = await deliver(receiver, payload)
    assert response.status_code == 400
    assert field in response.json()["error"]


async def test_oversized_body_is_refused(receiver):
    big = event("contact.updated", new_contact(), padding="x" * MAX_BODY)
    declared = await deliver(receiver, big)
    assert declared.status_code == 413

    async def undeclared_length():  # chunked: only the bytes read can tell
        yield json.dumps(big).encode()

    chunked = await receiver.post(WEBHOOK_PATH, content=undeclared_length())
    assert chunked.status_code == 413
    assert "HANDOFF_MAX_BODY_BYTES" in chunked.json()["error"]


@pytest.mark.parametrize("event_type", ["message.received", "contact.lifecycle.updated", "something.new"])
async def test_events_handoff_does_not_use_are_acknowledged_and_ignored(receiver, event_type):
    response = await deliver(receiver, event(event_type, new_contact()))
    assert response.status_code == 200
    assert response.json()["result"] == "ignored"


async def test_duplicate_opening_runs_once(receiver, dev_server):
    contact_id = new_contact()
    body = json.dumps(opened(contact_id)).encode()
    first = await deliver(receiver, body)
    first_run = await describe(dev_server.client, contact_id)
    second = await deliver(receiver, body)
    assert first.json()["result"] == "started"
    assert second.status_code == 200 and second.json()["result"] == "delivered"  # the run sees its own opening
    assert (await describe(dev_server.client, contact_id)).run_id == first_run.run_id


async def test_opening_from_a_source_outside_the_trigger_is_ignored(receiver, dev_server):
    contact_id = new_contact()
    response = await deliver(receiver, opened(contact_id, source="workflow"))
    assert response.status_code == 200
    assert response.json()["result"] == "ignored" and "workflow" in response.json()["why"]
    assert await describe(dev_server.client, contact_id) is None


async def test_signal_for_a_contact_without_an_escalation(receiver):
    sent = event(
        "message.sent",
        new_contact(),
        message={"messageId": 9, "sender": {"source": "user", "userId": 101}, "timestamp": 1_790_000_000_000},
    )
    response = await deliver(receiver, sent)
    assert response.status_code == 200
    assert response.json()["result"] == "no escalation running"


async def test_closing_ends_the_running_escalation_and_a_late_duplicate_opening_starts_nothing(
    receiver, dev_server, task_queue
):
    inbox = FakeInbox()
    contact_id = new_contact()
    opening = json.dumps(opened(contact_id)).encode()
    async with build_worker(dev_server.client, Settings(task_queue=task_queue), inbox.activities()):
        assert (await deliver(receiver, opening)).json()["result"] == "started"
        handle = dev_server.client.get_workflow_handle_for(Escalation.run, escalation_workflow_id(contact_id))
        await until_waiting(handle)
        run_id = (await handle.describe()).run_id
        inbox.status = "close"
        closed = event(
            "conversation.closed", contact_id, conversation={"closedTime": 1_790_000_060_000, "closedBySource": "user"}
        )
        response = await deliver(receiver, closed, key=KEYS[1])
        assert response.json() == {"result": "signalled", "workflow_id": handle.id, "signal": "conversation_closed"}
        result = await asyncio.wait_for(handle.result(), timeout=60)
    assert result.outcome == Outcome.CLOSED
    assert inbox.assignments == [AGENTS[0].id]
    late_duplicate = await deliver(receiver, opening)
    assert late_duplicate.json()["result"] == "duplicate", "a redelivered opening must not start a second run"
    assert (await describe(dev_server.client, contact_id)).run_id == run_id


async def until_waiting(handle, deadline: float = 10) -> None:
    """Poll the state query until the escalation sits in its wait."""
    async with asyncio.timeout(deadline):
        while "wait" not in (await handle.query(Escalation.state)).step:
            await asyncio.sleep(0.02)


async def test_health_when_temporal_answers(receiver):
    response = await receiver.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "temporal": "reachable"}
