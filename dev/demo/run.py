"""``handoff demo``: the whole stack with the sandbox inbox, twelve customers, a live table, a summary."""

import asyncio
import shutil
import time
from itertools import groupby
from pathlib import Path

import httpx
from rich.live import Live
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError

from demo.actors import act, set_presence
from demo.scenario import CUSTOMERS, Customer
from demo.seen import InboxAgent, Row, Story
from demo.view import live_table, offline_lines, summary_table
from models.ids import escalation_workflow_id
from starter.console import console
from starter.processes import ChildFailed
from starter.report_source import read_report
from starter.report_view import print_report
from starter.stack import Stack, StackConfig
from worker.connection import STACK_FILE
from workflows.escalation import Escalation

DEMO_POLICY = Path(__file__).resolve().parents[2] / "policies" / "demo.yaml"
DEADLINE_SECONDS = 90.0
REPORT_DEADLINE_SECONDS = 15.0
"""How long the report may wait for Temporal's visibility to list every finished conversation."""


async def run_demo(config: StackConfig, keep_up: bool) -> bool:
    """Play the story on a fresh stack; return True when every conversation ended as expected."""
    _empty_for_a_new_story(config.data_dir)
    stack = Stack(config)
    with console.status("Starting Temporal, the sandbox inbox, the worker and the webhook receiver…"):
        await stack.start()
    try:
        client = await Client.connect(config.temporal_address, data_converter=pydantic_data_converter)
        token = {"Authorization": f"Bearer {stack.secrets['sandbox_token']}"}
        async with httpx.AsyncClient(base_url=config.sandbox_url, headers=token, timeout=10) as inbox:
            await set_presence(inbox)
            story = await play(client, inbox, CUSTOMERS)
        console.print()  # a live table off a terminal ends without a line break
        console.print(summary_table(story))
        for line in offline_lines(story):
            console.print(line, highlight=False)
        await _print_report(client, finished=sum(row.finished for row in story.rows.values()))
        if keep_up:  # the UI and the CLI need the stack, which stops now without --keep-up
            _print_where_to_look(config)
        else:
            console.print(
                f"\nThe stack stops now; `handoff demo --keep-up` leaves it up to browse these conversations in the "
                f"Temporal UI and with the CLI. Logs: {config.data_dir}/logs/",
                highlight=False,
            )
        all_as_expected = all(row.state and row.state.outcome == row.customer.expected for row in story.rows.values())
        if keep_up:
            console.print("The stack stays up; press Ctrl-C to stop it.")
            await stack.run_until_stopped()
        return all_as_expected
    finally:
        await stack.stop()


STACK_FILES = {
    "temporal.db",
    "temporal.db-wal",
    "temporal.db-shm",
    "sandbox.db",
    "sandbox.db-wal",
    "sandbox.db-shm",
    "sandbox-secrets.json",
    STACK_FILE,  # left behind when a demo was killed
    "logs",
}


def _empty_for_a_new_story(data_dir: Path) -> None:
    """Remove the previous demo's state, and refuse to touch a folder holding anything else."""
    if not data_dir.exists():
        return
    foreign = sorted(p.name for p in data_dir.iterdir() if p.name not in STACK_FILES)
    if foreign:
        raise ChildFailed(
            f"{data_dir} holds files the demo did not make ({', '.join(foreign[:3])}); pass another --data-dir"
        )
    shutil.rmtree(data_dir)


async def play(client: Client, inbox: httpx.AsyncClient, customers: list[Customer]) -> Story:
    """Let each customer act out their part while the live table shows what Handoff does."""
    story = Story({customer.contact_id: Row(customer) for customer in customers})
    actors = [asyncio.create_task(act(customer, place, story, inbox)) for place, customer in enumerate(customers)]
    with Live(live_table(story), console=console, refresh_per_second=4) as live:
        while story.elapsed < DEADLINE_SECONDS:
            await _observe(client, inbox, story)
            live.update(live_table(story))
            if all(row.finished for row in story.rows.values()):
                break
            await asyncio.sleep(0.5)
    for actor in actors:
        actor.cancel()
    await asyncio.gather(*actors, return_exceptions=True)
    return story


async def _observe(client: Client, inbox: httpx.AsyncClient, story: Story) -> None:
    """Look at the inbox and ask each unfinished escalation where it is; the scripted people act on what is seen."""
    state = (await inbox.get("/sandbox/state")).json()
    agents = {agent["id"]: InboxAgent.listed(agent) for agent in state["agents"]}
    for contact in state["contacts"]:
        row = story.rows.get(contact["id"])
        if row is None:
            continue
        row.assignee = agents.get(contact["assigneeId"])
        given = (agents[a["assigneeId"]] for a in contact["assignments"] if a["assigneeId"] in agents)
        row.assignees = [agent for agent, _ in groupby(given)]  # the inbox records repeats of an assignment too
        row.comments = len(contact["comments"])
        if not row.finished:
            try:
                handle = client.get_workflow_handle(escalation_workflow_id(contact["id"]))
                row.state = await handle.query(Escalation.state)
            except RPCError:
                pass  # the webhook has not started it yet


async def _print_report(client: Client, finished: int) -> None:
    """What `handoff report` says, once Temporal's visibility (eventually consistent) lists every finished run."""
    deadline = time.monotonic() + REPORT_DEADLINE_SECONDS
    report = await read_report(client)
    while report.conversations < finished and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        report = await read_report(client)
    console.print()
    print_report(report, console)


def _print_where_to_look(config: StackConfig) -> None:
    console.print("\n[bold]Where to look[/]")
    console.print(
        f"  Temporal UI: {config.ui_url}/namespaces/default/workflows  (each conversation: handoff-contact-<id>)"
    )
    console.print("  Filter:      HandoffStatus = 'escalated'   or   HandoffContactId = 1002")
    console.print("  CLI:         handoff escalation list   ·   handoff escalation show 1002   ·   handoff report")
    console.print(f"               (they find the demo's Temporal with HANDOFF_DATA_DIR={config.data_dir})")
    console.print(f"  Logs:        {config.data_dir}/logs/")
