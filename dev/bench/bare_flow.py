"""The baseline environment: a Temporal dev server started as ``handoff up`` starts it, a sandbox inbox of
its own, and the bare worker in a child process; the benchmark starts each workflow directly."""

import secrets
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter

from bench.bare_workflow import BareEscalation, BareRequest, BareResult
from bench.figures import BARE
from bench.inbox import BenchInbox
from bench.ports import free_ports
from starter.binaries import temporal_binary
from starter.processes import Child
from starter.stack import dev_server_args, has_pollers, http_ok, temporal_answers

TASK_QUEUE = "bench-bare"


class BareFlow:
    name = BARE
    workflow_type = BareEscalation.__name__

    def __init__(self, client: Client, inbox: BenchInbox, pids: dict[str, int], wait: int):
        self.client = client
        self.inbox = inbox
        self.pids = pids
        self._wait = wait

    async def open(self, contact_id: int) -> None:
        """The customer writes in the inbox, then the workflow starts (nothing to time: no receiver)."""
        await self.inbox.open_conversation(contact_id)
        await self.client.start_workflow(
            BareEscalation.run,
            BareRequest(contact_id, self._wait),
            id=self.workflow_id(contact_id),
            task_queue=TASK_QUEUE,
        )

    def workflow_id(self, contact_id: int) -> str:
        return f"bare-contact-{contact_id}"

    async def lateness(self, contact_id: int) -> float | None:
        handle: WorkflowHandle[BareEscalation, BareResult] = self.client.get_workflow_handle_for(
            BareEscalation.run, self.workflow_id(contact_id)
        )
        try:
            result = await handle.result()
        except WorkflowFailureError:  # terminated: it had not finished when the benchmark stopped waiting
            return None
        if result.reassigned_at is None:
            return None
        return result.reassigned_at - result.started_at - self._wait


@asynccontextmanager
async def running_bare(data_dir: Path, wait_seconds: int) -> AsyncIterator[BareFlow]:
    """Server, sandbox and worker in ``data_dir`` on free ports; stopped on leaving, last started first."""
    data_dir.mkdir(parents=True)
    temporal_port, sandbox_port, ui_port, http_port, metrics_port = free_ports(5)
    token = secrets.token_urlsafe(32)
    address, sandbox_url = f"127.0.0.1:{temporal_port}", f"http://127.0.0.1:{sandbox_port}"
    logs = data_dir / "logs"
    children = [
        Child(
            "temporal",
            [
                temporal_binary("temporal"),
                *dev_server_args(temporal_port, ui_port, data_dir, http_port=http_port, metrics_port=metrics_port),
            ],
            logs / "temporal.log",
        ),
        Child(
            "sandbox",
            [sys.executable, "-m", "sandbox.server"],
            logs / "sandbox.log",
            {
                "HANDOFF_SANDBOX_DB": str((data_dir / "sandbox.db").resolve()),
                "HANDOFF_SANDBOX_PORT": str(sandbox_port),
                "HANDOFF_SANDBOX_TOKEN": token,
                "HANDOFF_SANDBOX_RATE_LIMIT": "0",
                "HANDOFF_SANDBOX_WEBHOOKS": "[]",
            },
        ),
        Child(
            "worker",
            [sys.executable, "-m", "bench.bare_worker"],
            logs / "worker.log",
            {
                "TEMPORAL_ADDRESS": address,
                "TEMPORAL_NAMESPACE": "default",
                "HANDOFF_TASK_QUEUE": TASK_QUEUE,
                "HANDOFF_RESPONDIO_BASE_URL": f"{sandbox_url}/v2",
                "HANDOFF_RESPONDIO_TOKEN": token,
            },
        ),
    ]
    ready = {
        "temporal": lambda: temporal_answers(address),
        "sandbox": lambda: http_ok(f"{sandbox_url}/sandbox/webhooks"),
        "worker": lambda: has_pollers(address, TASK_QUEUE),
    }
    started: list[Child] = []
    inbox = BenchInbox(sandbox_url, token)
    try:
        for child in children:
            started.append(child)
            await child.start()
            await child.ready(ready[child.name])
        client = await Client.connect(address, data_converter=pydantic_data_converter)
        pids = {child.name: child.process.pid for child in children if child.process}
        yield BareFlow(client, inbox, {"worker": pids["worker"], "server": pids["temporal"]}, wait_seconds)
    finally:
        await inbox.aclose()
        for child in reversed(started):
            await child.stop()
