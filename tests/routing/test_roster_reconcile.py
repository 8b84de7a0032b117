"""The roster's reconciliation on the time-skipping server: respond.io's open conversations correct its load."""

import logging
from datetime import timedelta

from roster.client import RosterNews
from roster.state import RosterConfig
from tests.polling import until
from tests.routing.offers import ask, roster_alone
from tests.routing.world import SUPPORT, fresh_contacts

A, B, C, D = (agent.id for agent in SUPPORT)


async def test_reconciliation_corrects_drift_confirms_and_drops_holds_and_serves_the_queue(
    time_skipping_env, caplog, record_history
):
    env = time_skipping_env
    one, two, three, four, queued, elsewhere, unseen = fresh_contacts(7)
    assigned = {A: [one, unseen], D: [elsewhere]}
    async with roster_alone(env, RosterConfig(default_online=True), assigned) as world:
        await world.stand_in_for([queued])
        for contact_id in (one, two, three):  # held for A, B and C
            await world.roster.choose(ask(contact_id, max_open=1), f"take-{contact_id}")
        await world.roster.tell(RosterNews.assigned(elsewhere, B))  # respond.io will say D has it now
        await env.sleep(timedelta(minutes=7))
        await world.roster.choose(ask(four, max_open=1), f"take-{four}")  # held for D, 3 minutes before
        assert (await world.roster.choose(ask(queued, max_open=1), f"take-{queued}")).queued

        await env.sleep(timedelta(minutes=3, seconds=30))  # the reconciliation, 10 minutes after the start

        async def reconciled():
            snapshot = await world.roster.snapshot()
            return snapshot if not snapshot.queue else None

        snapshot = await until(reconciled, "the queued contact served after the reconciliation")
        offers = await world.offers_made()
        await record_history(world.handle, "-roster")
    load = {s.agent.id: (s.open, s.held) for s in snapshot.agents}
    assert load == {A: (2, 0), B: (0, 1), C: (0, 0), D: (1, 1)}
    assert offers == [(queued, B)], "B's place freed by a hold respond.io never showed"
    drift = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "Load corrected" in r.message]
    assert len(drift) == 1
    for change in (f"Agent {A} ({A}) 1 → 2", f"Agent {B} ({B}) 2 → 0", f"Agent {C} ({C}) 1 → 0", f"({D}) 1 → 2"):
        assert change in drift[0]
