"""``requeue_when_offline`` with the real roster on the time-skipping server: an agent going offline loses the
conversations they have not answered, within seconds, to someone online; the ones they answered stay."""

import asyncio
from contextlib import asynccontextmanager
from datetime import timedelta

from temporalio.client import WorkflowHandle

from models.agents import Agent, AgentWentOffline
from roster.client import RosterClient, RosterNews
from roster.state import RosterConfig
from starter.escalations import start_escalation
from tests.routing.world import fresh_contacts, fresh_queue, list_agents_returning, roster_of, running_roster
from tests.workflows.fake_inbox import AGENTS, FakeInbox, FakeInboxes, FakeMessage, SlowToAssign
from tests.workflows.test_escalation import running, until_waiting
from worker.build import build_worker
from worker.settings import Settings
from workflows.escalation import Escalation
from workflows.escalation_calls import CONTINUE_AFTER_EVENTS
from workflows.escalation_types import AssigneeChanged, EscalationState, Outcome
from workflows.policy import Policy

ANA, BEN = (Agent(id=i, email=f"{n}@example.com", name=n.title(), team="Tier 1") for i, n in ((21, "ana"), (22, "ben")))

REQUEUE = Policy.model_validate(
    {
        "name": "requeue-when-offline",
        "requeue_when_offline": {"teams": ["Tier 1"]},
        "steps": [
            {"assign": {"team": "Tier 1", "only_online": True}},
            {"wait": "15m"},
            {
                "branch": {
                    "all": [{"conversation_status": "open"}, {"no_reply_since_assignment": True}],
                    "then": [{"comment": "No reply from {assignee} in {waited}."}],
                }
            },
        ],
    }
)


@asynccontextmanager
async def team_inbox(env, conversations: int, inbox: type[FakeInbox] = FakeInbox):
    """A worker with the real workflows, the real roster (Ana and Ben in Tier 1, nobody online), and fake
    conversations; yields ``(queue, inboxes)``."""
    queue = fresh_queue("requeue")
    config = RosterConfig()
    routing = RosterClient(env.client, queue, config)
    inboxes = FakeInboxes({c: inbox(contact_id=c, routing=routing) for c in fresh_contacts(conversations)})
    async with (
        build_worker(
            env.client, Settings(task_queue=queue), [*inboxes.activities(), list_agents_returning([ANA, BEN])]
        ),
        running_roster(env.client, queue, config),
    ):
        yield queue, inboxes


async def _state_when(handle, done) -> EscalationState:
    async with asyncio.timeout(30):
        while not done(state := await handle.query(Escalation.state)):
            await asyncio.sleep(0.02)
    return state


async def _escalate(env, queue: str, policy: Policy, contact_id: int) -> WorkflowHandle:
    """The contact's escalation under ``policy``, started now (its handle's result follows continue-as-new)."""
    started = await start_escalation(env.client, queue, policy, contact_id, "o", await env.get_current_time())
    assert started.handle is not None and started.handle.result_run_id, started.detail
    return started.handle


async def _until_queued(roster: RosterClient, contact_id: int) -> None:
    async with asyncio.timeout(30):
        while contact_id not in [queued.contact_id for queued in (await roster.snapshot()).queue]:
            await asyncio.sleep(0.02)


async def test_an_agent_going_offline_loses_the_unanswered_conversations_and_keeps_the_answered(
    time_skipping_env, record_history
):
    env = time_skipping_env
    async with team_inbox(env, 3) as (queue, inboxes):
        roster = roster_of(env.client, queue)
        await roster.tell(RosterNews.presence(ANA.id, True))
        handles = {contact_id: await _escalate(env, queue, REQUEUE, contact_id) for contact_id in inboxes.inboxes}
        for handle in handles.values():
            await _state_when(handle, lambda s: s.assignee == ANA and "wait" in s.step)
        first, second, answered = inboxes.inboxes
        now = await env.get_current_time()
        inboxes.inboxes[answered].messages.append(FakeMessage(source="user", user_id=ANA.id, sent_at=now))
        await roster.tell(RosterNews.presence(BEN.id, True))
        went_offline = await env.get_current_time()
        reads_before = inboxes.inboxes[answered].reads
        await roster.tell(RosterNews.presence(ANA.id, False))
        moved = [
            await _state_when(handles[c], lambda s: s.assignee == BEN and "wait" in s.step) for c in (first, second)
        ]
        async with asyncio.timeout(30):  # the answered one's escalation heard the news too, and read respond.io
            while inboxes.inboxes[answered].reads == reads_before:
                await asyncio.sleep(0.02)
        stayed = await handles[answered].query(Escalation.state)
        for handle in handles.values():
            await handle.execute_update(Escalation.cancel, "test over")
            await handle.result()
        await record_history(handles[first], "-moved")
        await record_history(handles[answered], "-answered")
    for state in moved:
        assert [a.agent for a in state.history] == [ANA, BEN]
        assert state.history[1].assigned_at - went_offline < timedelta(minutes=1), "at once, not at the 15 min timer"
        assert state.deadline is not None and state.deadline - state.history[1].assigned_at >= timedelta(minutes=15)
    assert [inboxes.inboxes[c].comments for c in (first, second)] == [
        ["Ana went offline without replying; moved to Ben (" + moved[0].history[1].reason + ")."],
        ["Ana went offline without replying; moved to Ben (" + moved[1].history[1].reason + ")."],
    ]
    assert [a.agent for a in stayed.history] == [ANA] and inboxes.inboxes[answered].comments == []
    assert inboxes.inboxes[answered].assignee == ANA


async def test_with_nobody_online_the_conversation_moves_as_soon_as_someone_comes_online(time_skipping_env):
    env = time_skipping_env
    async with team_inbox(env, 1) as (queue, inboxes):
        roster = roster_of(env.client, queue)
        await roster.tell(RosterNews.presence(ANA.id, True))
        (contact_id,) = inboxes.inboxes
        handle = await _escalate(env, queue, REQUEUE, contact_id)
        await _state_when(handle, lambda s: s.assignee == ANA and "wait" in s.step)
        await roster.tell(RosterNews.presence(ANA.id, False))
        await _until_queued(roster, contact_id)  # nobody to move it to: it waits in the roster's queue, still Ana's
        waiting = await handle.query(Escalation.state)
        await roster.tell(RosterNews.presence(BEN.id, True))
        moved = await _state_when(handle, lambda s: s.assignee == BEN)
        await handle.execute_update(Escalation.cancel, "test over")
        result = await handle.result()
    assert waiting.assignee == ANA
    assert [a.agent for a in moved.history] == [ANA, BEN]
    assert result.outcome == Outcome.CANCELLED


async def test_a_reply_while_the_move_waits_in_the_queue_keeps_the_conversation(time_skipping_env):
    env = time_skipping_env
    async with team_inbox(env, 1) as (queue, inboxes):
        roster = roster_of(env.client, queue)
        await roster.tell(RosterNews.presence(ANA.id, True))
        ((contact_id, inbox),) = inboxes.inboxes.items()
        handle = await _escalate(env, queue, REQUEUE, contact_id)
        await _state_when(handle, lambda s: s.assignee == ANA and "wait" in s.step)
        await roster.tell(RosterNews.presence(ANA.id, False))
        await _until_queued(roster, contact_id)
        inbox.messages.append(FakeMessage(source="user", user_id=ANA.id, sent_at=await env.get_current_time()))
        reads = inbox.reads
        await roster.tell(RosterNews.presence(BEN.id, True))  # Ben is offered the move...
        async with asyncio.timeout(30):  # ...and the escalation checks respond.io before taking it
            while inbox.reads == reads:
                await asyncio.sleep(0.02)
        async with asyncio.timeout(30):  # it gives Ben back: nothing held for him
            while (ben := next(a for a in (await roster.snapshot()).agents if a.agent.id == BEN.id)).held:
                await asyncio.sleep(0.02)
        state = await handle.query(Escalation.state)
        await handle.execute_update(Escalation.cancel, "test over")
    assert [a.agent for a in state.history] == [ANA] and inbox.assignee == ANA and inbox.comments == []
    assert ben.held == 0 and ben.open == 0


async def test_an_escalation_that_replaces_a_queued_move_keeps_its_new_agent_held(time_skipping_env):
    env = time_skipping_env
    escalate_to_anyone = Policy.model_validate(
        {
            "name": "requeue-then-escalate",
            "requeue_when_offline": {"teams": ["Tier 1"]},
            "steps": [
                {"assign": {"team": "Tier 1", "only_online": True}},
                {"wait": "15m"},
                {"branch": {"all": [{"no_reply_since_assignment": True}], "then": [{"assign": {"team": "Tier 1"}}]}},
            ],
        }
    )
    async with team_inbox(env, 1) as (queue, inboxes):
        roster = roster_of(env.client, queue)
        await roster.tell(RosterNews.presence(ANA.id, True))
        ((contact_id, inbox),) = inboxes.inboxes.items()
        handle = await _escalate(env, queue, escalate_to_anyone, contact_id)
        await _state_when(handle, lambda s: s.assignee == ANA and "wait" in s.step)
        await roster.tell(RosterNews.presence(ANA.id, False))  # nobody online: the move waits in the queue
        await _until_queued(roster, contact_id)
        await env.sleep(timedelta(minutes=16))  # the wait runs out: the branch gives it to Ben (offline is fine)
        escalated = await _state_when(handle, lambda s: s.assignee == BEN)
        await handle.execute_update(Escalation.cancel, "test over")
        await handle.result()
        snapshot = await roster.snapshot()
    assert [a.agent for a in escalated.history] == [ANA, BEN] and inbox.assignee == BEN
    ben = next(a for a in snapshot.agents if a.agent.id == BEN.id)
    assert ben.held == 1, "the run's end withdrew nothing: Ben's fresh assignment still counts"
    assert contact_id not in [queued.contact_id for queued in snapshot.queue]


async def test_an_agent_whose_activity_runs_out_loses_the_unanswered_conversation_at_that_moment(time_skipping_env):
    env = time_skipping_env
    an_hour = Policy.model_validate(
        {
            "name": "requeue-within-the-hour",
            "requeue_when_offline": {"teams": ["Tier 1"]},
            "steps": [{"assign": {"team": "Tier 1", "only_online": True}}, {"wait": "1h"}],
        }
    )
    async with team_inbox(env, 1) as (queue, inboxes):
        roster = roster_of(env.client, queue)
        active_at = await env.get_current_time()
        await roster.tell(RosterNews.agent_active(ANA.id, active_at))  # online for 15 min (the default timeout)
        ((contact_id, inbox),) = inboxes.inboxes.items()
        handle = await _escalate(env, queue, an_hour, contact_id)
        await _state_when(handle, lambda s: s.assignee == ANA and "wait" in s.step)
        await roster.tell(RosterNews.presence(BEN.id, True))
        await env.sleep(timedelta(minutes=16))  # Ana's activity runs out at 15 min, long before the hour
        moved = await _state_when(handle, lambda s: s.assignee == BEN)
        await handle.execute_update(Escalation.cancel, "test over")
    assert [a.agent for a in moved.history] == [ANA, BEN]
    assert active_at + timedelta(minutes=15) <= moved.history[1].assigned_at < active_at + timedelta(minutes=16)
    assert inbox.comments == [f"Ana went offline without replying; moved to Ben ({moved.history[1].reason})."]


async def test_a_conversation_closed_as_its_move_is_taken_ends_the_watch_on_what_the_steps_did(time_skipping_env):
    """The read finds the conversation open, unanswered and still Ben's; a person closes it before the move lands."""
    env = time_skipping_env
    escalate_then_watch = Policy.model_validate(
        {
            "name": "escalate-then-watch",
            "requeue_when_offline": {"teams": ["Tier 1"]},
            "steps": [
                {"assign": {"team": "Tier 1", "only_online": True}},
                {"wait": "1m"},
                {"branch": {"all": [{"no_reply_since_assignment": True}], "then": [{"assign": {"user": BEN.email}}]}},
            ],
        }
    )
    async with team_inbox(env, 1) as (queue, inboxes):
        roster = roster_of(env.client, queue)
        await roster.tell(RosterNews.presence(ANA.id, True))
        ((contact_id, inbox),) = inboxes.inboxes.items()
        handle = await _escalate(env, queue, escalate_then_watch, contact_id)
        await _state_when(handle, lambda s: s.assignee == ANA and "wait" in s.step)
        await env.sleep(timedelta(minutes=2))  # Ana does not reply: Ben gets it, and the run watches him
        await _state_when(handle, lambda s: s.assignee == BEN and s.step == "watching the conversation")
        inbox.closes_after_read = True
        await roster.tell(RosterNews.presence(BEN.id, True))
        await roster.tell(RosterNews.presence(BEN.id, False))  # Ana is online to take it over
        result = await asyncio.wait_for(handle.result(), timeout=30)
    assert result.outcome == Outcome.ESCALATED, "the escalation the steps made stays the outcome"
    assert result.detail.endswith("; then the conversation was closed"), result.detail
    assert inbox.assignments == [ANA.id, BEN.id] and inbox.comments == [], "the move did not land, nor its comment"


LADDER = 400
"""One-second waits after the first: enough events (about six each) for the run to continue as new once."""


async def test_a_move_queued_before_a_continue_as_new_is_made_by_the_next_run(time_skipping_env):
    env = time_skipping_env
    long_ladder = Policy.model_validate(
        {
            "name": "requeue-on-a-long-ladder",
            "requeue_when_offline": {"teams": ["Tier 1"]},
            "steps": [{"assign": {"team": "Tier 1", "only_online": True}}, {"wait": "15m"}, *[{"wait": "1s"}] * LADDER],
        }
    )
    async with team_inbox(env, 1) as (queue, inboxes):
        roster = roster_of(env.client, queue)
        await roster.tell(RosterNews.presence(ANA.id, True))
        ((contact_id, inbox),) = inboxes.inboxes.items()
        handle = await _escalate(env, queue, long_ladder, contact_id)
        await _state_when(handle, lambda s: s.assignee == ANA and "wait" in s.step)
        await roster.tell(RosterNews.presence(ANA.id, False))
        await _until_queued(roster, contact_id)  # nobody online: the move waits, and the ladder goes on for Ana
        await env.sleep(timedelta(minutes=15, seconds=LADDER + 60))
        latest = env.client.get_workflow_handle_for(Escalation.run, handle.id)
        async with asyncio.timeout(30):
            while (await latest.describe()).run_id == handle.result_run_id:
                await asyncio.sleep(0.02)
        await roster.tell(RosterNews.presence(BEN.id, True))  # the roster offers Ben to the run now running
        moved = await _state_when(latest, lambda s: s.assignee == BEN)
        await latest.execute_update(Escalation.cancel, "test over")
    assert [a.agent for a in moved.history] == [ANA, BEN] and inbox.assignments == [ANA.id, BEN.id]
    assert inbox.comments == [f"Ana went offline without replying; moved to Ben ({moved.history[1].reason})."]


async def test_an_agent_who_goes_offline_as_the_assignment_lands_loses_it(time_skipping_env, record_history):
    """The roster tells each conversation once, here while respond.io has not yet answered Ana's assignment."""
    env = time_skipping_env
    async with team_inbox(env, 1, SlowToAssign) as (queue, inboxes):
        roster = roster_of(env.client, queue)
        await roster.tell(RosterNews.presence(ANA.id, True))
        ((contact_id, inbox),) = inboxes.inboxes.items()
        assert isinstance(inbox, SlowToAssign)
        handle = await _escalate(env, queue, REQUEUE, contact_id)
        await asyncio.wait_for(inbox.chosen.wait(), timeout=30)  # the roster chose Ana and holds her
        await roster.tell(RosterNews.presence(BEN.id, True))
        await roster.tell(RosterNews.presence(ANA.id, False))
        async with asyncio.timeout(30):  # the roster told the escalation, whose assignee is still nobody
            while not any(
                event.workflow_execution_signaled_event_attributes.signal_name == "assignee_offline"
                for event in (await handle.fetch_history()).events
            ):
                await asyncio.sleep(0.05)
        inbox.held = False
        inbox.released.set()  # Ana's assignment lands
        moved = await _state_when(handle, lambda s: s.assignee == BEN and "wait" in s.step)
        await handle.execute_update(Escalation.cancel, "test over")
        await handle.result()
        await record_history(handle, "-offline-as-assigned")
    assert [a.agent for a in moved.history] == [ANA, BEN]
    assert inbox.comments == [f"Ana went offline without replying; moved to Ben ({moved.history[1].reason})."]


CAROL = AGENTS[1]
WATCH_CAROL = Policy.model_validate(
    {
        "name": "watch-carol",
        "requeue_when_offline": {"teams": ["Tier 2"]},
        "steps": [{"assign": {"user": CAROL.email}}, {"wait": "1m"}],
    }
)


async def _watching_carol(env, start) -> WorkflowHandle:
    """Carol's escalation, once its steps are done and it watches her (she has not replied)."""
    handle = await start()
    await until_waiting(handle)
    await env.sleep(timedelta(minutes=2))
    await _state_when(handle, lambda s: s.step == "watching the conversation")
    return handle


async def test_a_watch_ends_when_a_read_shows_the_conversation_closed(time_skipping_env):
    env = time_skipping_env
    inbox = FakeInbox()
    async with running(env, inbox, WATCH_CAROL) as start:
        handle = await _watching_carol(env, start)
        inbox.status = "close"  # its conversation.closed webhook is lost
        await handle.signal(Escalation.assignee_offline, AgentWentOffline(agent=CAROL, at=await env.get_current_time()))
        result = await asyncio.wait_for(handle.result(), timeout=30)
    assert result.outcome == Outcome.CLOSED and inbox.assignments == [CAROL.id]


async def test_a_cancel_heard_during_a_move_ends_the_run_that_would_continue_as_new(time_skipping_env):
    env = time_skipping_env
    inbox = SlowToAssign(held=False)
    async with running(env, inbox, WATCH_CAROL) as start:
        handle = await _watching_carol(env, start)
        # Signals that change nothing take the history past the threshold; the watch does not wake for them.
        same = AssigneeChanged(assignee_id=CAROL.id, changed_at=await env.get_current_time())
        while (await handle.describe()).history_length < CONTINUE_AFTER_EVENTS:
            await asyncio.gather(*(handle.signal(Escalation.assignee_changed, same) for _ in range(50)))
        inbox.held = True
        await handle.signal(Escalation.assignee_offline, AgentWentOffline(agent=CAROL, at=await env.get_current_time()))
        await asyncio.wait_for(inbox.chosen.wait(), timeout=30)  # the move to Dave is under way
        await handle.execute_update(Escalation.cancel, "an operator stops it")
        inbox.released.set()
        result = await asyncio.wait_for(handle.result(), timeout=30)
        latest = await env.client.get_workflow_handle(handle.id).describe()
    assert result.outcome == Outcome.CANCELLED, result
    assert latest.run_id == handle.result_run_id, "it ended instead of continuing as new"
