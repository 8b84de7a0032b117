"""The respond.io API subset over real HTTP: shapes, identifiers, auth, errors, pagination, rate limits."""

import time

import httpx
import pytest

from sandbox.server import running_sandbox

pytestmark = pytest.mark.integration


def assert_error(response: httpx.Response, code: int) -> dict:
    assert response.status_code == code, response.text
    body = response.json()
    assert set(body) == {"code", "message"}
    assert body["code"] == code
    assert isinstance(body["message"], str) and len(body["message"]) > 10
    return body


async def contact_state(world: httpx.AsyncClient, contact_id: int) -> dict:
    state = (await world.get("/state")).json()
    return next(c for c in state["contacts"] if c["id"] == contact_id)


async def test_contact_is_found_by_id_email_and_phone(api, world, contact_id):
    before = int(time.time() * 1000)
    phone, email = f"+60123{contact_id}", f"ada{contact_id}@example.com"
    await world.post(
        f"/contacts/{contact_id}/customer-message",
        json={"text": "hello", "firstName": "Ada", "lastName": "Lovelace", "phone": phone, "email": email},
    )
    found = [await api.get(f"/contact/{ident}") for ident in (f"id:{contact_id}", f"email:{email}", f"phone:{phone}")]
    assert [r.status_code for r in found] == [200, 200, 200]
    contact = found[0].json()
    assert found[1].json() == contact and found[2].json() == contact
    assert contact == {
        "id": contact_id,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "phone": phone,
        "email": email,
        "language": None,
        "profilePic": None,
        "countryCode": None,
        "status": "open",
        "tags": [],
        "assignee": None,
        "lifecycle": None,
        "created_at": contact["created_at"],
    }
    assert before <= contact["created_at"] <= int(time.time() * 1000)


@pytest.mark.parametrize("identifier", ["42", "id:abc", "email:not-an-email", "phone:60123", "name:Ada", "id:"])
async def test_malformed_identifier_is_400(api, identifier):
    assert "identifier" in assert_error(await api.get(f"/contact/{identifier}"), 400)["message"]


@pytest.mark.parametrize("identifier", ["id:999", "email:nobody@example.com", "phone:+60111111111"])
async def test_unknown_contact_is_404(api, identifier):
    assert_error(await api.get(f"/contact/{identifier}"), 404)
    assert_error(await api.post(f"/contact/{identifier}/comment", json={"text": "x"}), 404)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "test-token"}])
async def test_v2_requires_the_bearer_token(sandbox, headers):
    async with httpx.AsyncClient(base_url=sandbox) as client:
        response = await client.get("/v2/space/user", headers=headers)
        assert "Bearer" in assert_error(response, 401)["message"]
        assert (await client.get("/sandbox/state")).status_code == 200


async def test_unknown_routes_and_methods_have_the_error_shape(api):
    assert_error(await api.get("/contacts/id:1"), 404)
    assert_error(await api.delete("/space/user"), 405)


async def test_assignee_by_id_email_and_null(api, contact):
    path = f"/contact/id:{contact}/conversation/assignee"
    assert (await api.post(path, json={"assignee": 101})).json() == {"contactId": contact}
    alice = {"id": 101, "firstName": "Alice", "lastName": "Ng", "email": "alice@example.com"}
    assert (await api.get(f"/contact/id:{contact}")).json()["assignee"] == alice
    await api.post(path, json={"assignee": "carol@example.com"})
    assert (await api.get(f"/contact/id:{contact}")).json()["assignee"]["id"] == 201
    await api.post(path, json={"assignee": None})
    assert (await api.get(f"/contact/id:{contact}")).json()["assignee"] is None


async def test_every_assignment_is_recorded_repeats_included(api, world, contact):
    path = f"/contact/id:{contact}/conversation/assignee"
    for assignee in (101, "alice@example.com", 201):
        assert (await api.post(path, json={"assignee": assignee})).status_code == 200
    await world.post(f"/contacts/{contact}/assign", json={"userId": 202, "byUserId": 301})
    assert_error(await api.post(path, json={"assignee": 999}), 400)
    await api.post(path, json={"assignee": None})
    state = await contact_state(world, contact)
    records = [(a["assigneeId"], a["source"], a["byUserId"]) for a in state["assignments"]]
    assert records == [
        (101, "api", None),
        (101, "api", None),
        (201, "api", None),
        (202, "user", 301),
        (None, "api", None),
    ]
    conversation_ids = {a["conversationId"] for a in state["assignments"]}
    assert len(conversation_ids) == 1 and None not in conversation_ids
    times = [a["created_at"] for a in state["assignments"]]
    assert times == sorted(times)


@pytest.mark.parametrize("body", [{"assignee": 999}, {"assignee": "nobody@example.com"}, {}, {"assignee": [1]}])
async def test_bad_assignee_is_400(api, contact, body):
    assert_error(await api.post(f"/contact/id:{contact}/conversation/assignee", json=body), 400)
    assert (await api.get(f"/contact/id:{contact}")).json()["assignee"] is None


async def test_status_changes_and_repeats_change_nothing(api, world, contact):
    for status in ("close", "close", "open", "open"):
        body = {"status": status, "category": "done"}
        response = await api.post(f"/contact/id:{contact}/conversation/status", json=body)
        assert response.json() == {"contactId": contact}
        assert (await api.get(f"/contact/id:{contact}")).json()["status"] == status
    conversations = (await contact_state(world, contact))["conversations"]
    assert [(c["openedBySource"], c["closedBySource"]) for c in conversations] == [("contact", "api"), ("api", None)]
    assert_error(await api.post(f"/contact/id:{contact}/conversation/status", json={"status": "snoozed"}), 400)


async def test_comments_are_stored_verbatim_and_limited_to_1000_characters(api, world, contact):
    path = f"/contact/id:{contact}/comment"
    text = "No reply from {{@user.101}} in 15m; reassigned to {{@user.201}}."
    response = await api.post(path, json={"text": text})
    assert response.status_code == 200
    body = response.json()
    assert body["contactId"] == contact and body["text"] == text and isinstance(body["created_at"], int)
    assert (await api.post(path, json={"text": "x" * 1000})).status_code == 200
    assert "1000" in assert_error(await api.post(path, json={"text": "x" * 1001}), 400)["message"]
    assert_error(await api.post(path, json={"text": ""}), 400)
    assert_error(await api.post(path, content=b"{not json", headers={"Content-Type": "application/json"}), 400)
    comments = (await contact_state(world, contact))["comments"]
    assert [c["text"] for c in comments] == [text, "x" * 1000]
    assert comments[0]["created_at"] == body["created_at"] <= comments[1]["created_at"]


async def test_sending_a_message_through_the_api(api, contact):
    path = f"/contact/id:{contact}/message"
    sent = await api.post(path, json={"message": {"type": "text", "text": "Hello from the API"}})
    message_id = sent.json()["messageId"]
    newest = (await api.get(f"/contact/id:{contact}/message/list")).json()["items"][0]
    assert newest == {
        "messageId": message_id,
        "contactId": contact,
        "channelId": 1,
        "traffic": "outgoing",
        "message": {"type": "text", "text": "Hello from the API"},
        "status": [{"value": "sent", "timestamp": newest["status"][0]["timestamp"]}],
        "sender": {"source": "api"},
    }
    assert_error(await api.post(path, json={"channelId": 9, "message": {"type": "text", "text": "x"}}), 400)
    assert_error(await api.post(path, json={"message": {"type": "image", "text": "x"}}), 400)


async def test_messages_paginate_newest_first(api, world, contact):
    for n in range(1, 7):
        await world.post(f"/contacts/{contact}/agent-reply", json={"userId": 101, "text": f"m{n}"})
    pages, url = [], f"/contact/id:{contact}/message/list?limit=3"
    while url:
        body = (await api.get(url)).json()
        pages.append(body)
        url = body["pagination"]["next"]
    assert [[item["message"]["text"] for item in page["items"]] for page in pages] == [
        ["m6", "m5", "m4"],
        ["m3", "m2", "m1"],
        ["hi"],
    ]
    assert pages[0]["pagination"]["previous"] is None
    assert pages[1]["pagination"]["next"].startswith(f"{api.base_url}contact/")
    back = (await api.get(pages[2]["pagination"]["previous"])).json()
    assert back["items"] == pages[1]["items"]
    back = (await api.get(back["pagination"]["previous"])).json()
    assert back["items"] == pages[0]["items"] and back["pagination"]["previous"] is None
    incoming = pages[2]["items"][0]
    assert incoming["traffic"] == "incoming" and "sender" not in incoming
    assert pages[0]["items"][0]["sender"] == {"source": "user", "userId": 101}


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "cursorId=abc"])
async def test_bad_list_parameters_are_400(api, contact, query):
    assert_error(await api.get(f"/contact/id:{contact}/message/list?{query}"), 400)
    assert_error(await api.get(f"/space/user?{query}"), 400)


async def test_users_paginate_with_teams_and_roles(api):
    users, url = [], "/space/user?limit=4"
    while url:
        body = (await api.get(url)).json()
        assert len(body["items"]) <= 4
        users += body["items"]
        url = body["pagination"]["next"]
    assert [u["id"] for u in users] == [101, 102, 201, 202, 203, 301]
    assert users[-1] == {
        "id": 301,
        "firstName": "Sam",
        "lastName": "Patel",
        "email": "sam@example.com",
        "role": "manager",
        "team": {"id": 3, "name": "Supervisors"},
        "restrictions": [],
    }
    assert {u["team"]["name"] for u in users[2:5]} == {"Tier 2"} and users[0]["role"] == "agent"


async def test_rate_limit_answers_429_with_retry_after(settings, token):
    async with (
        running_sandbox(settings(rate_limit=3)) as url,
        httpx.AsyncClient(base_url=f"{url}/v2", headers={"Authorization": f"Bearer {token}"}) as api,
    ):
        answers = [await api.get("/space/user") for _ in range(4)]
        assert [r.status_code for r in answers] == [200, 200, 200, 429]
        assert [r.headers["X-RateLimit-Remaining"] for r in answers] == ["2", "1", "0", "0"]
        assert {r.headers["X-RateLimit-Limit"] for r in answers} == {"3"}
        assert "Retry-After" not in answers[0].headers
        assert int(answers[3].headers["Retry-After"]) >= 1
        assert_error(answers[3], 429)
        other_route = await api.get("/contact/id:1")
        assert other_route.status_code == 404 and other_route.headers["X-RateLimit-Remaining"] == "2"


async def test_restart_keeps_state(settings, token, tmp_path):
    configured = settings(db=str(tmp_path / "inbox" / "sandbox.db"))
    headers = {"Authorization": f"Bearer {token}"}
    async with running_sandbox(configured) as url, httpx.AsyncClient(base_url=url) as client:
        await client.post("/sandbox/contacts/5/customer-message", json={"text": "before", "email": "eve@example.com"})
        await client.post("/sandbox/agents/102/presence", json={"online": False})
        hook = {"event": "message.sent", "url": "http://127.0.0.1:9/hook", "signing_key": "k"}
        await client.post("/sandbox/webhooks", json=hook)
        await client.post("/v2/contact/id:5/comment", json={"text": "noted"}, headers=headers)
        before = (await client.get("/sandbox/state")).json()
    async with running_sandbox(configured) as url, httpx.AsyncClient(base_url=url) as client:
        after = (await client.get("/sandbox/state")).json()
        assert after["contacts"] == before["contacts"] and after["contacts"][0]["comments"][0]["text"] == "noted"
        assert after["agents"] == before["agents"] and len(after["agents"]) == 6
        assert [a["online"] for a in after["agents"] if a["id"] == 102] == [False]
        assert after["subscriptions"] == before["subscriptions"] and len(after["subscriptions"]) == 1
        reply = await client.post("/sandbox/contacts/5/customer-message", json={"text": "after"})
        assert reply.json()["messageId"] == before["contacts"][0]["messages"][0]["messageId"] + 1
        assert (await client.get("/v2/contact/email:eve@example.com", headers=headers)).json()["id"] == 5
