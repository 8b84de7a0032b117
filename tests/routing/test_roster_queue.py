"""The roster's queue on a real dev server: requests wait in order and are offered agents as capacity appears."""

import asyncio

import pytest

from roster.client import RosterNews
from roster.state import RosterConfig
from tests.polling import until
from tests.routing.offers import ask, roster_alone
from tests.routing.world import SUPPORT, fresh_contacts

pytestmark = pytest.mark.integration

A, B, C, D = (agent.id for agent in SUPPORT)
HISTORY_LIMIT = 10_000


async def offered(world, count: int) -> list[tuple[int, int]]:
    """The roster's offers, in the order it made them, once there are at least ``count``."""

    async def made() -> list[tuple[int, int]] | None:
        offers = await world.offers_made()
        return offers if len(offers) >= count else None

    return await until(made, f"{count} offers", timeout=60)


async def received(world, contacts: list[int]) -> list[list[int]]:
    """The agents offered to each contact's stand-in, once each of them has received an offer."""

    async def all_received() -> list[list[int]] | None:
        offers = await asyncio.gather(*(world.offers_to(c) for c in contacts))
        return [[o.agent.id for o in r] for r in offers] if all(offers) else None

    return await until(all_received, f"offers received by {len(contacts)} stand-ins", timeout=60)


async def test_500_queued_for_an_offline_team_are_offered_only_as_capacity_appears_in_arrival_order(dev_server):
    contacts = fresh_contacts(500)
    async with roster_alone(dev_server, RosterConfig()) as world:
        await world.stand_in_for(contacts)
        answers = await asyncio.gather(*(world.roster.choose(ask(c, max_open=5), f"take-{c}") for c in contacts))
        assert all(a.queued and a.agent is None for a in answers), "every request queued, none rejected"
        arrival = [q.contact_id for q in (await world.roster.snapshot()).queue]
        assert sorted(arrival) == contacts

        await world.roster.tell(RosterNews.configure(RosterConfig(default_online=True)))  # the team comes online
        first = await offered(world, 20)
        assert first == list(zip(arrival[:20], [A, B, C, D] * 5, strict=True)), "in order, round robin"
        snapshot = await world.roster.snapshot()
        assert {s.agent.id: s.held for s in snapshot.agents} == {A: 5, B: 5, C: 5, D: 5}
        assert [q.contact_id for q in snapshot.queue] == arrival[20:] and snapshot.queue[0].place == 1

        for n, closed in enumerate(arrival[:8], start=1):
            await world.roster.tell(RosterNews.closed(closed))
            made = await offered(world, 20 + n)
            assert made[-1] == (arrival[19 + n], first[n - 1][1]), "the next in line gets the freed agent"
        assert len(await world.offers_made()) == 28, "each close served exactly one more"
        assert await received(world, arrival[:28]) == [[agent] for _, agent in made]
        assert await world.offers_to(arrival[28]) == []
        histories = await world.histories()
    print(f"\n500 queued, 28 offered: {len(histories)} roster runs of {[len(h) for h in histories]} events")
    assert all(len(events) <= HISTORY_LIMIT for events in histories)


async def test_a_withdrawn_contact_leaves_the_queue_and_gives_its_agent_to_the_next(dev_server, record_history):
    x, y, z = fresh_contacts(3)
    async with roster_alone(dev_server, RosterConfig()) as world:
        await world.stand_in_for([x, y, z])
        for contact_id in (x, y, z):
            await world.roster.choose(ask(contact_id, max_open=1, user=A), f"take-{contact_id}")
        await world.roster.withdraw(y)
        assert [q.contact_id for q in (await world.roster.snapshot()).queue] == [x, z]
        await world.roster.tell(RosterNews.presence(A, True))
        assert await offered(world, 1) == [(x, A)]
        await world.roster.withdraw(x)  # its escalation stopped wanting the agent before assigning
        assert await offered(world, 2) == [(x, A), (z, A)]
        assert await received(world, [x, z]) == [[A], [A]]
        assert await world.offers_to(y) == []
        snapshot = await world.roster.snapshot()
        await record_history(world.handle, "-roster")
    assert snapshot.queue == [] and [(s.open, s.held) for s in snapshot.agents if s.agent.id == A] == [(0, 1)]


async def test_an_offer_to_an_escalation_that_is_gone_is_given_back_and_serves_the_next(dev_server):
    gone, waiting = fresh_contacts(2)
    async with roster_alone(dev_server, RosterConfig()) as world:
        await world.stand_in_for([waiting])
        for contact_id in (gone, waiting):
            await world.roster.choose(ask(contact_id, max_open=1, user=A), f"take-{contact_id}")
        await world.roster.tell(RosterNews.presence(A, True))
        assert await offered(world, 2) == [(gone, A), (waiting, A)]
        assert await received(world, [waiting]) == [[A]]
        snapshot = await world.roster.snapshot()
    assert snapshot.queue == [] and [s.held for s in snapshot.agents if s.agent.id == A] == [1]
