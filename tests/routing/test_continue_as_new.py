"""The roster continues as new on the real dev server and carries its whole state into the next run."""

import asyncio
from collections import Counter
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from temporalio.client import Client

from models.agents import ChoiceRequest
from models.ids import escalation_workflow_id, roster_workflow_id
from roster.client import RosterNews
from roster.state import RosterConfig, RosterState
from roster.workflow import Roster
from tests.routing.world import SUPPORT, TEAM, fresh_queue, list_agents_returning, roster_of, stop_roster
from worker.build import build_worker
from worker.settings import Settings

pytestmark = pytest.mark.integration

A, B, C, D = (agent.id for agent in SUPPORT)


@asynccontextmanager
async def roster(env, continue_after: int):
    """A worker and a roster that continues as new after ``continue_after`` handled updates and signals."""
    queue = fresh_queue("can")
    async with build_worker(env.client, Settings(task_queue=queue), [list_agents_returning(SUPPORT)]):
        handle = await env.client.start_workflow(
            Roster.run,
            RosterState(config=RosterConfig(continue_after=continue_after)),
            id=roster_workflow_id(queue),
            task_queue=queue,
        )
        try:
            yield queue, handle
        finally:
            await stop_roster(env.client, queue)


async def runs(client: Client, workflow_id: str, first_run: str) -> int:
    """How many runs the chain that started with ``first_run`` has, following each continue-as-new."""
    count, run_id = 1, first_run
    while True:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        last = history.events[-1]
        if not last.HasField("workflow_execution_continued_as_new_event_attributes"):
            return count
        count, run_id = count + 1, last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id


async def test_presence_load_turns_and_waiting_escalations_survive_continue_as_new(dev_server):
    client = dev_server.client
    async with roster(dev_server, continue_after=5) as (queue, handle):
        for agent_id in (A, B, C):
            await roster_of(client, queue).tell(RosterNews.presence(agent_id, True))
        turns = [
            (
                await handle.execute_update(Roster.choose, ChoiceRequest(contact_id=i, team=TEAM, only_online=True))
            ).agent.id
            for i in range(1, 8)
        ]
        active_at = datetime.now(UTC)
        await roster_of(client, queue).tell(RosterNews.agent_active(D, active_at))
        await roster_of(client, queue).tell(RosterNews.closed(1))
        await roster_of(client, queue).tell(RosterNews.assigned(2, D))
        full = await handle.execute_update(Roster.choose, ChoiceRequest(contact_id=99, team=TEAM, max_open=1))
        await roster_of(client, queue).tell(
            RosterNews.presence(B, True)
        )  # the 15th event: the state above crosses one more continue-as-new
        while await runs(client, handle.id, handle.first_execution_run_id) < 4:
            await asyncio.sleep(0.05)
        snapshot = await roster_of(client, queue).snapshot()
        after = await handle.execute_update(Roster.choose, ChoiceRequest(contact_id=8, team=TEAM, only_online=True))
    assert turns == [A, B, C, A, B, C, A]
    assert full.agent is None
    status = {s.agent.id: s for s in snapshot.agents}
    assert {i: (s.open, s.held) for i, s in status.items()} == {A: (0, 2), B: (0, 1), C: (0, 2), D: (1, 0)}
    assert all(s.online for s in status.values())
    assert status[D].active_until == active_at + RosterConfig().inactivity_timeout
    assert snapshot.cursors == {f"team:{TEAM}": A}
    assert snapshot.waiting == [escalation_workflow_id(99)]
    assert after.agent.id == B, "round robin goes on after A, in the new run"


async def test_a_burst_of_choices_across_several_continue_as_new_loses_and_repeats_nothing(dev_server):
    client = dev_server.client
    async with roster(dev_server, continue_after=10) as (queue, handle):
        for agent in SUPPORT:
            await roster_of(client, queue).tell(RosterNews.presence(agent.id, True))
        at_once = asyncio.Semaphore(4)

        async def choose(contact_id: int):
            async with at_once:
                return await handle.execute_update(Roster.choose, ChoiceRequest(contact_id=contact_id, team=TEAM))

        choices = await asyncio.gather(*(choose(i) for i in range(60)))
        chain = await runs(client, handle.id, handle.first_execution_run_id)
        snapshot = await roster_of(client, queue).snapshot()
    counts = Counter(c.agent.id for c in choices)
    print(f"\n60 choices over {chain} runs: {dict(sorted(counts.items()))}")
    assert chain >= 3, "several continue-as-new happened during the burst"
    assert counts == {agent.id: 15 for agent in SUPPORT}
    assert sum(s.held for s in snapshot.agents) == 60


async def test_a_repeated_request_gets_the_same_agent_after_continue_as_new(dev_server):
    client = dev_server.client
    request = ChoiceRequest(contact_id=1, team=TEAM, only_online=True, queue=True)
    async with roster(dev_server, continue_after=3) as (queue, handle):
        routing = roster_of(client, queue)
        for agent_id in (A, B):
            await routing.tell(RosterNews.presence(agent_id, True))
        first = await routing.choose(request, "take-1")  # the third handled: the roster continues as new
        while await runs(client, handle.id, handle.first_execution_run_id) < 2:
            await asyncio.sleep(0.05)
        again = await routing.choose(request, "take-1")  # a take run again after its worker crashed
        snapshot = await routing.snapshot()
    assert first.agent.id == again.agent.id == A
    assert [(s.agent.id, s.held) for s in snapshot.agents if s.held] == [(A, 1)], "held once"
    assert snapshot.cursors == {f"team:{TEAM}": A}, "the turn taken once"
