"""The API behind the policy's contact steps, over real HTTP: tags, channels, sending on a channel, closing with a
note, and the strict 400s of each."""

import json

import httpx
import pytest

from sandbox.server import running_sandbox
from tests.sandbox.test_sandbox_api import assert_error, contact_state

pytestmark = pytest.mark.integration

WHATSAPP = {"id": 1, "name": "Sandbox WhatsApp", "source": "whatsapp"}
MESSENGER = {"id": 2, "name": "Sandbox Messenger", "source": "facebook"}


async def test_tags_are_added_and_removed_and_the_contact_shows_them(api, world, contact):
    path = f"/contact/id:{contact}/tag"
    assert (await api.post(path, json=["vip", "refund", "vip"])).json() == {"contactId": contact}
    assert (await api.post(path, json=["refund", "late"])).status_code == 200
    assert (await api.get(f"/contact/id:{contact}")).json()["tags"] == ["vip", "refund", "late"]
    assert (await api.request("DELETE", path, json=["refund", "never-had"])).json() == {"contactId": contact}
    assert (await api.get(f"/contact/id:{contact}")).json()["tags"] == ["vip", "late"]
    assert (await contact_state(world, contact))["tags"] == ["vip", "late"]


@pytest.mark.parametrize(
    "body",
    [
        [],
        [f"tag-{n}" for n in range(11)],
        [""],
        ["   "],
        ["x" * 256],
        [7],
        [None],
        {"tags": ["vip"]},
        "vip",
        None,
    ],
)
@pytest.mark.parametrize("method", ["POST", "DELETE"])
async def test_a_tag_body_respond_io_would_refuse_is_400(api, contact, method, body):
    path = f"/contact/id:{contact}/tag"
    assert_error(await api.request(method, path, json=body), 400)
    assert (await api.get(f"/contact/id:{contact}")).json()["tags"] == []


async def test_tag_limits_are_inclusive(api, contact):
    path = f"/contact/id:{contact}/tag"
    assert (await api.post(path, json=[f"t{n}" for n in range(10)])).status_code == 200
    assert (await api.post(path, json=["x" * 255])).status_code == 200
    assert_error(await api.post("/contact/id:777777/tag", json=["vip"]), 404)


async def test_channels_are_listed_with_pagination(api):
    first = (await api.get("/space/channel?limit=1")).json()
    assert first["items"] == [WHATSAPP]
    second = (await api.get(first["pagination"]["next"])).json()
    assert second["items"] == [MESSENGER] and second["pagination"]["next"] is None
    assert (await api.get("/space/channel")).json()["items"] == [WHATSAPP, MESSENGER]
    assert_error(await api.get("/space/channel?limit=0"), 400)


async def test_a_customer_writes_on_a_channel_and_is_answered_on_it(api, world, contact_id):
    first = await world.post(f"/contacts/{contact_id}/customer-message", json={"text": "hi", "channelId": 2})
    assert first.status_code == 200, first.text
    path = f"/contact/id:{contact_id}/message"
    answered = await api.post(path, json={"message": {"type": "text", "text": "Hold on, please"}})
    assert answered.status_code == 200, answered.text
    newest_first = (await api.get(f"/contact/id:{contact_id}/message/list")).json()["items"]
    assert [(m["traffic"], m["channelId"], m.get("sender")) for m in newest_first] == [
        ("outgoing", 2, {"source": "api"}),
        ("incoming", 2, None),
    ]
    assert newest_first[0]["messageId"] == answered.json()["messageId"]
    refused = assert_error(await api.post(path, json={"channelId": 1, "message": {"type": "text", "text": "x"}}), 400)
    assert "not on channel 1" in refused["message"]
    await world.post(f"/contacts/{contact_id}/customer-message", json={"text": "here too", "channelId": 1})
    assert (await api.post(path, json={"channelId": 1, "message": {"type": "text", "text": "x"}})).status_code == 200
    assert (await api.post(path, json={"channelId": None, "message": {"type": "text", "text": "y"}})).status_code == 200
    newest = (await api.get(f"/contact/id:{contact_id}/message/list?limit=1")).json()["items"][0]
    assert newest["channelId"] == 1, "without a channel, the contact's last one"


@pytest.mark.parametrize(
    "body",
    [
        {"message": {"type": "text", "text": ""}},
        {"message": {"type": "text", "text": "x" * 4097}},
        {"message": {"type": "text"}},
        {"message": "hello"},
        {"text": "hello"},
        {"channelId": 99, "message": {"type": "text", "text": "x"}},
        {"channelId": "WhatsApp", "message": {"type": "text", "text": "x"}},
    ],
)
async def test_a_message_body_respond_io_would_refuse_is_400(api, contact, body):
    assert_error(await api.post(f"/contact/id:{contact}/message", json=body), 400)


async def test_a_customer_message_on_an_unknown_channel_is_400(world, contact_id):
    assert_error(await world.post(f"/contacts/{contact_id}/customer-message", json={"text": "hi", "channelId": 9}), 400)
    assert (await world.get("/state")).json()["channels"] == [WHATSAPP, MESSENGER]


async def test_a_closing_note_is_kept_within_respond_io_s_limits(api, world, contact):
    path = f"/contact/id:{contact}/conversation/status"
    for body in ({"status": "close", "category": "x" * 129}, {"status": "close", "summary": "x" * 513}):
        assert_error(await api.post(path, json=body), 400)
    assert (await api.get(f"/contact/id:{contact}")).json()["status"] == "open"
    note = {"status": "close", "category": "x" * 128, "summary": "y" * 512}
    assert (await api.post(path, json=note)).json() == {"contactId": contact}
    [conversation] = (await contact_state(world, contact))["conversations"]
    assert conversation["closedBySource"] == "api"


async def test_steps_through_the_api_send_their_webhooks(settings, receiver, eventually, token):
    hooks = [
        {"event": event, "url": f"{receiver.url}/{event}", "signing_key": "k"}
        for event in ("message.sent", "conversation.closed")
    ]
    headers = {"Authorization": f"Bearer {token}"}
    async with running_sandbox(settings(webhooks=hooks)) as url, httpx.AsyncClient(base_url=url) as client:
        await client.post("/sandbox/contacts/7/customer-message", json={"text": "hi", "channelId": 2})
        await client.post("/v2/contact/id:7/tag", json=["waiting"], headers=headers)
        message = {"message": {"type": "text", "text": "We are on it"}}
        await client.post("/v2/contact/id:7/message", json=message, headers=headers)
        close = {"status": "close", "category": "Unanswered", "summary": "Closed by policy"}
        await client.post("/v2/contact/id:7/conversation/status", json=close, headers=headers)

        async def both_delivered() -> bool:
            return len(receiver.accepted()) == 2

        await eventually(both_delivered)

    payloads = {payload["event_type"]: payload for payload in (json.loads(d.body) for d in receiver.accepted())}
    sent, closed = payloads["message.sent"], payloads["conversation.closed"]
    assert (sent["channel"], sent["message"]["sender"]) == (MESSENGER, {"source": "api"})
    assert sent["contact"]["tags"] == ["waiting"]
    assert closed["channel"] == MESSENGER
    conversation = closed["conversation"]
    assert (conversation["closedBySource"], conversation["category"], conversation["summary"]) == (
        "api",
        "Unanswered",
        "Closed by policy",
    )
