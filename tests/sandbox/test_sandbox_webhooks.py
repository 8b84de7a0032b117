"""Webhooks over real HTTP: respond.io's payloads and signatures, retries, order, failure, restarts."""

import base64
import hashlib
import hmac
import json
import uuid

import httpx
import pytest

from bench.ports import free_port
from sandbox.server import running_sandbox

pytestmark = pytest.mark.integration

EVENTS = ["conversation.opened", "conversation.closed", "message.received", "message.sent", "contact.assignee.updated"]
CHANNEL = {"id": 1, "name": "Sandbox WhatsApp", "source": "whatsapp"}


def expected_signature(key: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def hook(receiver, event: str, key: str = "key") -> dict:
    return {"event": event, "url": f"{receiver.url}/hooks/{event}", "signing_key": key}


async def deliveries(client: httpx.AsyncClient) -> list[dict]:
    return (await client.get("/sandbox/state")).json()["deliveries"]


async def test_each_subscription_gets_its_events_signed_with_its_key(settings, receiver, eventually, token):
    hooks = [hook(receiver, event, f"key-for-{event}") for event in EVENTS]
    api_headers = {"Authorization": f"Bearer {token}"}
    async with running_sandbox(settings(webhooks=hooks)) as url, httpx.AsyncClient(base_url=url) as client:
        customer = {"text": "help", "firstName": "Ana", "lastName": "Li"}
        await client.post("/sandbox/contacts/7/customer-message", json=customer)
        for _ in range(2):  # the second time changes nothing, so it sends nothing
            await client.post("/v2/contact/id:7/conversation/assignee", json={"assignee": 101}, headers=api_headers)
        await client.post("/sandbox/contacts/7/agent-reply", json={"userId": 101, "text": "hello"})
        await client.post("/sandbox/contacts/7/assign", json={"userId": 201, "byUserId": 301})
        close = {"status": "close", "category": "resolved", "summary": "sorted"}
        for _ in range(2):
            await client.post("/v2/contact/id:7/conversation/status", json=close, headers=api_headers)
        await client.post("/v2/contact/id:7/conversation/status", json={"status": "open"}, headers=api_headers)
        await eventually(lambda: _all_delivered(client, 7))

    by_event: dict[str, list[dict]] = {}
    for delivery in receiver.requests:
        payload = json.loads(delivery.body)
        event = payload["event_type"]
        assert delivery.path == f"/hooks/{event}"
        assert delivery.headers["Content-Type"] == "application/json"
        assert delivery.headers["X-Webhook-Signature"] == expected_signature(f"key-for-{event}", delivery.body)
        other_key = f"key-for-{EVENTS[(EVENTS.index(event) + 1) % len(EVENTS)]}"
        assert delivery.headers["X-Webhook-Signature"] != expected_signature(other_key, delivery.body)
        assert payload["channel"] == CHANNEL and payload["contact"]["id"] == 7
        assert str(uuid.UUID(payload["event_id"])) == payload["event_id"]
        by_event.setdefault(event, []).append(payload)
    assert {event: len(payloads) for event, payloads in by_event.items()} == {
        "conversation.opened": 2,
        "message.received": 1,
        "contact.assignee.updated": 2,
        "message.sent": 1,
        "conversation.closed": 1,
    }
    assert len({p["event_id"] for p in map(json.loads, (d.body for d in receiver.requests))}) == 7

    opened, reopened = by_event["conversation.opened"]
    assert set(opened["conversation"]) == {"openedTime", "openedBySource"}
    assert opened["conversation"]["openedBySource"] == "contact" and opened["contact"]["status"] == "open"
    assert reopened["conversation"]["openedBySource"] == "api"

    [received] = by_event["message.received"]
    assert received["message"] == {
        "messageId": received["message"]["messageId"],
        "contactId": 7,
        "channelId": 1,
        "traffic": "incoming",
        "message": {"type": "text", "text": "help"},
        "timestamp": received["message"]["timestamp"],
    }
    assert received["contact"]["firstName"] == "Ana" and received["contact"]["lastName"] == "Li"

    [sent] = by_event["message.sent"]
    assert sent["message"]["sender"] == {"source": "user", "userId": 101}
    assert sent["message"]["traffic"] == "outgoing" and sent["message"]["message"]["text"] == "hello"

    alice = {"id": 101, "firstName": "Alice", "lastName": "Ng", "email": "alice@example.com"}
    by_api, by_person = by_event["contact.assignee.updated"]
    assert (by_api["assignee"], by_api["previousAssignee"], by_api["assignedBy"]) == (alice, None, {"source": "api"})
    assert by_api["contact"]["assignee"] == alice
    assert by_person["assignee"]["id"] == 201 and by_person["previousAssignee"] == alice
    assert by_person["assignedBy"] == {"source": "user", "userId": 301}
    assert by_person["contact"]["assignee"]["id"] == 201

    [closed] = by_event["conversation.closed"]
    conversation = closed["conversation"]
    assert conversation == {
        "openedTime": opened["conversation"]["openedTime"],
        "openedBySource": "contact",
        "closedTime": conversation["closedTime"],
        "closedBySource": "api",
        "firstResponseTime": sent["message"]["timestamp"] - opened["conversation"]["openedTime"],
        "resolutionTime": conversation["closedTime"] - opened["conversation"]["openedTime"],
        "incomingMessageCount": 1,
        "outgoingMessageCount": 1,
        "assigneeTeam": "Tier 2",
        "lastAssignmentTime": conversation["lastAssignmentTime"],
        "category": "resolved",
        "summary": "sorted",
    }
    assert sent["message"]["timestamp"] <= conversation["lastAssignmentTime"] <= conversation["closedTime"]
    assert closed["contact"]["status"] == "close"


async def _all_delivered(client: httpx.AsyncClient, expected: int) -> bool:
    found = await deliveries(client)
    return len(found) == expected and all(d["status"] == "delivered" for d in found)


async def test_failed_deliveries_are_retried_in_order(settings, receiver, eventually):
    receiver.answers = [(500, {}), (503, {})]
    async with running_sandbox(settings()) as url, httpx.AsyncClient(base_url=url) as client:
        added = await client.post("/sandbox/webhooks", json=hook(receiver, "message.received", "k1"))
        assert added.status_code == 201
        for text in ("one", "two", "three"):
            await client.post("/sandbox/contacts/8/customer-message", json={"text": text})
        await eventually(lambda: _all_delivered(client, 3))
        states = await deliveries(client)
    assert [(d["attempts"], d["lastStatus"], d["event"]) for d in states] == [
        (3, 200, "message.received"),
        (1, 200, "message.received"),
        (1, 200, "message.received"),
    ]
    assert [d.answered for d in receiver.requests] == [500, 503, 200, 200, 200]
    assert len({d.body for d in receiver.requests[:3]}) == 1
    texts = [json.loads(d.body)["message"]["message"]["text"] for d in receiver.accepted()]
    assert texts == ["one", "two", "three"]
    assert all(d.headers["X-Webhook-Signature"] == expected_signature("k1", d.body) for d in receiver.requests)


async def test_retry_after_from_the_receiver_replaces_the_backoff(settings, receiver, eventually):
    receiver.answers = [(503, {"Retry-After": "0"})]
    hooks = [hook(receiver, "message.received")]
    configured = settings(webhooks=hooks, retry_initial=30, retry_max=60)
    async with running_sandbox(configured) as url, httpx.AsyncClient(base_url=url) as client:
        await client.post("/sandbox/contacts/9/customer-message", json={"text": "hi"})
        # Well under the 30 s backoff that the Retry-After replaces, and generous for a busy machine.
        await eventually(lambda: _all_delivered(client, 1), timeout=20)
    assert [d.answered for d in receiver.requests] == [503, 200]


async def test_a_delivery_fails_after_max_attempts_and_the_next_one_goes_on(settings, receiver, eventually):
    receiver.answers = [(500, {})] * 3
    hooks = [hook(receiver, "message.received")]
    configured = settings(webhooks=hooks, max_attempts=3)
    async with running_sandbox(configured) as url, httpx.AsyncClient(base_url=url) as client:
        await client.post("/sandbox/contacts/10/customer-message", json={"text": "lost"})
        await client.post("/sandbox/contacts/10/customer-message", json={"text": "found"})

        async def settled():
            found = await deliveries(client)
            return found if [d["status"] for d in found] == ["failed", "delivered"] else None

        failed, delivered = await eventually(settled)
    assert (failed["attempts"], failed["lastStatus"], failed["lastError"]) == (3, 500, "HTTP 500")
    assert delivered["attempts"] == 1
    assert [json.loads(d.body)["message"]["message"]["text"] for d in receiver.accepted()] == ["found"]


async def test_an_unreachable_receiver_is_a_connection_error(settings, eventually):
    port = free_port()
    hooks = [{"event": "message.received", "url": f"http://127.0.0.1:{port}/hook", "signing_key": "k"}]
    configured = settings(webhooks=hooks, max_attempts=2)
    async with running_sandbox(configured) as url, httpx.AsyncClient(base_url=url) as client:
        await client.post("/sandbox/contacts/11/customer-message", json={"text": "anyone?"})
        [failed] = await eventually(lambda: _failed(client))
    assert failed["attempts"] == 2 and failed["lastStatus"] is None and "ConnectError" in failed["lastError"]


async def _failed(client: httpx.AsyncClient) -> list[dict]:
    return [d for d in await deliveries(client) if d["status"] == "failed"]


async def test_pending_deliveries_survive_a_restart(settings, receiver, eventually, tmp_path):
    receiver.answers = [(500, {})] * 10_000
    configured = settings(db=str(tmp_path / "sandbox.db"), webhooks=[hook(receiver, "message.received")])
    async with running_sandbox(configured) as url, httpx.AsyncClient(base_url=url) as client:
        await client.post("/sandbox/contacts/12/customer-message", json={"text": "keep me"})

        async def retried():
            found = await deliveries(client)
            return found[0]["attempts"] >= 2

        await eventually(retried)
    assert not receiver.accepted()
    receiver.answers.clear()
    async with running_sandbox(configured) as url, httpx.AsyncClient(base_url=url) as client:
        await eventually(lambda: _all_delivered(client, 1))
    [accepted] = receiver.accepted()
    assert accepted.body == receiver.requests[0].body
    assert json.loads(accepted.body)["message"]["message"]["text"] == "keep me"
