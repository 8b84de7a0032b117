"""Handoff wired as in production, in this process: the webhook receiver and a real worker on the session's
dev server, the sandbox inbox sending them signed webhooks over real HTTP."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from temporalio.client import Client, WorkflowHandle
from temporalio.runtime import Runtime

from activities.respondio import RespondIOClient
from activities.respondio_config import RespondIOConfig
from models.ids import escalation_workflow_id
from roster.client import RosterClient, RosterNews
from sandbox.server import running_sandbox
from sandbox.settings import SandboxSettings, Subscription
from starter.receiver import WEBHOOK_PATH, create_receiver
from starter.serving import serving
from worker.activities import handoff_activities
from worker.build import build_worker
from worker.settings import Settings
from workflows.escalation import Escalation
from workflows.escalation_types import EscalationResult
from workflows.policy import Policy

EVENTS = ["conversation.opened", "conversation.closed", "message.sent", "contact.assignee.updated"]
TIER_2 = (201, 202, 203)


@dataclass
class Wired:
    client: Client
    inbox: httpx.AsyncClient
    """The sandbox: its world routes at ``/sandbox`` and respond.io's API at ``/v2``."""
    roster: RosterClient

    async def contact(self, contact_id: int) -> dict[str, Any]:
        contact = await self.inbox.get(f"/v2/contact/id:{contact_id}")
        contact.raise_for_status()
        return dict(contact.json())

    async def assigned(self, contact_id: int, deadline: float = 20) -> int:
        """Poll respond.io's side until the conversation has an assignee; return its id as soon as it has."""
        async with asyncio.timeout(deadline):
            while not (assignee := (await self.contact(contact_id))["assignee"]):
                await asyncio.sleep(0.002)
        return int(assignee["id"])

    async def world(self, contact_id: int) -> dict[str, Any]:
        """The sandbox's record of the contact: assignee, comments, messages, conversations."""
        state = (await self.inbox.get("/sandbox/state")).json()
        return dict(next(c for c in state["contacts"] if c["id"] == contact_id))

    def handle(self, contact_id: int) -> WorkflowHandle[Escalation, EscalationResult]:
        """The contact's latest escalation run (its ``result()`` follows any hand-over to a newer run)."""
        return self.client.get_workflow_handle_for(Escalation.run, escalation_workflow_id(contact_id))

    async def post(self, path: str, **body: Any) -> None:
        (await self.inbox.post(path, json=body)).raise_for_status()


async def _with_runtime(client: Client, runtime: Runtime) -> Client:
    """Another connection to the same server, recording the SDK's metrics in ``runtime``."""
    return await Client.connect(
        client.service_client.config.target_host,
        namespace=client.namespace,
        data_converter=client.data_converter,
        runtime=runtime,
    )


def new_contact() -> int:
    return 700_000 + uuid.uuid4().int % 10**8


@asynccontextmanager
async def wired(
    dev_server: Any,
    tmp_path: Any,
    policy: Policy,
    events: list[str] = EVENTS,
    runtime: Runtime | None = None,
    tuning: dict[str, Any] | None = None,
    **sandbox: Any,
) -> AsyncIterator[Wired]:
    """Receiver, worker and sandbox on a fresh task queue, Tier 2 online; ``events`` are the webhooks sent.

    ``runtime`` (one serving metrics) connects the worker and the receiver; ``tuning`` adds to their settings.
    """
    queue = f"wired-{uuid.uuid4()}"
    keys = {event: f"key-{event}-{uuid.uuid4().hex[:8]}" for event in events}
    settings = Settings(task_queue=queue, webhook_keys=list(keys.values()), **(tuning or {}))
    client = dev_server.client if runtime is None else await _with_runtime(dev_server.client, runtime)

    async def connect() -> Client:
        return client

    async with serving(create_receiver(settings, policy, connect, runtime)) as receiver:
        subscriptions = [Subscription(event=e, url=f"{receiver}{WEBHOOK_PATH}", signing_key=k) for e, k in keys.items()]
        sandbox_settings = SandboxSettings(
            db=str(tmp_path / f"inbox-{queue}.db"), port=0, rate_limit=0, webhooks=subscriptions, **sandbox
        )
        async with running_sandbox(sandbox_settings) as url:
            token = {"Authorization": f"Bearer {sandbox_settings.token}"}
            roster = RosterClient(client, queue, settings.roster())
            async with (
                RespondIOClient(RespondIOConfig(token=sandbox_settings.token, base_url=f"{url}/v2")) as api,
                httpx.AsyncClient(base_url=url, headers=token, timeout=10) as inbox,
                build_worker(client, settings, handoff_activities(api, roster)),
            ):
                for agent_id in TIER_2:
                    await roster.tell(RosterNews.presence(agent_id, True))
                yield Wired(client, inbox, roster)
