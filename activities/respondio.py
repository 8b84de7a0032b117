"""A small async client for respond.io's Developer API v2: the calls Handoff makes, with errors that say what to fix."""

from collections.abc import AsyncGenerator
from typing import Any, Literal

import httpx

from activities.metrics import NETWORK_FAILURE, count_api_call
from activities.respondio_config import RespondIOConfig

JSONObject = dict[str, Any]
"""A JSON object as respond.io sends it (a contact, a message, a user, an answer to a change)."""

QUEUED_RETRY_SECONDS = 5.0
"""How long to wait after a 449 ("request queued, retry later") that names no ``Retry-After``."""

MAX_TAGS_PER_CALL = 10
"""The most tag names respond.io takes in one add or remove call."""


class RespondIOError(Exception):
    """respond.io answered with a non-2xx status; ``retryable`` says whether trying again can help.

    ``retry_after`` is respond.io's ``Retry-After`` in seconds, when it gave one.
    """

    retryable = False
    hint = "Fix the request as respond.io's message says."

    def __init__(self, status: int, message: str, method: str, path: str, retry_after: float | None = None):
        self.status = status
        self.message = message
        self.method = method
        self.path = path
        self.retry_after = retry_after
        wait = f" Retry after {retry_after:g} s." if retry_after is not None else ""
        super().__init__(f"respond.io answered {status} to {method} {path}: {message.rstrip('.')}. {self.hint}{wait}")


class RespondIORejected(RespondIOError):
    """The request itself is wrong (400 and other 4xx): retrying the same request cannot help."""


class RespondIOUnauthorized(RespondIORejected):
    """401/403: the token is missing, revoked, or lacks access. Retryable: the same request works again once
    someone fixes the token, so escalations wait for that rather than fail."""

    retryable = True
    hint = "Check HANDOFF_RESPONDIO_TOKEN: it must be a valid API access token of this respond.io workspace."


class RespondIONotFound(RespondIORejected):
    """404: the contact or user is not in the workspace the token belongs to."""

    hint = "The contact or user does not exist in this workspace; check the id and that the token is this workspace's."


class RespondIORateLimited(RespondIOError):
    """429 (too many requests) or 449 (request queued): try again after ``retry_after`` seconds."""

    retryable = True
    hint = "respond.io is limiting the request rate or has queued the request; try again later."


class RespondIOUnavailable(RespondIOError):
    """5xx: respond.io failed on its side."""

    retryable = True
    hint = "respond.io failed on its side; try again later."


def _error_class(status: int) -> type[RespondIOError]:
    if status in (429, 449):
        return RespondIORateLimited
    if status >= 500:
        return RespondIOUnavailable
    if status in (401, 403):
        return RespondIOUnauthorized
    return RespondIONotFound if status == 404 else RespondIORejected


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return QUEUED_RETRY_SECONDS if response.status_code == 449 else None


def _error_message(response: httpx.Response) -> str:
    """respond.io's ``{"code", "message"}`` body, or the start of whatever else it sent."""
    try:
        message = response.json().get("message")
    except (ValueError, AttributeError):
        message = None
    return str(message or response.text[:300] or response.reason_phrase)


class RespondIOClient:
    """One HTTP connection pool per worker, configured once: the API root, the bearer token, JSON, the timeout.

    ``transport`` replaces the network (``httpx.MockTransport`` in unit tests). Close the client with
    ``aclose()`` or by leaving ``async with``.

    Paths, bodies and answers are those of respond.io's own code on GitHub: the TypeScript SDK
    (respond-io/typescript-sdk, ``src/clients/*.ts``, ``src/types/*.ts``), the MCP server (respond-io/mcp-server,
    ``API_REFERENCE.md``, ``src/tools/*.ts``) and the n8n node (respond-io/n8n-integration,
    ``nodes/Respondio/handlers/*``). A method says where it rests on less.
    """

    def __init__(self, config: RespondIOConfig, transport: httpx.AsyncBaseTransport | None = None):
        self._http = httpx.AsyncClient(
            base_url=config.base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {config.token.get_secret_value()}", "Accept": "application/json"},
            timeout=config.timeout,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"RespondIOClient(base_url={str(self._http.base_url)!r})"

    async def __aenter__(self) -> "RespondIOClient":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None
    ) -> JSONObject:
        """Send one request; a non-2xx answer raises ``RespondIOError``, a network failure ``httpx.TransportError``."""
        try:
            response = await self._http.request(method, path, params=params, json=json)
        except httpx.TransportError:
            count_api_call(method, path, NETWORK_FAILURE)
            raise
        count_api_call(method, path, str(response.status_code))
        if response.is_success:
            body: JSONObject = response.json() if response.content else {}  # respond.io answers with JSON objects
            return body
        raise _error_class(response.status_code)(
            response.status_code, _error_message(response), method, path, _retry_after(response)
        )

    async def _items(
        self, path: str, page_size: int, method: str = "GET", json: Any = None
    ) -> AsyncGenerator[JSONObject, None]:
        """Items of a paginated list, page by page, so the caller can stop before the last page; a listing
        by ``POST`` sends the same ``json`` body for every page.

        Only the ``cursorId`` of ``pagination.next`` is used: the token is never sent to a URL from a response.
        """
        params: dict[str, Any] = {"limit": page_size}
        while True:
            page = await self._call(method, path, params=params, json=json)
            for item in page.get("items") or []:
                yield item
            next_url = (page.get("pagination") or {}).get("next")
            cursor = httpx.URL(next_url).params.get("cursorId") if next_url else None
            if cursor is None:
                return
            params = {"limit": page_size, "cursorId": cursor}

    async def get_contact(self, contact_id: int) -> JSONObject:
        return await self._call("GET", f"/contact/id:{contact_id}")

    def iter_messages(self, contact_id: int, page_size: int = 20) -> AsyncGenerator[JSONObject, None]:
        """The contact's messages, newest first, fetched one page at a time as the caller reads on."""
        return self._items(f"/contact/id:{contact_id}/message/list", page_size)

    def iter_contacts(self, contact_filter: JSONObject, page_size: int = 100) -> AsyncGenerator[JSONObject, None]:
        """Contacts matching ``contact_filter`` (``{"$and" | "$or": [{category, field, operator, value}]}``), one
        page at a time as the caller reads on."""
        body = {"search": "", "timezone": "UTC", "filter": contact_filter}
        return self._items("/contact/list", page_size, method="POST", json=body)

    async def assign(self, contact_id: int, assignee: int | str | None) -> JSONObject:
        """Assign the contact's conversation to a user id or email; ``None`` unassigns it."""
        return await self._call("POST", f"/contact/id:{contact_id}/conversation/assignee", json={"assignee": assignee})

    async def set_conversation_status(
        self,
        contact_id: int,
        status: Literal["open", "close"],
        category: str | None = None,
        summary: str | None = None,
    ) -> JSONObject:
        """Open or close; a close may carry a closing note (category at most 128 characters, summary at most 512,
        per the MCP server's reference). Unset notes are left out. Whether respond.io holds the category to the
        workspace's closing notes (``GET /space/closing_notes``) is undocumented."""
        notes = {"category": category, "summary": summary}
        body = {"status": status, **{name: note for name, note in notes.items() if note is not None}}
        return await self._call("POST", f"/contact/id:{contact_id}/conversation/status", json=body)

    async def create_comment(self, contact_id: int, text: str) -> JSONObject:
        """An internal note (at most 1000 characters; mention users as ``{{@user.ID}}``)."""
        return await self._call("POST", f"/contact/id:{contact_id}/comment", json={"text": text})

    async def send_message(self, contact_id: int, text: str, channel_id: int | None = None) -> int:
        """Send a text message and answer its id; without ``channel_id`` respond.io sends on the channel the contact
        last interacted on."""
        body: JSONObject = {"message": {"type": "text", "text": text}}
        if channel_id is not None:
            body["channelId"] = channel_id
        answer = await self._call("POST", f"/contact/id:{contact_id}/message", json=body)
        return int(answer["messageId"])

    async def add_tags(self, contact_id: int, tags: list[str]) -> None:
        """``POST /contact/{identifier}/tag``, the body a bare JSON array of tag names."""
        await self._tags("POST", contact_id, tags)

    async def remove_tags(self, contact_id: int, tags: list[str]) -> None:
        """``DELETE /contact/{identifier}/tag``, with the same body."""
        await self._tags("DELETE", contact_id, tags)

    async def _tags(self, method: str, contact_id: int, tags: list[str]) -> None:
        """respond.io takes 1 to ``MAX_TAGS_PER_CALL`` names (each at most 255 characters) a call, so a longer list
        goes in several."""
        for start in range(0, len(tags), MAX_TAGS_PER_CALL):
            await self._call(method, f"/contact/id:{contact_id}/tag", json=tags[start : start + MAX_TAGS_PER_CALL])

    async def list_users(self) -> list[JSONObject]:
        """Every user of the workspace, across all pages."""
        return [user async for user in self._items("/space/user", 100)]

    async def list_channels(self) -> list[JSONObject]:
        """Every channel of the workspace (``{id, name, source, created_at}``), across all pages."""
        return [channel async for channel in self._items("/space/channel", 100)]
