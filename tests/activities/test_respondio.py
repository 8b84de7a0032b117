"""The respond.io client: requests, errors and pagination against a scripted API (``httpx.MockTransport``),
and once over real HTTP against the sandbox inbox."""

import httpx
import pytest

from activities.respondio import (
    MAX_TAGS_PER_CALL,
    QUEUED_RETRY_SECONDS,
    RespondIOClient,
    RespondIONotFound,
    RespondIORateLimited,
    RespondIORejected,
    RespondIOUnauthorized,
    RespondIOUnavailable,
)
from activities.respondio_config import RespondIOConfig
from sandbox.server import running_sandbox
from sandbox.settings import SandboxSettings
from tests.activities.fake_respondio import TOKEN, answer, pages

CONTACT = {"id": 7, "firstName": "Pat", "lastName": "Lee", "status": "open", "assignee": None}


async def test_sends_the_bearer_token_and_returns_the_json(respondio, client):
    respondio.on("GET", "/contact/id:7", answer(200, CONTACT))

    assert await client.get_contact(7) == CONTACT
    [seen] = respondio.seen
    assert seen.headers["authorization"] == f"Bearer {TOKEN}"


async def test_posts_the_bodies_respond_io_expects(respondio, client):
    for path in ("assignee", "status"):
        respondio.on("POST", f"/contact/id:7/conversation/{path}", answer(200, {"contactId": 7}))
    respondio.on("POST", "/contact/id:7/comment", answer(200, {"contactId": 7, "text": "hi"}))
    respondio.on("POST", "/contact/id:7/message", answer(200, {"messageId": 99}))
    for method in ("POST", "DELETE"):
        respondio.on(method, "/contact/id:7/tag", answer(200, {"contactId": 7}))

    await client.assign(7, 101)
    await client.assign(7, None)
    await client.set_conversation_status(7, "close")
    await client.set_conversation_status(7, "close", category="Resolved", summary="Refund sent")
    await client.set_conversation_status(7, "open")
    await client.create_comment(7, "hi {{@user.101}}")
    assert await client.send_message(7, "hello") == 99
    assert await client.send_message(7, "hello", channel_id=2) == 99
    await client.add_tags(7, ["vip", "refund"])
    await client.remove_tags(7, ["refund"])

    assert [(seen.method, seen.path, seen.body) for seen in respondio.seen] == [
        ("POST", "/contact/id:7/conversation/assignee", {"assignee": 101}),
        ("POST", "/contact/id:7/conversation/assignee", {"assignee": None}),
        ("POST", "/contact/id:7/conversation/status", {"status": "close"}),
        (
            "POST",
            "/contact/id:7/conversation/status",
            {"status": "close", "category": "Resolved", "summary": "Refund sent"},
        ),
        ("POST", "/contact/id:7/conversation/status", {"status": "open"}),
        ("POST", "/contact/id:7/comment", {"text": "hi {{@user.101}}"}),
        ("POST", "/contact/id:7/message", {"message": {"type": "text", "text": "hello"}}),
        ("POST", "/contact/id:7/message", {"channelId": 2, "message": {"type": "text", "text": "hello"}}),
        ("POST", "/contact/id:7/tag", ["vip", "refund"]),
        ("DELETE", "/contact/id:7/tag", ["refund"]),
    ]


async def test_more_tags_than_respond_io_takes_at_once_go_in_several_calls(respondio, client):
    respondio.on("POST", "/contact/id:7/tag", answer(200, {"contactId": 7}))
    tags = [f"tag-{n}" for n in range(MAX_TAGS_PER_CALL * 2 + 1)]

    await client.add_tags(7, tags)

    sent = [seen.body for seen in respondio.requests_to("POST", "/contact/id:7/tag")]
    assert sent == [tags[:MAX_TAGS_PER_CALL], tags[MAX_TAGS_PER_CALL:-1], tags[-1:]]


async def test_list_channels_reads_every_page(respondio, client):
    channels = [{"id": n, "name": f"Channel {n}", "source": "whatsapp", "created_at": 1700000000} for n in range(120)]
    respondio.on("GET", "/space/channel", pages(channels))

    assert await client.list_channels() == channels
    assert len(respondio.requests_to("GET", "/space/channel")) == 2


@pytest.mark.parametrize(
    ("status", "kind", "retryable", "advice"),
    [
        (400, RespondIORejected, False, "assignee must be a user of the workspace"),
        (401, RespondIOUnauthorized, True, "HANDOFF_RESPONDIO_TOKEN"),  # fixing the token mends it
        (403, RespondIOUnauthorized, True, "HANDOFF_RESPONDIO_TOKEN"),
        (404, RespondIONotFound, False, "does not exist in this workspace"),
        (422, RespondIORejected, False, "assignee must be a user of the workspace"),
        (500, RespondIOUnavailable, True, "try again later"),
        (503, RespondIOUnavailable, True, "try again later"),
    ],
)
async def test_error_statuses_say_whether_to_retry_and_what_to_fix(respondio, client, status, kind, retryable, advice):
    body = {"code": status, "message": "assignee must be a user of the workspace"}
    respondio.on("POST", "/contact/id:7/conversation/assignee", answer(status, body))

    with pytest.raises(kind) as caught:
        await client.assign(7, 999)

    error = caught.value
    assert (error.status, error.retryable, error.retry_after) == (status, retryable, None)
    assert (error.method, error.path) == ("POST", "/contact/id:7/conversation/assignee")
    assert error.message == "assignee must be a user of the workspace"
    assert advice in str(error)
    assert TOKEN not in str(error)


async def test_error_without_json_body_reports_the_text(respondio, client):
    respondio.on("GET", "/contact/id:7", answer(502, "upstream gone"))

    with pytest.raises(RespondIOUnavailable) as caught:
        await client.get_contact(7)

    assert caught.value.message == "upstream gone"


async def test_rate_limited_carries_retry_after(respondio, client):
    body = {"code": 429, "message": "Too many requests"}
    respondio.on("GET", "/contact/id:7", answer(429, body, {"Retry-After": "12", "X-RateLimit-Remaining": "0"}))

    with pytest.raises(RespondIORateLimited) as caught:
        await client.get_contact(7)

    assert (caught.value.retryable, caught.value.retry_after) == (True, 12.0)
    assert "Retry after 12 s" in str(caught.value)


@pytest.mark.parametrize(("headers", "expected"), [({"Retry-After": "2"}, 2.0), (None, QUEUED_RETRY_SECONDS)])
async def test_queued_449_is_retryable_after_a_few_seconds(respondio, client, headers, expected):
    respondio.on("GET", "/contact/id:7", answer(449, {"code": 449, "message": "Request queued"}, headers))

    with pytest.raises(RespondIORateLimited) as caught:
        await client.get_contact(7)

    assert (caught.value.status, caught.value.retryable, caught.value.retry_after) == (449, True, expected)


async def test_network_failures_propagate_as_transport_errors(unreachable):
    async with RespondIOClient(unreachable) as api:
        with pytest.raises(httpx.TransportError):
            await api.get_contact(7)


async def test_list_users_reads_every_page(respondio, client):
    users = [{"id": n, "firstName": f"User{n}", "lastName": "", "email": f"u{n}@example.com"} for n in range(250)]
    respondio.on("GET", "/space/user", pages(users))

    assert await client.list_users() == users
    assert [seen.query for seen in respondio.requests_to("GET", "/space/user")] == [
        {"limit": "100"},
        {"limit": "100", "cursorId": "100"},
        {"limit": "100", "cursorId": "200"},
    ]


async def test_iter_messages_fetches_pages_only_as_the_caller_reads(respondio, client):
    messages = [{"messageId": n} for n in range(10, 0, -1)]
    respondio.on("GET", "/contact/id:7/message/list", pages(messages))

    read = []
    async for message in client.iter_messages(7, page_size=3):
        read.append(message["messageId"])
        if len(read) == 4:
            break

    assert read == [10, 9, 8, 7]
    assert len(respondio.requests_to("GET", "/contact/id:7/message/list")) == 2


async def test_the_token_never_shows(settings, client):
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert TOKEN not in repr(client)


async def test_speaks_real_http_to_a_respond_io_compatible_server(tmp_path):
    sandbox = SandboxSettings(db=str(tmp_path / "inbox.db"), port=0, token="real-http-token")
    async with running_sandbox(sandbox) as url:
        async with RespondIOClient(RespondIOConfig(token="real-http-token", base_url=f"{url}/v2")) as api:
            users = await api.list_users()
            with pytest.raises(RespondIONotFound):
                await api.get_contact(987654)
        async with RespondIOClient(RespondIOConfig(token="wrong", base_url=f"{url}/v2")) as api:
            with pytest.raises(RespondIOUnauthorized):
                await api.list_users()

    assert len(users) >= 6 and all({"id", "email", "firstName"} <= user.keys() for user in users)


async def test_the_contact_steps_speak_real_http_to_the_sandbox(tmp_path):
    sandbox = SandboxSettings(db=str(tmp_path / "inbox.db"), port=0, token="real-http-token")
    async with running_sandbox(sandbox) as url:
        async with httpx.AsyncClient(base_url=f"{url}/sandbox") as world:
            assert (await world.post("/contacts/5/customer-message", json={"text": "hi", "channelId": 2})).is_success
        async with RespondIOClient(RespondIOConfig(token="real-http-token", base_url=f"{url}/v2")) as api:
            channels = await api.list_channels()
            message_id = await api.send_message(5, "Hold on", channel_id=2)
            await api.add_tags(5, ["vip", "waiting"])
            await api.remove_tags(5, ["waiting"])
            await api.set_conversation_status(5, "close", category="Resolved", summary="Answered")
            contact = await api.get_contact(5)
            newest, *_ = [message async for message in api.iter_messages(5)]
            with pytest.raises(RespondIORejected):
                await api.send_message(5, "Elsewhere", channel_id=1)

    assert [(channel["id"], channel["source"]) for channel in channels] == [(1, "whatsapp"), (2, "facebook")]
    assert (contact["tags"], contact["status"]) == (["vip"], "close")
    assert (newest["messageId"], newest["channelId"], newest["sender"]) == (message_id, 2, {"source": "api"})
