"""The roster and the escalation together on the time-skipping server: presence expiry, timeouts, ladders, waking."""

import asyncio
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest

from models.agents import Agent, ChoiceRequest
from models.ids import roster_workflow_id
from roster.client import RosterClient, RosterNews
from roster.state import RosterConfig
from roster.workflow import Roster
from starter.escalations import start_escalation
from tests.routing.world import (
    SUPPORT,
    TEAM,
    assign_policy,
    fresh_contacts,
    fresh_queue,
    list_agents_returning,
    roster_of,
    running_roster,
)
from tests.workflows.fake_inbox import AGENTS, FakeInbox
from worker.build import build_worker
from worker.settings import Settings
from workflows.escalation import Escalation
from workflows.escalation_types import Outcome
from workflows.policy import Policy

SAM = Agent(id=301, email="sam@example.com", name="Sam Patel", team="Supervisors")
ALICE, CAROL, DAVE = AGENTS


@asynccontextmanager
async def routing(env, agents: list[Agent], config: RosterConfig):
    """A worker with the real workflows and routing activity, a fake inbox, and a roster started with ``config``.

    Yields ``(queue, inbox)`` once the roster knows the agents; it is cancelled afterwards, while the worker runs.
    """
    queue = fresh_queue("ts")
    inbox = FakeInbox(contact_id=fresh_contacts(1)[0], routing=RosterClient(env.client, queue, config))
    activities = [*inbox.activities(), list_agents_returning(agents)]
    async with (
        build_worker(env.client, Settings(task_queue=queue), activities),
        running_roster(env.client, queue, config),
    ):
        yield queue, inbox


async def escalate(env, queue: str, inbox: FakeInbox, policy: Policy):
    started = await start_escalation(
        env.client, queue, policy, inbox.contact_id, "opening", await env.get_current_time()
    )
    assert started.handle, started.detail
    return started.handle


async def choose(env, queue: str, contact_id: int):
    request = ChoiceRequest(contact_id=contact_id, team=TEAM, only_online=True)
    return await env.client.get_workflow_handle(roster_workflow_id(queue)).execute_update(Roster.choose, request)


async def test_an_active_agent_is_online_until_the_inactivity_timeout_then_offline(time_skipping_env):
    env = time_skipping_env
    async with routing(env, SUPPORT, RosterConfig(inactivity_timeout="15m")) as (queue, _):
        second = SUPPORT[1].id
        await roster_of(env.client, queue).tell(RosterNews.agent_active(second, await env.get_current_time()))
        assert (await choose(env, queue, 1)).agent.id == second
        await env.sleep(timedelta(minutes=14, seconds=50))
        assert (await choose(env, queue, 2)).agent.id == second
        await env.sleep(timedelta(seconds=20))
        late = await choose(env, queue, 3)
        snapshot = await roster_of(env.client, queue).snapshot()
    assert late.agent is None
    assert {c.rejected_because for c in late.candidates} == {"offline"}
    assert [s.online for s in snapshot.agents] == [False] * 4
    assert [s.held for s in snapshot.agents] == [0, 2, 0, 0], "held: no webhook confirms them here"


@pytest.mark.parametrize("on_timeout", [[], [{"assign": {"user": SAM.email}}]], ids=["ends", "runs-timeout-steps"])
async def test_nobody_eligible_runs_the_timeout_steps_or_ends(time_skipping_env, on_timeout):
    env = time_skipping_env
    policy = assign_policy(only_online=True, timeout={"after": "10m", "steps": on_timeout})
    async with routing(env, [*SUPPORT, SAM], RosterConfig()) as (queue, inbox):
        result = await (await escalate(env, queue, inbox, policy)).result()
        await roster_of(env.client, queue).tell(
            RosterNews.presence(SUPPORT[0].id, True)
        )  # wakes a finished escalation: ignored
        later = await choose(env, queue, inbox.contact_id + 1)
        snapshot = await roster_of(env.client, queue).snapshot()
    assert result.finished_at - result.opened_at >= timedelta(minutes=10)
    if on_timeout:
        assert result.outcome == Outcome.COMPLETED and inbox.assignments == [SAM.id]
    else:
        assert result.outcome == Outcome.NO_ELIGIBLE_AGENT and inbox.assignments == []
    assert later.agent == SUPPORT[0], "the roster carries on after waking an escalation that had ended"
    assert snapshot.waiting == [] and snapshot.queue == [], "the escalation left the queue when it gave up"


async def test_a_two_level_ladder_never_returns_to_anyone_already_tried(time_skipping_env):
    env = time_skipping_env
    unanswered = {"all": [{"conversation_status": "open"}, {"no_reply_since_assignment": True}]}
    policy = Policy.model_validate(
        {
            "name": "ladder",
            "steps": [
                {"assign": {"user": ALICE.email}},
                {"wait": "15m"},
                {
                    "branch": {
                        **unanswered,
                        "then": [
                            {"assign": {"team": "Tier 2"}},
                            {"wait": "15m"},
                            {
                                "branch": {
                                    **unanswered,
                                    "then": [{"assign": {"workspace": True, "logic": "least_open"}}],
                                }
                            },
                        ],
                    }
                },
            ],
        }
    )
    async with routing(env, [*AGENTS, SAM], RosterConfig(default_online=True)) as (queue, inbox):
        result = await (await escalate(env, queue, inbox, policy)).result()
    assert result.outcome == Outcome.ESCALATED
    assert inbox.assignments == [ALICE.id, CAROL.id, DAVE.id], "Alice has the fewest open, but she already had it"
    tried = "already had this conversation"
    last = {c.agent.id: c.rejected_because for c in result.history[-1].candidates}
    assert last == {ALICE.id: tried, CAROL.id: tried, DAVE.id: None, SAM.id: None}


async def test_a_queued_escalation_is_offered_an_agent_as_soon_as_one_comes_online(time_skipping_env, record_history):
    env = time_skipping_env
    async with routing(env, SUPPORT, RosterConfig()) as (queue, inbox):
        handle = await escalate(env, queue, inbox, assign_policy(only_online=True))
        state = await poll(handle, lambda s: "nobody eligible" in s.step)
        await roster_of(env.client, queue).tell(RosterNews.presence(SUPPORT[2].id, True))
        assigned = await poll(handle, lambda s: s.assignee is not None)
        await handle.result()
        await record_history(handle)
    assert assigned.assignee == SUPPORT[2]
    assert "queued" in state.step
    assert assigned.history[0].assigned_at < state.deadline, "offered by the roster, long before the step gives up"


async def poll(handle, done):
    """Query (which never skips time) until ``done(state)``: what the workflow does on its own in real seconds."""
    for _ in range(250):
        state = await handle.query(Escalation.state)
        if done(state):
            return state
        await asyncio.sleep(0.02)
    raise AssertionError(f"still at {state.step!r}")
