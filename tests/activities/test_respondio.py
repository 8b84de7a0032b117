"""The respond.io client: requests, errors and pagination against a scripted API (``httpx.MockTransport``),
and once over real HTTP against the sandbox inbox."""

import httpx
import pytest

from activities.respondio import (
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

    await client.assign(7, 101)
    await client.assign(7, None)
    await client.set_status(7, "close")
    await client.create_comment(7, "hi {{@user.101}}")
    assert await client.send_message(7, "hello") == {"messageId": 99}

    assert [(seen.path, seen.body) for seen in respondio.seen] == [
        ("/contact/id:7/conversation/assignee", {"assignee": 101}),
        ("/contact/id:7/conversation/assignee", {"assignee": None}),
        ("/contact/id:7/conversation/status", {"status": "close"}),
        ("/contact/id:7/comment", {"text": "hi {{@user.101}}"}),
        ("/contact/id:7/message", {"message": {"type": "text", "text": "hello"}}),
    ]


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
