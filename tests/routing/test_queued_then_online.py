"""Escalations queued while the whole team is offline are served in arrival order, as far as capacity goes."""

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from temporalio.client import Client, WorkflowHandle

from models.ids import escalation_workflow_id
from roster.client import RosterNews
from roster.state import RosterSnapshot
from starter.escalations import start_escalation
from tests.polling import until
from tests.routing.test_concurrency import roster, workers
from tests.routing.world import SUPPORT, assign_policy, fresh_contacts, fresh_queue, roster_of
from workflows.escalation import Escalation
from workflows.escalation_types import EscalationResult, EscalationState, Outcome

pytestmark = pytest.mark.integration

MAX_OPEN = 5
CAPACITY = MAX_OPEN * len(SUPPORT)
POLICY = assign_policy(only_online=True, max_open=MAX_OPEN)


def escalation(client: Client, contact_id: int) -> WorkflowHandle[Escalation, EscalationResult]:
    return client.get_workflow_handle_for(Escalation.run, escalation_workflow_id(contact_id))


async def states(client: Client, contacts: list[int]) -> list[EscalationState]:
    return await asyncio.gather(*(escalation(client, c).query(Escalation.state) for c in contacts))


async def results(client: Client, contacts: list[int]) -> list[EscalationResult]:
    """The results of these escalations (at most 20 at once: the dev server limits concurrent long-polls)."""
    assert len(contacts) <= 20
    return await asyncio.wait_for(asyncio.gather(*(escalation(client, c).result() for c in contacts)), timeout=60)


def assignees(results: list[EscalationResult]) -> Counter[int | None]:
    return Counter(r.assignee.id if r.assignee else None for r in results)


async def queue_is(client: Client, queue: str, contacts: list[int]) -> RosterSnapshot:
    """The roster's snapshot, once exactly ``contacts`` wait in its queue, in this order."""

    async def settled() -> RosterSnapshot | None:
        snapshot = await roster_of(client, queue).snapshot()
        return snapshot if snapshot and [q.contact_id for q in snapshot.queue] == contacts else None

    return await until(settled, f"{len(contacts)} contacts queued", timeout=30, every=0.1)


async def test_queued_escalations_get_the_online_team_in_arrival_order_up_to_max_open(dev_server):
    client = dev_server.client
    queue = fresh_queue("online")
    contacts = fresh_contacts(40)
    began = time.monotonic()
    async with workers(dev_server, queue, count=2), roster(dev_server, queue, online=[]):
        for agent in SUPPORT:  # explicit, though it is also the roster's default
            await roster_of(client, queue).tell(RosterNews.presence(agent.id, False))
        opened_at = datetime.now(UTC)
        started = await asyncio.gather(
            *(start_escalation(client, queue, POLICY, c, "opening", opened_at) for c in contacts)
        )
        assert all(s.started for s in started), [s.detail for s in started if not s.started]

        async def all_queued() -> list[int] | None:
            snapshot = await roster_of(client, queue).snapshot()
            if snapshot is None or len(snapshot.queue) < len(contacts):
                return None
            told = await states(client, contacts)  # and each escalation has heard it is queued
            return [q.contact_id for q in snapshot.queue] if all("queued" in s.step for s in told) else None

        arrival = await until(all_queued, "every escalation queued", timeout=30, every=0.2)
        assert sorted(arrival) == contacts

        await asyncio.gather(*(roster_of(client, queue).tell(RosterNews.presence(a.id, True)) for a in SUPPORT))
        snapshot = await queue_is(client, queue, arrival[CAPACITY:])
        served = await results(client, arrival[:CAPACITY])
        waiting = await states(client, arrival[CAPACITY:])
        assert {s.agent.id: s.held for s in snapshot.agents} == {a.id: MAX_OPEN for a in SUPPORT}
        assert all(r.outcome == Outcome.COMPLETED for r in served)
        assert assignees(served) == {a.id: MAX_OPEN for a in SUPPORT}, "the first 20 in arrival order, 5 each"
        assert all(s.assignee is None and "queued" in s.step for s in waiting), [s.step for s in waiting]

        # Each close frees one place with that agent: the next in line, and only it, gets the place.
        closed = arrival[:5]
        for contact_id in closed:
            await roster_of(client, queue).tell(RosterNews.closed(contact_id))
        snapshot = await queue_is(client, queue, arrival[CAPACITY + 5 :])
        next_five = await results(client, arrival[CAPACITY : CAPACITY + 5])
        still_waiting = await states(client, arrival[CAPACITY + 5 :])
        freed = assignees(served[:5])
        assert assignees(next_five) == freed
        assert {s.agent.id: s.held for s in snapshot.agents} == {a.id: MAX_OPEN for a in SUPPORT}
        assert all(s.assignee is None for s in still_waiting)

        # The rest give up waiting (an operator's cancel): each leaves the queue.
        await asyncio.gather(*(escalation(client, c).cancel() for c in arrival[CAPACITY + 5 :]))
        await queue_is(client, queue, [])
    seconds = time.monotonic() - began
    print(f"\n40 queued, {CAPACITY} then 5 more served in {seconds:.1f} s: freed {dict(freed)}")
