"""Routing under load on a real dev server, with workers in separate OS processes, as in production."""

import asyncio
import sys
import time
from collections import Counter
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from models.ids import escalation_workflow_id
from roster.client import RosterNews
from starter.escalations import start_escalation
from tests.routing.world import SUPPORT, assign_policy, fresh_contacts, fresh_queue, roster_of, stop_roster
from workflows.escalation_types import EscalationResult, Outcome
from workflows.policy import Policy

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[2]
RESULTS_AT_ONCE = 20
"""The dev server limits concurrent long-polls per namespace: wait on results in small batches."""


@asynccontextmanager
async def workers(env, queue: str, count: int = 1):
    """``count`` processes of ``tests.routing.worker_process`` polling ``queue`` until the block ends."""
    processes = await asyncio.gather(
        *(
            asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.routing.worker_process",
                env.client.service_client.config.target_host,
                env.client.namespace,
                queue,
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
            )
            for _ in range(count)
        )
    )
    try:
        ready = await asyncio.wait_for(asyncio.gather(*(p.stdout.readline() for p in processes)), 30)
        assert ready == [b"ready\n"] * count
        yield
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
            await process.wait()


@asynccontextmanager
async def roster(env, queue: str, online: list[int]):
    """The queue's roster with ``online`` agents present; cancelled afterwards, so call it inside the workers' block."""
    for agent_id in online:
        await roster_of(env.client, queue).tell(RosterNews.presence(agent_id, True))
    try:
        yield
    finally:
        await stop_roster(env.client, queue)


async def route(env, queue: str, policy: Policy, contacts: list[int]) -> list[EscalationResult]:
    """Start one escalation per contact, all at once, and collect their results in batches."""
    started = await asyncio.gather(
        *(start_escalation(env.client, queue, policy, c, "opening", datetime.now(UTC)) for c in contacts)
    )
    handles = [s.handle for s in started]
    assert all(handles), [s.detail for s in started if not s.handle]
    results = []
    for at in range(0, len(handles), RESULTS_AT_ONCE):
        results += await asyncio.gather(*(h.result() for h in handles[at : at + RESULTS_AT_ONCE]))
    return results


async def escalation_workers(client, contacts: list[int]) -> set[str]:
    """The identities of the workers that ran these escalations (and so their takes, local activities)."""
    identities = set()
    for contact_id in contacts:
        async for event in client.get_workflow_handle(escalation_workflow_id(contact_id)).fetch_history_events():
            if event.HasField("workflow_task_completed_event_attributes"):
                identities.add(event.workflow_task_completed_event_attributes.identity)
    return identities


def assignees(results: list[EscalationResult]) -> Counter:
    return Counter(r.assignee.id for r in results if r.assignee)


async def test_round_robin_is_fair_across_two_worker_processes(dev_server):
    queue = fresh_queue("rr")
    contacts = fresh_contacts(200)
    async with workers(dev_server, queue, count=2), roster(dev_server, queue, [a.id for a in SUPPORT]):
        began = time.monotonic()
        results = await route(dev_server, queue, assign_policy(logic="round_robin", only_online=True), contacts)
        seconds = time.monotonic() - began
        snapshot = await roster_of(dev_server.client, queue).snapshot()
    counts = assignees(results)
    print(f"\nround robin, 2 worker processes, 200 escalations in {seconds:.1f}s: {dict(sorted(counts.items()))}")
    assert all(r.outcome == Outcome.COMPLETED for r in results)
    assert len(await escalation_workers(dev_server.client, contacts[:40])) == 2, "both processes did the work"
    assert sorted(counts) == [a.id for a in SUPPORT]
    assert all(49 <= n <= 51 for n in counts.values()), counts
    assert {s.agent.id: s.held for s in snapshot.agents} == counts, "held until respond.io confirms"


async def test_an_offline_agent_gets_nothing_and_max_open_is_never_exceeded(dev_server):
    queue = fresh_queue("filters")
    offline, *online = SUPPORT
    first_contacts = fresh_contacts(30)
    capped = assign_policy(logic="least_open", only_online=True, max_open=5, timeout={"after": "2s"})
    async with workers(dev_server, queue, count=2), roster(dev_server, queue, [a.id for a in online]):
        spread = assignees(await route(dev_server, queue, assign_policy(only_online=True), first_contacts))
        await asyncio.gather(*(roster_of(dev_server.client, queue).tell(RosterNews.closed(c)) for c in first_contacts))
        over_cap = await route(dev_server, queue, capped, fresh_contacts(20))
        snapshot = await roster_of(dev_server.client, queue).snapshot()
    print(f"\none agent offline, 30 escalations: {dict(sorted(spread.items()))}")
    print(f"at most 5 open each, 20 escalations: {dict(sorted(assignees(over_cap).items()))}")
    assert offline.id not in spread and all(n == 10 for n in spread.values()), spread
    assert assignees(over_cap) == {a.id: 5 for a in online}
    assert Counter(r.outcome for r in over_cap) == {Outcome.COMPLETED: 15, Outcome.NO_ELIGIBLE_AGENT: 5}
    assert {s.agent.id: s.held for s in snapshot.agents} == {offline.id: 0, **{a.id: 5 for a in online}}
    assert snapshot.queue == [], "the five that timed out withdrew from the queue"


async def test_round_robin_continues_where_it_left_off_after_the_worker_restarts(dev_server):
    queue = fresh_queue("restart")
    policy = assign_policy(only_online=True)
    turns = []
    async with workers(dev_server, queue):
        for agent in SUPPORT:
            await roster_of(dev_server.client, queue).tell(RosterNews.presence(agent.id, True))
        for contact_id in fresh_contacts(6):
            turns += [r.assignee.id for r in await route(dev_server, queue, policy, [contact_id])]
    async with workers(dev_server, queue), roster(dev_server, queue, []):
        for contact_id in fresh_contacts(6):
            turns += [r.assignee.id for r in await route(dev_server, queue, policy, [contact_id])]
    print(f"\nturns across a worker restart: {turns[:6]} | {turns[6:]}")
    assert turns == [a.id for a in SUPPORT] * 3
