"""The subset of respond.io's Developer API v2 that Handoff uses, under ``/v2``."""

import hmac
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import AfterValidator, Field, field_validator

from sandbox.contact_filter import ContactListBody, StrictBody
from sandbox.errors import ApiError
from sandbox.faults import FaultInjector
from sandbox.inbox import Inbox
from sandbox.store import Page


async def authorize(request: Request) -> None:
    """Require ``Authorization: Bearer <token>`` with the sandbox's token (or the one it was rotated to)."""
    faults: FaultInjector = request.app.state.faults
    if faults.revoked:
        raise ApiError(
            401,
            "Unauthorized: this access token has been revoked; generate a new one in Settings > Integrations.",
            {"WWW-Authenticate": "Bearer"},
        )
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = faults.token or request.app.state.settings.token
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise ApiError(
            401,
            "Unauthorized: send 'Authorization: Bearer <token>' with the sandbox token (HANDOFF_SANDBOX_TOKEN).",
            {"WWW-Authenticate": "Bearer"},
        )


async def rate_limit(request: Request, response: Response) -> None:
    """Count the request against its method and route; over the limit, answer 429 with ``Retry-After``.

    The ``X-RateLimit-*`` headers go on every answer, errors included.
    """
    limiter = request.app.state.limiter
    if not limiter.per_second:
        return
    verdict = limiter.hit(f"{request.method} {request.scope['route'].path}")
    if not verdict.allowed:
        raise ApiError(
            429,
            f"Too many requests: at most {verdict.limit} per second on this endpoint; "
            f"retry after {verdict.retry_after} s.",
            verdict.headers(),
        )
    request.state.response_headers = verdict.headers()
    response.headers.update(verdict.headers())


async def inject_faults(request: Request) -> None:
    """The faults switched on (``sandbox.faults``): a stall, a 429, a 449 or a 500 before the request is handled."""
    faults: FaultInjector = request.app.state.faults
    await faults.before_request()


async def get_inbox(request: Request) -> Inbox:
    inbox: Inbox = request.app.state.inbox
    return inbox


async def contact_id(identifier: str, inbox: Annotated[Inbox, Depends(get_inbox)]) -> int:
    """The contact named by the path's ``{identifier}``: 400 when malformed, 404 when unknown."""
    return inbox.find_contact(identifier)


InboxDep = Annotated[Inbox, Depends(get_inbox)]
ContactId = Annotated[int, Depends(contact_id)]
Limit = Annotated[int, Query(ge=1, le=100)]

# In this order: a refused token, then the rate limit (its headers go on a fault's answer too), then the faults.
router = APIRouter(prefix="/v2", dependencies=[Depends(authorize), Depends(rate_limit), Depends(inject_faults)])


def paginated(request: Request, items: list[dict[str, Any]], page: Page) -> dict[str, Any]:
    """respond.io's list body: the items and full URLs of the next and previous pages."""
    url = request.url
    next_url = str(url.include_query_params(cursorId=page.next_cursor)) if page.next_cursor is not None else None
    if not page.has_previous:
        previous_url = None
    elif page.previous_cursor is None:
        previous_url = str(url.remove_query_params("cursorId"))
    else:
        previous_url = str(url.include_query_params(cursorId=page.previous_cursor))
    return {"items": items, "pagination": {"next": next_url, "previous": previous_url}}


class AssigneeBody(StrictBody):
    assignee: int | str | None
    """A user id, a user's email, or null to unassign."""


class StatusBody(StrictBody):
    """Open or close; the closing note's limits are those respond.io's MCP server documents (API_REFERENCE.md)."""

    status: Literal["open", "close"]
    category: str | None = Field(default=None, max_length=128)
    summary: str | None = Field(default=None, max_length=512)

    @field_validator("category", "summary", mode="before")
    @classmethod
    def _not_null(cls, note: Any) -> Any:
        """respond.io's TypeScript SDK types a note ``category?: string``, so it is left out or a string, never null
        (a default is not validated: a note left out is still None)."""
        if note is None:
            raise ValueError("leave the note out rather than send null")
        return note


class CommentBody(StrictBody):
    text: str = Field(min_length=1, max_length=1000)


class TextMessage(StrictBody):
    type: Literal["text"]
    text: str = Field(min_length=1, max_length=4096)
    """4096 is assumed (respond.io documents no limit; WhatsApp's is 4096)."""


class MessageBody(StrictBody):
    channelId: int | None = None
    """Null or left out: the contact's last channel (the SDK types it ``channelId?: number | null``)."""
    message: TextMessage


def _not_blank(tag: str) -> str:
    if not tag.strip():
        raise ValueError("a tag name needs a character other than white space")
    return tag


TagName = Annotated[str, Field(min_length=1, max_length=255), AfterValidator(_not_blank)]
TagNames = Annotated[list[TagName], Body(min_length=1, max_length=10)]
"""The tag endpoints' body: a bare JSON array of 1 to 10 names of at most 255 characters (respond.io's TypeScript
SDK, ``addTags``); that a name may not be blank is assumed."""


@router.get("/contact/{identifier}")
async def get_contact(contact: ContactId, inbox: InboxDep) -> dict[str, Any]:
    return inbox.contact(contact)


@router.post("/contact/{identifier}/conversation/assignee")
async def assign(contact: ContactId, body: AssigneeBody, inbox: InboxDep) -> dict[str, Any]:
    inbox.assign(contact, body.assignee)
    return {"contactId": contact}


@router.post("/contact/{identifier}/conversation/status")
async def set_status(contact: ContactId, body: StatusBody, inbox: InboxDep) -> dict[str, Any]:
    inbox.set_status(contact, body.status, "api", body.category, body.summary)
    return {"contactId": contact}


@router.post("/contact/{identifier}/tag")
async def add_tags(contact: ContactId, tags: TagNames, inbox: InboxDep) -> dict[str, Any]:
    """Tag the contact; a tag it has already changes nothing."""
    inbox.tag(contact, tags, remove=False)
    return {"contactId": contact}


@router.delete("/contact/{identifier}/tag")
async def remove_tags(contact: ContactId, tags: TagNames, inbox: InboxDep) -> dict[str, Any]:
    """Untag the contact; a tag it lacks changes nothing."""
    inbox.tag(contact, tags, remove=True)
    return {"contactId": contact}


@router.post("/contact/{identifier}/comment")
async def comment(contact: ContactId, body: CommentBody, inbox: InboxDep) -> dict[str, Any]:
    return inbox.comment(contact, body.text)


@router.post("/contact/list")
async def list_contacts(
    request: Request, body: ContactListBody, inbox: InboxDep, limit: Limit = 10, cursorId: int | None = None
) -> dict[str, Any]:
    """Contacts matching the filter, by id; the next page is the same body sent to ``pagination.next``."""
    items, page = inbox.contact_page(body.filter, limit, cursorId)
    return paginated(request, items, page)


@router.get("/contact/{identifier}/message/list")
async def list_messages(
    request: Request, contact: ContactId, inbox: InboxDep, limit: Limit = 10, cursorId: int | None = None
) -> dict[str, Any]:
    items, page = inbox.message_page(contact, limit, cursorId)
    return paginated(request, items, page)


@router.post("/contact/{identifier}/message")
async def send_message(contact: ContactId, body: MessageBody, inbox: InboxDep) -> dict[str, Any]:
    """A text message (sender source ``api``) on ``channelId``, which must be a channel the contact is on, or else on
    the contact's last channel."""
    return {"messageId": inbox.send(contact, body.message.text, "api", channel_id=body.channelId)}


@router.get("/space/user")
async def list_users(
    request: Request, inbox: InboxDep, limit: Limit = 10, cursorId: int | None = None
) -> dict[str, Any]:
    items, page = inbox.user_page(limit, cursorId)
    return paginated(request, items, page)


@router.get("/space/channel")
async def list_channels(
    request: Request, inbox: InboxDep, limit: Limit = 10, cursorId: int | None = None
) -> dict[str, Any]:
    items, page = inbox.channel_page(limit, cursorId)
    return paginated(request, items, page)
