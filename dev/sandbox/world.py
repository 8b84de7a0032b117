"""Sandbox-only routes under ``/sandbox``: play the customer and the agents, wire webhooks, look at state."""

from typing import Annotated, Any, Literal

import httpx
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from sandbox.api import InboxDep
from sandbox.errors import ApiError
from sandbox.faults import FaultInjector, Faults
from sandbox.inbox import EMAIL, PHONE
from sandbox.settings import Subscription

router = APIRouter(prefix="/sandbox")

Text = Annotated[str, Field(min_length=1)]


class CustomerMessage(BaseModel):
    """Name, phone and email are used only when the message creates the contact. ``channelId`` is where the customer
    writes: by default the contact's last channel (a new contact: the workspace's first)."""

    text: Text
    channelId: int | None = None
    firstName: str | None = None
    lastName: str | None = None
    phone: Annotated[str, Field(pattern=PHONE)] | None = None
    email: Annotated[str, Field(pattern=EMAIL)] | None = None


class AgentReply(BaseModel):
    userId: int
    text: Text


class AutomatedMessage(BaseModel):
    source: Literal["workflow", "ai_agent", "broadcast", "echo"]
    text: Text


class Close(BaseModel):
    byUserId: int | None = None


class Assign(BaseModel):
    userId: int | None
    byUserId: int


class Presence(BaseModel):
    online: bool


@router.post("/contacts/{contact_id}/customer-message")
async def customer_message(contact_id: int, body: CustomerMessage, inbox: InboxDep) -> dict[str, Any]:
    """The contact writes; a new contact is created, a closed conversation is opened (source ``contact``)."""
    message_id = inbox.receive(
        contact_id, body.text, body.firstName, body.lastName, body.phone, body.email, channel_id=body.channelId
    )
    return {"contactId": contact_id, "messageId": message_id}


@router.post("/contacts/{contact_id}/agent-reply")
async def agent_reply(contact_id: int, body: AgentReply, inbox: InboxDep) -> dict[str, Any]:
    """An agent replies in the inbox (sender source ``user``)."""
    return {"messageId": inbox.send(contact_id, body.text, "user", user_id=body.userId)}


@router.post("/contacts/{contact_id}/automated-message")
async def automated_message(contact_id: int, body: AutomatedMessage, inbox: InboxDep) -> dict[str, Any]:
    """A message no person wrote: a workflow, the AI agent, a broadcast, or an echo from another app."""
    return {"messageId": inbox.send(contact_id, body.text, body.source)}


@router.post("/contacts/{contact_id}/close")
async def close(contact_id: int, body: Close, inbox: InboxDep) -> dict[str, Any]:
    """An agent (``byUserId``) or the contact closes the conversation."""
    inbox.close_by(contact_id, body.byUserId)
    return {"contactId": contact_id}


@router.post("/contacts/{contact_id}/assign")
async def assign(contact_id: int, body: Assign, inbox: InboxDep) -> dict[str, Any]:
    """A person reassigns (or unassigns) the conversation in the inbox."""
    inbox.assign(contact_id, body.userId, by_user_id=body.byUserId)
    return {"contactId": contact_id}


@router.post("/agents/{user_id}/presence")
async def presence(user_id: int, body: Presence, inbox: InboxDep, request: Request) -> dict[str, Any]:
    """Set an agent online or offline, and tell Handoff when ``presence_url`` is configured."""
    agent = inbox.set_presence(user_id, body.online)
    settings = request.app.state.settings
    if settings.presence_url:
        headers = {"Authorization": f"Bearer {settings.presence_token}"} if settings.presence_token else {}
        url = f"{settings.presence_url.rstrip('/')}/{user_id}/presence"
        try:
            answer = await request.app.state.http.put(url, json={"online": body.online}, headers=headers)
        except httpx.TransportError as error:
            raise ApiError(502, f"Presence is stored, but {url} is unreachable ({error!r}); try again.") from error
        if not answer.is_success:
            raise ApiError(502, f"Presence is stored, but {url} answered {answer.status_code}: {answer.text[:200]}")
    return agent


@router.get("/state")
async def state(inbox: InboxDep) -> dict[str, Any]:
    return inbox.state()


@router.get("/faults")
async def get_faults(request: Request) -> Faults:
    """The faults of the ``/v2`` API in force (a rotated token shows as asterisks)."""
    faults: FaultInjector = request.app.state.faults
    return faults.faults


@router.put("/faults")
async def put_faults(body: Faults, request: Request) -> Faults:
    """Replace the faults of the ``/v2`` API: what the body leaves out is off again, ``{}`` heals everything."""
    faults: FaultInjector = request.app.state.faults
    faults.set(body)
    return faults.faults


@router.post("/webhooks", status_code=201)
async def add_webhook(body: Subscription, inbox: InboxDep) -> dict[str, Any]:
    return inbox.subscribe(body)


@router.get("/webhooks")
async def list_webhooks(inbox: InboxDep) -> list[dict[str, Any]]:
    return inbox.subscriptions()


@router.delete("/webhooks/{subscription_id}", status_code=204)
async def delete_webhook(subscription_id: int, inbox: InboxDep) -> None:
    inbox.unsubscribe(subscription_id)
