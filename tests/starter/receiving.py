"""Helpers for the receiver tests: respond.io-shaped payloads, signed delivery, and a served receiver."""

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from temporalio.client import Client, WorkflowExecutionDescription
from temporalio.service import RPCError, RPCStatusCode

from models.ids import escalation_workflow_id
from sandbox.webhooks import sign
from starter.policy_file import load_policy
from starter.receiver import WEBHOOK_PATH, create_receiver
from starter.serving import serving
from worker.settings import Settings

KEYS = ["key-of-the-opened-subscription", "key-of-the-message-subscription"]
MAX_BODY = 4096
POLICY = load_policy()


def new_contact() -> int:
    """A contact id no other test uses: workflow ids are per contact."""
    return uuid.uuid4().int % 10**9


def event(event_type: str, contact_id: int, **details: Any) -> dict:
    """A webhook payload shaped like respond.io's (and the sandbox's)."""
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "contact": {"id": contact_id, "assignee": None},
        **details,
    }


def opened(contact_id: int, source: str = "contact", opened_time: int = 1_790_000_000_000) -> dict:
    return event("conversation.opened", contact_id, conversation={"openedTime": opened_time, "openedBySource": source})


async def deliver(
    http: httpx.AsyncClient, payload: dict | bytes, key: str = KEYS[0], content_type: str | None = "application/json"
) -> httpx.Response:
    """POST a payload signed with a subscription's key, as respond.io does (``content_type`` None: no header)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"X-Webhook-Signature": sign(key, body)} | ({"Content-Type": content_type} if content_type else {})
    return await http.post(WEBHOOK_PATH, content=body, headers=headers)


async def describe(client: Client, contact_id: int) -> WorkflowExecutionDescription | None:
    """The contact's latest escalation run, or None when there never was one."""
    try:
        return await client.get_workflow_handle(escalation_workflow_id(contact_id)).describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


@asynccontextmanager
async def receiving(settings: Settings, connect: Callable[[], Awaitable[Client]]) -> AsyncIterator[httpx.AsyncClient]:
    """Serve a receiver on a free port; yield an HTTP client pointed at it."""
    async with serving(create_receiver(settings, POLICY, connect)) as url, httpx.AsyncClient(base_url=url) as http:
        yield http
