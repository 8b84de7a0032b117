"""The roster tells escalations when their agent goes offline, on the time-skipping server with stand-ins."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from models.agents import ChoiceRequest
from models.ids import escalation_workflow_id
from roster.client import RosterClient, RosterNews
from roster.state import RosterConfig
from roster.workflow import Roster
from tests.polling import until
from tests.routing.offline_recorder import Heard, OfflineRecorder
from tests.routing.world import SUPPORT, fresh_contacts, fresh_queue, list_agents_returning, running_roster
from tests.routing.world import open_conversations_returning as respondio_showing
from worker.build import workflow_runner

ANN, BEN = SUPPORT[:2]
A, B = ANN.id, BEN.id
TIMEOUT = timedelta(minutes=15)
PROMPTLY = timedelta(minutes=1)
"""Told at the moment, not at the next sync 5 min away; any tighter bound would time this machine, not the roster."""


@dataclass
class Watched:
    """A roster on its own task queue, and stand-in escalations that record what it tells them."""

    client: Client
    handle: WorkflowHandle
    roster: RosterClient
    queue: str

    async def stand_in_for(self, contacts: list[int]) -> None:
        for contact_id in contacts:
            await self.client.start_workflow(
                OfflineRecorder.run,
                id=escalation_workflow_id(contact_id),
                task_queue=self.queue,
                execution_timeout=timedelta(hours=2),
            )

    async def heard(self, contact_id: int) -> list[Heard]:
        return await self.client.get_workflow_handle(escalation_workflow_id(contact_id)).query(OfflineRecorder.heard)

    async def all_heard(self, contacts: list[int]) -> list[Heard]:
        """What each contact's stand-in heard, once every one of them has heard something."""

        async def heard_by_all() -> list[Heard] | None:
            heard = await asyncio.gather(*(self.heard(c) for c in contacts))
            return [h for one in heard for h in one] if all(heard) else None

        return await until(heard_by_all, f"{len(contacts)} stand-ins told their agent went offline")


@asynccontextmanager
async def watched(env, assigned: dict[int, list[int]]) -> AsyncIterator[Watched]:
    """A worker running the roster (respond.io shows ``assigned`` open) and the stand-ins; cancelled afterwards."""
    queue = fresh_queue("offline")
    config = RosterConfig(inactivity_timeout=TIMEOUT)
    async with (
        Worker(
            env.client,
            task_queue=queue,
            workflows=[Roster, OfflineRecorder],
            activities=[list_agents_returning(SUPPORT), respondio_showing(assigned)],
            workflow_runner=workflow_runner(),
        ),
        running_roster(env.client, queue, config) as handle,
    ):
        yield Watched(env.client, handle, RosterClient(env.client, queue, config), queue)


async def test_an_agent_set_offline_has_each_of_their_escalations_told_once(time_skipping_env, record_history):
    env = time_skipping_env
    first, second, chosen, bens, ended = fresh_contacts(5)
    async with watched(env, {A: [first, second], B: [bens, ended]}) as world:
        await world.stand_in_for([first, second, chosen, bens])
        for agent_id in (A, B):
            await world.roster.tell(RosterNews.presence(agent_id, True))
        for contact_id, agent_id in ((first, A), (second, A), (bens, B), (ended, B)):
            await world.roster.tell(RosterNews.assigned(contact_id, agent_id))
        assert (await world.roster.choose(ChoiceRequest(contact_id=chosen, user=A), "take")).agent == ANN
        assert await world.roster.is_online(A)

        before = await env.get_current_time()
        await world.roster.tell(RosterNews.presence(A, False))
        heard = await world.all_heard([first, second, chosen])
        await world.roster.tell(RosterNews.presence(A, False))  # again: nothing new to tell
        await env.sleep(timedelta(minutes=1))
        again = [h for c in (first, second, chosen) for h in await world.heard(c)]
        online = await world.roster.is_online(A), await world.roster.is_online(B)
        bens_heard = await world.heard(bens)

        await world.roster.tell(RosterNews.presence(B, False))  # one of B's escalations no longer runs
        (heard_by_ben,) = await world.all_heard([bens])
        assert await world.roster.is_online(A) is False, "the roster still answers"
        await record_history(world.handle, "-roster")
    assert [h.news.agent for h in heard] == [ANN] * 3
    assert all(h.news.at == heard[0].news.at >= before for h in heard)
    assert all(h.received_at - h.news.at < PROMPTLY for h in heard)
    assert again == heard, "told once"
    assert online == (False, True) and bens_heard == []
    assert heard_by_ben.news.agent == BEN


async def test_an_agent_whose_activity_runs_out_is_told_about_at_that_moment_not_before(
    time_skipping_env, record_history
):
    env = time_skipping_env
    contacts = fresh_contacts(2)
    async with watched(env, {A: contacts}) as world:
        await world.stand_in_for(contacts)
        for contact_id in contacts:
            await world.roster.tell(RosterNews.assigned(contact_id, A))
        last_active = await env.get_current_time()
        await world.roster.tell(RosterNews.agent_active(A, last_active))
        await env.sleep(TIMEOUT - timedelta(seconds=10))
        early = [await world.heard(c) for c in contacts]
        still_online = await world.roster.is_online(A)
        await env.sleep(timedelta(seconds=20))
        heard = await world.all_heard(contacts)
        await record_history(world.handle, "-roster")
    assert early == [[], []] and still_online
    assert [h.news.agent for h in heard] == [ANN] * 2
    assert [h.news.at for h in heard] == [last_active + TIMEOUT] * 2
    assert all(timedelta(0) <= h.received_at - (last_active + TIMEOUT) < PROMPTLY for h in heard)


async def test_without_a_roster_an_agent_has_the_presence_of_one_nobody_reported_on(time_skipping_env):
    queue = fresh_queue("no-roster")
    assert await RosterClient(time_skipping_env.client, queue, RosterConfig()).is_online(A) is False
    assert await RosterClient(time_skipping_env.client, queue, RosterConfig(default_online=True)).is_online(A) is True
