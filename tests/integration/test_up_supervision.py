"""`handoff up` supervises: a worker killed while an escalation waits comes back, the escalation finishes on
the new worker, and Ctrl-C still stops everything with exit code 0."""

import asyncio
import os
import signal
from pathlib import Path

import httpx
import pytest
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.contrib.pydantic import pydantic_data_converter

from models.ids import TASK_QUEUE, escalation_workflow_id
from starter.escalations import describe_latest_run, escalation_handle
from tests.integration.test_up import interrupt, no_process_uses, start_up, until_up, up_ports
from workflows import search_attributes as sa
from workflows.escalation_types import Outcome, Status

pytestmark = pytest.mark.integration

POLICY = """
name: supervised
trigger: {event: conversation.opened, sources: [contact]}
steps:
  - assign: {team: Tier 1}
  - wait: 3s
  - branch:
      all: [{conversation_status: open}, {no_reply_since_assignment: true}]
      then:
        - assign: {team: Tier 2, only_online: true}
        - comment: "No reply from {previous_assignee} in {waited}; reassigned to {assignee_mention}."
"""
CONTACT = 4501


def child_pid(parent: int, command: str) -> int | None:
    """The pid of ``parent``'s child running ``handoff COMMAND`` (``python -m starter COMMAND``), if any."""
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except (OSError, ValueError):
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])  # after the command name, which may hold spaces: state, ppid
        if ppid == parent and argv[-2:] == [command, ""] and "starter" in argv:
            return int(entry.name)
    return None


async def polls(client: Client, pid: int) -> bool:
    """Whether the worker process ``pid`` polls the stack's task queue (the SDK's identity is ``pid@host``)."""
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace="default",
            task_queue=TaskQueue(name=TASK_QUEUE),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return any(poller.identity.startswith(f"{pid}@") for poller in response.pollers)


async def test_a_killed_worker_comes_back_and_the_waiting_escalation_finishes(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    ports = up_ports()
    data_dir = tmp_path / "stack"

    process = await start_up(data_dir, ports, f"--policy={policy}")
    try:
        banner = await until_up(process)
        assert "6 of 6 sandbox agents online" in banner, "Tier 2 is online: the stack passes the sandbox's presence on"
        client = await Client.connect(f"127.0.0.1:{ports['temporal']}", data_converter=pydantic_data_converter)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports['sandbox']}/sandbox", timeout=10) as inbox:
            opened = await inbox.post(f"/contacts/{CONTACT}/customer-message", json={"text": "Where is my order?"})
            assert opened.status_code == 200, opened.text
            escalation = escalation_handle(client, CONTACT)
            async with asyncio.timeout(60):
                while await status(client) != Status.WAITING:
                    await asyncio.sleep(0.1)

            killed = child_pid(process.pid, "worker")
            assert killed is not None and await polls(client, killed)
            os.kill(killed, signal.SIGKILL)
            assert (await escalation.describe()).status == WorkflowExecutionStatus.RUNNING, "it waits: no worker"

            async with asyncio.timeout(60):
                while (restarted := child_pid(process.pid, "worker")) in (None, killed) or not await polls(
                    client, restarted
                ):
                    await asyncio.sleep(0.2)
            result = await asyncio.wait_for(escalation.result(), 60)
            assert result.outcome == Outcome.ESCALATED, result.detail
            contact = next(c for c in (await inbox.get("/state")).json()["contacts"] if c["id"] == CONTACT)
            assert [c["text"].startswith("No reply from") for c in contact["comments"]] == [True]
        worker_log = (data_dir / "logs" / "worker.log").read_text()
        assert "--- handoff up: restarting worker at " in worker_log, worker_log[-2000:]
    finally:
        rest = await interrupt(process)  # exit code 0
    assert "worker exited (killed by SIGKILL); restarting it in 1 s" in rest, rest
    assert "worker is up again" in rest and "Stopped." in rest
    assert no_process_uses(data_dir)


async def status(client: Client) -> str | None:
    """The escalation's HandoffStatus; None before the webhook has started it."""
    run = await describe_latest_run(client, escalation_workflow_id(CONTACT))
    return run.typed_search_attributes.get(sa.STATUS) if run else None
