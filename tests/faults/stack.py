"""A fault case's stack: `handoff up --sandbox`'s processes on free ports, with the means to break them.

The dev server keeps its SQLite database in the case's folder, so a killed server restarts on the same
state; the worker, the receiver and the sandbox inbox are the real processes `handoff up` runs.
"""

import signal
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError

from bench.pace import bounded
from bench.policy import write_bench_policy
from bench.ports import free_stack_ports
from models.ids import escalation_workflow_id
from starter.processes import Child
from starter.stack import Stack, StackConfig, http_ok, temporal_answers
from tests.faults.effects import LOST, Effects, count_effects
from tests.polling import until
from worker.settings import Settings
from workflows import search_attributes as sa
from workflows.escalation import Escalation
from workflows.versions import ESCALATIONS

T = TypeVar("T")

POLL_SECONDS = 0.5
AT_ONCE = 10
"""Calls made a few at a time: many result long-polls at once hit the dev server's poller limit."""


@dataclass
class FaultStack:
    stack: Stack
    client: Client
    sandbox: httpx.AsyncClient
    """The sandbox inbox's own routes (``/sandbox``), to play the customer, switch faults and read records."""

    @property
    def config(self) -> StackConfig:
        return self.stack.config

    def child(self, name: str) -> Child:
        return next(child for child in self.stack.children if child.name == name)

    # breaking and mending

    async def kill(self, name: str) -> None:
        """SIGKILL the child: no shutdown, no goodbye, as a crash or the OOM killer would end it."""
        process = self.child(name).process
        assert process is not None and process.returncode is None, f"{name} is not running"
        process.send_signal(signal.SIGKILL)
        await process.wait()

    async def restart(self, name: str) -> None:
        """Start the child again with the same command and environment, and wait until it answers."""
        answers = {
            "temporal": lambda: temporal_answers(self.config.temporal_address),
            "worker": lambda: http_ok(self.config.worker_metrics_url),  # then all_answer shows it polls
        }[name]
        child = self.child(name)
        await child.start()
        await child.ready(answers)

    async def set_faults(self, **faults: Any) -> None:
        """Replace the sandbox API's faults (``PUT /sandbox/faults``); no arguments heal everything."""
        (await self.sandbox.put("/sandbox/faults", json=faults)).raise_for_status()

    # playing and reading

    async def open_conversations(self, contact_ids: Collection[int]) -> None:
        """Each customer writes: the sandbox opens the conversation and tells the receiver by webhook."""

        async def write(contact_id: int) -> None:
            body = {"text": "Hello, is anyone there?", "firstName": "Fault"}
            answer = await self.sandbox.post(f"/sandbox/contacts/{contact_id}/customer-message", json=body)
            answer.raise_for_status()

        await bounded(AT_ONCE, list(contact_ids), write)

    async def count(self, condition: str) -> int:
        """Escalations matching a visibility query condition, e.g. ``HandoffStatus = 'waiting'``."""
        return (await self.client.count_workflows(f"{ESCALATIONS} AND {condition}")).count

    async def deadlines(self) -> list[datetime]:
        """When the running waits end (``HandoffDeadline`` of every escalation still waiting)."""
        query = f"{ESCALATIONS} AND ExecutionStatus = 'Running' AND HandoffStatus = 'waiting'"
        found = [run.typed_search_attributes.get(sa.DEADLINE) async for run in self.client.list_workflows(query)]
        return [deadline for deadline in found if deadline is not None]

    async def all_waiting(self, count: int, timeout: float = 120) -> None:
        """Until ``count`` escalations run and every one waits for its assignee's reply."""

        async def waiting() -> bool:
            return await self.count("ExecutionStatus = 'Running' AND HandoffStatus = 'waiting'") == count

        await until(waiting, f"{count} escalations waiting", timeout, every=POLL_SECONDS)

    async def all_answer(self, contact_ids: Collection[int], timeout: float = 120) -> None:
        """Until every escalation answers its state query: a worker has its history and serves it."""
        unanswered = set(contact_ids)

        async def ask(contact_id: int) -> None:
            handle = self.client.get_workflow_handle_for(Escalation.run, escalation_workflow_id(contact_id))
            try:
                await handle.query(Escalation.state, rpc_timeout=timedelta(seconds=10))
            except RPCError:  # no worker has it yet
                return
            unanswered.discard(contact_id)

        async def all_answered() -> bool:
            await bounded(AT_ONCE, sorted(unanswered), ask)
            return not unanswered

        await until(all_answered, "every escalation answered its state query", timeout, every=POLL_SECONDS)

    async def all_finished(self, timeout: float) -> None:
        async def finished() -> bool:
            return await self.count("ExecutionStatus = 'Running'") == 0

        await until(finished, "every escalation finished", timeout, every=POLL_SECONDS)

    async def outcomes(self, contact_ids: Collection[int]) -> dict[int, str]:
        """Each escalation's outcome from its result; ``LOST`` when it has none (running, failed, missing)."""
        found: dict[int, str] = {}

        async def read(contact_id: int) -> None:
            handle = self.client.get_workflow_handle_for(Escalation.run, escalation_workflow_id(contact_id))
            found[contact_id] = LOST
            try:
                description = await handle.describe()
            except RPCError:  # never started
                return
            if description.status == WorkflowExecutionStatus.COMPLETED:
                found[contact_id] = (await handle.result()).outcome.value

        await bounded(AT_ONCE, list(contact_ids), read)
        return found

    async def effects(self, contact_ids: Collection[int]) -> Effects:
        """What the case did, per conversation: the sandbox's records and Temporal's outcomes."""
        outcomes = await self.outcomes(contact_ids)
        state = (await self.sandbox.get("/sandbox/state")).json()
        return count_effects(state, outcomes)


@asynccontextmanager
async def fault_stack(data_dir: Path, wait_seconds: int) -> AsyncIterator[FaultStack]:
    """The whole stack in ``data_dir`` with the policy Tier 1 → wait → (open, no reply) Tier 2 → comment."""
    data_dir.mkdir(parents=True, exist_ok=True)
    config = StackConfig.from_settings(
        Settings(),
        sandbox=True,
        data_dir=data_dir,
        policy=write_bench_policy(data_dir / "policy.yaml", wait_seconds),
        **free_stack_ports(),
    )
    async with Stack(config) as stack, httpx.AsyncClient(base_url=config.sandbox_url, timeout=60) as sandbox:
        client = await Client.connect(config.temporal_address, data_converter=pydantic_data_converter)
        yield FaultStack(stack, client, sandbox)
