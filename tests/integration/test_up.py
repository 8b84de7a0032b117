"""`handoff up --sandbox` as a user runs it: one command, Ctrl-C stops everything, state survives."""

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from bench.ports import free_stack_ports
from models.ids import TASK_QUEUE
from roster.client import RosterClient
from roster.state import RosterConfig

pytestmark = pytest.mark.integration


def up_ports() -> dict[str, int]:
    """A free port for each of `handoff up`'s port options, by option name (``temporal``, ``worker-metrics``, ...)."""
    return {name.removesuffix("_port").replace("_", "-"): port for name, port in free_stack_ports().items()}


async def start_up(data_dir, ports: dict[str, int], *options: str) -> asyncio.subprocess.Process:
    args = [f"--{name}-port={port}" for name, port in ports.items()]
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter",
        "up",
        "--sandbox",
        f"--data-dir={data_dir}",
        *args,
        *options,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def until_up(process: asyncio.subprocess.Process) -> str:
    output = b""
    while b"Press Ctrl-C to stop." not in output:
        line = await asyncio.wait_for(process.stdout.readline(), 90)
        assert line, f"handoff up ended early:\n{output.decode()}"
        output += line
    return output.decode()


async def interrupt(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGINT)
    rest = await asyncio.wait_for(process.stdout.read(), 60)
    assert await process.wait() == 0, rest.decode()
    return rest.decode()


def no_process_uses(data_dir) -> bool:
    """No process of the group is left: none has the data folder on its command line."""
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if str(data_dir) in cmdline and "pytest" not in cmdline:
                return False
    return True


async def routing_online(temporal_port: int) -> set[int]:
    """The agents the stack's roster counts as online, once it has synced the agent list (30 s at most)."""
    client = await Client.connect(f"127.0.0.1:{temporal_port}", data_converter=pydantic_data_converter)
    roster = RosterClient(client, TASK_QUEUE, RosterConfig())
    give_up = time.monotonic() + 30
    while not (snapshot := await roster.snapshot()) or not snapshot.agents:
        assert time.monotonic() < give_up, "the roster never listed the sandbox's agents"
        await asyncio.sleep(0.1)
    return {status.agent.id for status in snapshot.agents if status.online}


async def test_up_stops_cleanly_and_keeps_state(tmp_path):
    ports = up_ports()
    sandbox = f"http://127.0.0.1:{ports['sandbox']}"

    process = await start_up(tmp_path, ports)
    banner = await until_up(process)
    assert f"http://127.0.0.1:{ports['ui']}" in banner
    assert "6 of 6 sandbox agents online" in banner
    assert await routing_online(ports["temporal"]) == {101, 102, 201, 202, 203, 301}, "the sandbox's presence"
    async with httpx.AsyncClient(base_url=sandbox) as inbox:
        opened = await inbox.post("/sandbox/contacts/4242/customer-message", json={"text": "hello"})
        assert opened.status_code == 200
        client = await Client.connect(f"127.0.0.1:{ports['temporal']}")
        for _ in range(100):  # the webhook reaches the receiver, which starts the escalation
            if [w async for w in client.list_workflows("WorkflowId = 'handoff-contact-4242'")]:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("no escalation started from the webhook")
    assert "Stopped." in await interrupt(process)
    assert no_process_uses(tmp_path)

    process = await start_up(tmp_path, ports)
    await until_up(process)
    try:
        client = await Client.connect(f"127.0.0.1:{ports['temporal']}")
        description = await client.get_workflow_handle("handoff-contact-4242").describe()
        assert description.id == "handoff-contact-4242"
        async with httpx.AsyncClient(base_url=sandbox) as inbox:
            contacts = (await inbox.get("/sandbox/state")).json()["contacts"]
        assert [c["id"] for c in contacts] == [4242]
    finally:
        await interrupt(process)
