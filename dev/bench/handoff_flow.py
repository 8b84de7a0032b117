"""Handoff as it runs for real: ``handoff up --sandbox`` (dev server, sandbox inbox, worker, receiver), told
of each opening by a signed ``conversation.opened`` webhook the benchmark sends at its own pace."""

import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client, WorkflowFailureError
from temporalio.contrib.pydantic import pydantic_data_converter

from bench.figures import HANDOFF
from bench.inbox import BenchInbox
from bench.policy import write_bench_policy
from bench.ports import free_stack_ports
from models.ids import escalation_workflow_id
from roster.client import RosterClient, RosterNews
from sandbox.webhooks import sign
from starter.escalations import escalation_handle
from starter.receiver import WEBHOOK_PATH
from starter.stack import WEBHOOK_EVENTS, Stack, StackConfig
from worker.settings import Settings
from workflows.escalation import Escalation
from workflows.escalation_types import Outcome

OPENED = "conversation.opened"


class OpeningRefused(Exception):
    """The receiver did not start an escalation for an opening."""


class HandoffFlow:
    name = HANDOFF
    workflow_type = Escalation.__name__

    def __init__(
        self, client: Client, inbox: BenchInbox, receiver: httpx.AsyncClient, key: str, pids: dict[str, int], wait: int
    ):
        self.client = client
        self.inbox = inbox
        self.pids = pids
        self._receiver = receiver
        self._key = key
        self._wait = wait

    async def open(self, contact_id: int) -> float:
        """The customer writes in the inbox, then respond.io's webhook arrives: the receiver's answer is timed."""
        await self.inbox.open_conversation(contact_id)
        body = json.dumps(_opened(contact_id)).encode()
        headers = {"Content-Type": "application/json", "X-Webhook-Signature": sign(self._key, body)}
        sent = time.perf_counter()
        answer = await self._receiver.post(WEBHOOK_PATH, content=body, headers=headers)
        took = time.perf_counter() - sent
        if answer.status_code != 200 or answer.json().get("result") != "started":
            raise OpeningRefused(f"the receiver answered {answer.status_code}: {answer.text[:200]}")
        return took

    def workflow_id(self, contact_id: int) -> str:
        return escalation_workflow_id(contact_id)

    async def lateness(self, contact_id: int) -> float | None:
        handle = escalation_handle(self.client, contact_id)
        try:
            result = await handle.result()
        except WorkflowFailureError:  # terminated: it had not finished when the benchmark stopped waiting
            return None
        if result.outcome != Outcome.ESCALATED or len(result.history) < 2:
            return None
        first, second = result.history[0], result.history[1]
        return (second.assigned_at - first.assigned_at).total_seconds() - self._wait


def _opened(contact_id: int) -> dict[str, Any]:
    """A ``conversation.opened`` shaped like respond.io's (and the sandbox's)."""
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": OPENED,
        "contact": {"id": contact_id, "firstName": "Bench", "lastName": str(contact_id), "assignee": None},
        "conversation": {"openedTime": time.time_ns() // 1_000_000, "openedBySource": "contact"},
    }


@asynccontextmanager
async def running_handoff(data_dir: Path, wait_seconds: int, settings: Settings) -> AsyncIterator[HandoffFlow]:
    """A fresh stack in ``data_dir`` on free ports, every agent online; stopped on leaving."""
    data_dir.mkdir(parents=True)
    config = StackConfig.from_settings(
        settings,
        sandbox=True,
        data_dir=data_dir,
        policy=write_bench_policy(data_dir / "bench-policy.yaml", wait_seconds),
        **free_stack_ports(),
    )
    # The benchmark sends the openings itself, to time them; and respond.io's rate limit, which the sandbox
    # plays, would measure the sandbox rather than Handoff (the bare flow's sandbox has none either).
    config = replace(config, sandbox_events=tuple(e for e in WEBHOOK_EVENTS if e != OPENED), sandbox_rate_limit=0)
    async with Stack(config) as stack:
        client = await Client.connect(config.temporal_address, data_converter=pydantic_data_converter)
        inbox = BenchInbox(config.sandbox_url, stack.secrets["sandbox_token"])
        limits = httpx.Limits(max_connections=100)
        try:
            roster = RosterClient(client, config.task_queue, settings.roster())
            for agent_id in await inbox.agent_ids():
                await roster.tell(RosterNews.presence(agent_id, True))
            async with httpx.AsyncClient(base_url=config.receiver_url, timeout=60, limits=limits) as receiver:
                pids = {child.name: child.process.pid for child in stack.children if child.process}
                yield HandoffFlow(
                    client,
                    inbox,
                    receiver,
                    stack.secrets["webhook_keys"][OPENED],
                    {"worker": pids["worker"], "server": pids["temporal"]},
                    wait_seconds,
                )
        finally:
            await inbox.aclose()
