"""The sandbox-only routes: playing the customer and the agents, presence, webhooks, state."""

import httpx
import pytest

pytestmark = pytest.mark.integration


async def contact_state(world: httpx.AsyncClient, contact_id: int) -> dict:
    state = (await world.get("/state")).json()
    return next(c for c in state["contacts"] if c["id"] == contact_id)


async def test_customer_message_creates_and_opens_once(world, api, contact_id):
    first = await world.post(f"/contacts/{contact_id}/customer-message", json={"text": "hi", "firstName": "Ana"})
    assert first.json() == {"contactId": contact_id, "messageId": first.json()["messageId"]}
    await world.post(f"/contacts/{contact_id}/customer-message", json={"text": "anyone?"})
    contact = await contact_state(world, contact_id)
    assert (contact["name"], contact["status"], contact["assigneeId"]) == (f"Ana {contact_id}", "open", None)
    assert [c["openedBySource"] for c in contact["conversations"]] == ["contact"]
    messages = [(m["traffic"], m["message"]["text"]) for m in contact["messages"]]
    assert messages == [("incoming", "hi"), ("incoming", "anyone?")]
    await world.post(f"/contacts/{contact_id}/close", json={})
    await world.post(f"/contacts/{contact_id}/customer-message", json={"text": "back again"})
    contact = await contact_state(world, contact_id)
    sources = [(c["openedBySource"], c["closedBySource"]) for c in contact["conversations"]]
    assert sources == [("contact", "contact"), ("contact", None)]


async def test_agent_replies_and_automated_messages_carry_their_sender(world, contact):
    reply = await world.post(f"/contacts/{contact}/agent-reply", json={"userId": 201, "text": "On it"})
    assert isinstance(reply.json()["messageId"], int)
    for source in ("workflow", "ai_agent", "broadcast", "echo"):
        answer = await world.post(f"/contacts/{contact}/automated-message", json={"source": source, "text": source})
        assert answer.status_code == 200
    senders = [m.get("sender") for m in (await contact_state(world, contact))["messages"]]
    assert senders == [
        None,
        {"source": "user", "userId": 201},
        {"source": "workflow"},
        {"source": "ai_agent"},
        {"source": "broadcast"},
        {"source": "echo"},
    ]


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/contacts/{id}/agent-reply", {"userId": 999, "text": "x"}, 400),
        ("/contacts/777777/agent-reply", {"userId": 101, "text": "x"}, 404),
        ("/contacts/{id}/automated-message", {"source": "user", "text": "x"}, 400),
        ("/contacts/{id}/close", {"byUserId": 999}, 400),
        ("/contacts/777777/close", {}, 404),
        ("/contacts/{id}/assign", {"userId": 999, "byUserId": 301}, 400),
        ("/contacts/{id}/assign", {"userId": 101}, 400),
        ("/contacts/{id}/customer-message", {"text": ""}, 400),
        ("/agents/999/presence", {"online": True}, 404),
        ("/webhooks", {"event": "contact.deleted", "url": "http://127.0.0.1:1/", "signing_key": "k"}, 400),
        ("/webhooks", {"event": "message.sent", "url": "not a url", "signing_key": "k"}, 400),
    ],
)
async def test_bad_requests_have_the_error_shape(world, contact, path, body, code):
    response = await world.post(path.format(id=contact), json=body)
    assert response.status_code == code, response.text
    assert response.json()["code"] == code and response.json()["message"]


async def test_close_and_assign_by_a_person(world, api, contact):
    assigned = await world.post(f"/contacts/{contact}/assign", json={"userId": 102, "byUserId": 301})
    assert assigned.json() == {"contactId": contact}
    assert (await api.get(f"/contact/id:{contact}")).json()["assignee"]["email"] == "bob@example.com"
    await world.post(f"/contacts/{contact}/assign", json={"userId": None, "byUserId": 301})
    assert (await api.get(f"/contact/id:{contact}")).json()["assignee"] is None
    await world.post(f"/contacts/{contact}/close", json={"byUserId": 101})
    await world.post(f"/contacts/{contact}/close", json={})
    contact_now = await contact_state(world, contact)
    assert contact_now["status"] == "close"
    assert [c["closedBySource"] for c in contact_now["conversations"]] == ["user"]


async def test_presence_is_kept_and_shown(world):
    offline = await world.post("/agents/202/presence", json={"online": False})
    assert offline.json()["id"] == 202 and offline.json()["online"] is False
    agents = {a["id"]: a for a in (await world.get("/state")).json()["agents"]}
    assert agents[202]["online"] is False and agents[201]["online"] is True
    assert agents[202]["team"] == {"id": 2, "name": "Tier 2"}
    await world.post("/agents/202/presence", json={"online": True})
    agents = {a["id"]: a for a in (await world.get("/state")).json()["agents"]}
    assert agents[202]["online"] is True


async def test_webhook_subscriptions_are_listed_without_keys(world):
    hook = {"event": "conversation.closed", "url": "http://127.0.0.1:1/closed", "signing_key": "secret-key"}
    added = await world.post("/webhooks", json=hook)
    assert added.status_code == 201
    again = await world.post("/webhooks", json=hook)
    expected = {"id": added.json()["id"], "event": "conversation.closed", "url": hook["url"]}
    assert again.json() == added.json() == expected
    listed = (await world.get("/webhooks")).json()
    assert added.json() in listed and "secret-key" not in str(listed)
    assert (await world.delete(f"/webhooks/{added.json()['id']}")).status_code == 204
    assert added.json() not in (await world.get("/webhooks")).json()
    assert (await world.delete(f"/webhooks/{added.json()['id']}")).json()["code"] == 404
