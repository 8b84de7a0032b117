"""The roster's state on its own: presence, load and holds, the queue and its hand-out, reconciliation."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter

from models.agents import Agent, ChoiceRequest
from models.ids import escalation_workflow_id
from roster.load import HOLD_GRACE
from roster.state import DECISIONS_KEPT, AgentActivity, PresenceChange, RosterConfig, RosterState
from tests.conftest import HISTORIES
from tests.routing.world import SUPPORT, TEAM

T = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
A, B, C, D = (agent.id for agent in SUPPORT)
RECORDED_ROSTER = HISTORIES / "test_unanswered_conversation_is_reassigned_with_a_comment-roster.json"
SAM = Agent(id=301, email="sam@example.com", name="Sam Patel", team="Supervisors")


def state(**config: object) -> RosterState:
    return RosterState(config=RosterConfig(**config), agents=[*SUPPORT, SAM], synced_at=T)


def ask(contact_id: int, **options: object) -> ChoiceRequest:
    """A queueing request for the team, online agents only."""
    return ChoiceRequest(contact_id=contact_id, team=TEAM, only_online=True, queue=True, **options)


def online(roster: RosterState, *agent_ids: int) -> None:
    for agent_id in agent_ids:
        roster.set_presence(PresenceChange(agent_id=agent_id, online=True), T)


def load(roster: RosterState) -> dict[int, tuple[int, int]]:
    """Open and held conversations per agent who has any."""
    return {s.agent.id: (s.open, s.held) for s in roster.snapshot(T).agents if s.open or s.held}


@pytest.mark.parametrize("timeout", ["0m", "59s", "61m", "2h"])
def test_inactivity_timeout_outside_respondios_range_is_refused(timeout):
    with pytest.raises(ValidationError, match="between 1m and 60m"):
        RosterConfig(inactivity_timeout=timeout)


@pytest.mark.parametrize("field", ["sync_every", "reconcile_every"])
def test_sync_and_reconciliation_need_a_positive_interval(field):
    with pytest.raises(ValidationError, match="positive interval"):
        RosterConfig(**{field: "0s"})
    assert RosterConfig().reconcile_every == timedelta(minutes=10)


def test_activity_keeps_an_agent_online_for_the_inactivity_timeout_only():
    roster = state(inactivity_timeout="10m")
    assert roster.saw_activity(AgentActivity(agent_id=A, at=T), T) is True
    assert roster.is_online(A, T + timedelta(minutes=10) - timedelta(microseconds=1))
    assert not roster.is_online(A, T + timedelta(minutes=10))
    assert not roster.is_online(B, T), "presence nobody reported on is offline"


def test_an_older_activity_arriving_late_does_not_shorten_presence():
    roster = state()
    roster.saw_activity(AgentActivity(agent_id=A, at=T + timedelta(minutes=5)), T)
    assert roster.saw_activity(AgentActivity(agent_id=A, at=T), T) is False
    assert roster.is_online(A, T + timedelta(minutes=19))


def test_explicit_offline_also_forgets_activity_and_online_reports_the_change_once():
    roster = state()
    roster.saw_activity(AgentActivity(agent_id=A, at=T), T)
    assert roster.set_presence(PresenceChange(agent_id=A, online=False), T) is False
    assert not roster.is_online(A, T)
    assert roster.set_presence(PresenceChange(agent_id=A, online=True), T) is True
    assert roster.set_presence(PresenceChange(agent_id=A, online=True), T) is False
    assert state(default_online=True).is_online(B, T)


def test_open_sets_make_repeated_events_harmless_and_report_when_load_shrinks():
    roster = state()
    assert roster.move(7, A) is False
    assert roster.move(7, A) is False
    assert roster.move(7, B) is True
    assert roster.view(T).open_counts == {A: 0, B: 1}
    assert roster.move(7, None) is True
    assert roster.move(7, None) is False
    assert roster.view(T).open_counts == {A: 0, B: 0}


def test_a_choice_holds_the_agent_until_respondio_confirms_it_and_the_hold_counts_toward_max_open():
    roster = state()
    online(roster, A)
    first = roster.choose(ask(1, max_open=1), "r1", T)
    assert first.agent.id == A and load(roster) == {A: (0, 1)}
    assert roster.choose(ask(2, max_open=1), "r2", T).agent is None, "the hold fills A's one place"
    assert roster.assigned(1, A) is False and load(roster) == {A: (1, 0)}, "confirmed: the load stays"
    assert roster.choose(ask(3, max_open=2), "r3", T).agent.id == A
    assert roster.assigned(3, B) is True, "someone else took it: A's hold is overtaken"
    assert load(roster) == {A: (1, 0), B: (1, 0)}
    assert roster.choose(ask(4, max_open=2), "r4", T).agent.id == A
    assert roster.withdraw(4) is True and load(roster) == {A: (1, 0), B: (1, 0)}
    assert roster.withdraw(4) is False


def test_a_reassignment_takes_the_load_from_the_agent_who_had_it_as_it_is_chosen():
    roster = state()
    online(roster, A, B)
    roster.assigned(1, A)
    chosen = roster.choose(ask(1, exclude=[A]), "r1", T)
    assert chosen.agent.id == B and load(roster) == {B: (0, 1)}, "A no longer carries it"
    assert roster.assigned(1, B) is False, "respond.io confirming it frees nobody: nothing to wake"
    assert load(roster) == {B: (1, 0)}


def test_a_choice_takes_the_round_robin_turn_and_nobody_eligible_without_queue_waits_as_before():
    roster = state()
    request = ChoiceRequest(contact_id=7, team=TEAM, only_online=True)
    assert roster.choose(request, "r1", T).agent is None
    assert roster.waiting == {escalation_workflow_id(7)} and roster.cursors == {} and roster.queue == {}
    online(roster, B)
    assert roster.choose(request, "r2", T).agent.id == B
    assert roster.waiting == set() and roster.cursors == {f"team:{TEAM}": B}
    assert roster.view(T).open_counts == {B: 1}


def test_least_open_and_named_user_choices_leave_the_round_robin_turn_alone():
    roster = state(default_online=True)
    roster.choose(ChoiceRequest(contact_id=1, team=TEAM, strategy="least_open"), "r1", T)
    roster.choose(ChoiceRequest(contact_id=2, user=C), "r2", T)
    assert roster.cursors == {}
    assert roster.view(T).open_counts == {A: 1, C: 1}


def test_a_repeated_request_id_gets_the_same_agent_without_a_second_hold_or_turn():
    roster = state(default_online=True)
    first = roster.choose(ask(1), "take-1", T)
    again = roster.choose(ask(1), "take-1", T)
    assert again.agent == first.agent == SUPPORT[0]
    assert roster.cursors == {f"team:{TEAM}": A} and load(roster) == {A: (0, 1)}
    for contact_id in range(2, DECISIONS_KEPT + 3):
        roster.choose(ask(contact_id), f"take-{contact_id}", T)
    assert len(roster.decisions) == DECISIONS_KEPT and "take-1" not in roster.decisions


def test_nobody_eligible_queues_in_arrival_order_and_a_repeat_keeps_its_place():
    roster = state()
    answers = [roster.choose(ask(c), f"r{c}", T + timedelta(seconds=c)) for c in (1, 2, 3)]
    assert all(a.queued and a.agent is None for a in answers)
    assert answers[0].reason.endswith(f"queued: nobody ahead in team:{TEAM}")
    assert answers[2].reason.endswith(f"queued: 2 conversations ahead in team:{TEAM}")
    other_pool = roster.choose(ChoiceRequest(contact_id=4, team="Supervisors", only_online=True, queue=True), "r4", T)
    assert other_pool.reason.endswith("queued: nobody ahead in team:Supervisors")
    again = roster.choose(ask(1, exclude=[A]), "r1-again", T + timedelta(minutes=1))
    assert again.reason.endswith(f"queued: nobody ahead in team:{TEAM}")
    assert list(roster.queue) == [1, 2, 3, 4] and roster.queue[1].request.exclude == [A]
    assert roster.queue[1].since == T + timedelta(seconds=1), "the repeat keeps the first arrival"
    assert roster.waiting == set()
    places = [(q.contact_id, q.pool, q.place) for q in roster.snapshot(T).queue]
    assert places == [
        (1, "team:Support", 1),
        (2, "team:Support", 2),
        (3, "team:Support", 3),
        (4, "team:Supervisors", 1),
    ]


def test_a_hand_out_serves_the_queue_in_order_round_robin_up_to_each_agents_capacity():
    roster = state()
    for contact_id in range(1, 13):
        roster.choose(ask(contact_id, max_open=2), f"r{contact_id}", T)
    assert roster.hand_out(T) == [], "nobody online: nothing to hand out"
    online(roster, A, B, C, D)
    offers = roster.hand_out(T + timedelta(minutes=3))
    assert [(o.contact_id, o.choice.agent.id) for o in offers] == list(zip(range(1, 9), [A, B, C, D] * 2, strict=True))
    assert offers[0].choice.reason.endswith("offered after 3m in the queue")
    assert list(roster.queue) == [9, 10, 11, 12]
    assert load(roster) == {agent_id: (0, 2) for agent_id in (A, B, C, D)}
    assert roster.cursors == {f"team:{TEAM}": D}
    assert roster.choose(ask(1), "r1", T).agent.id == A, "an offer answers a repeat of the request that queued"
    assert roster.hand_out(T) == []
    assert roster.close(3) is True
    assert [(o.contact_id, o.choice.agent.id) for o in roster.hand_out(T)] == [(9, C)]


def test_a_contact_nobody_can_serve_keeps_its_place_while_later_ones_are_served():
    roster = state()
    roster.choose(ChoiceRequest(contact_id=1, user=SAM.email, only_online=True, queue=True), "r1", T)
    roster.choose(ask(2), "r2", T)
    online(roster, A)
    assert [o.contact_id for o in roster.hand_out(T)] == [2]
    assert list(roster.queue) == [1]


def test_withdraw_and_close_leave_the_queue_and_give_back_unconfirmed_holds_only():
    roster = state()
    for contact_id in (1, 2, 3):
        roster.choose(ask(contact_id), f"r{contact_id}", T)
    assert roster.withdraw(2) is False and list(roster.queue) == [1, 3]
    assert roster.close(3) is False and list(roster.queue) == [1]
    online(roster, A)
    (offer,) = roster.hand_out(T)
    roster.assigned(offer.contact_id, A)
    assert roster.withdraw(1) is False and load(roster) == {A: (1, 0)}, "a confirmed conversation stays open"
    assert roster.close(1) is True and load(roster) == {}


def test_an_offer_given_back_releases_its_hold_unless_a_newer_one_replaced_it():
    roster = state()
    roster.choose(ask(1), "r1", T)
    online(roster, A)
    (offer,) = roster.hand_out(T)
    roster.give_back(offer)
    assert load(roster) == {}
    roster.choose(ask(1), "r1-later", T)
    roster.give_back(offer)
    assert load(roster) == {A: (0, 1)}


def test_reconciliation_takes_respondios_open_conversations_and_confirms_or_drops_holds():
    roster = state(default_online=True)
    roster.move(50, B)
    for contact_id in (1, 2, 3):
        roster.choose(ask(contact_id), f"r{contact_id}", T)  # holds: 1 → A, 2 → B, 3 → C
    roster.choose(ask(4), "r4", T + HOLD_GRACE)  # 4 → D, still young at the reconciliation
    roster.move(60, D)  # news heard while respond.io was read, which does not list it yet
    truth = {A: [1, 70], B: [], C: [], D: [90]}
    drift = roster.reconcile(truth, T + HOLD_GRACE + timedelta(seconds=1), news={60})
    assert drift == {A: (1, 2), B: (2, 0), C: (1, 0), D: (2, 3)}
    assert load(roster) == {A: (2, 0), D: (2, 1)}
    assert roster.open == {A: {1, 70}, D: {60, 90}}
    assert set(roster.holds) == {4}
    assert roster.reconcile(truth | {D: [60, 90]}, T + HOLD_GRACE * 2, news=set()) == {D: (3, 2)}


def test_the_whole_state_survives_the_data_converter_with_the_queue_in_order():
    roster = state()
    roster.saw_activity(AgentActivity(agent_id=A, at=T), T)
    roster.set_presence(PresenceChange(agent_id=D, online=True), T)
    roster.move(9, D)
    roster.move(8, D)
    roster.cursors["team:x"] = D
    roster.waiting.add("handoff-contact-3")
    for contact_id in (30, 10, 20):
        roster.choose(ask(contact_id, exclude=[A, D]), f"r{contact_id}", T)
    roster.choose(ask(5), "r5", T)
    (payload,) = pydantic_data_converter.payload_converter.to_payloads([roster])
    (copy,) = pydantic_data_converter.payload_converter.from_payloads([payload], [RosterState])
    assert copy == roster
    assert list(copy.queue) == [30, 10, 20] and copy.holds[5].agent_id == A and copy.decisions == {"r5": A}
    assert b'"open":{"14":[8,9]}' in payload.data


def test_a_state_written_before_the_queue_still_decodes():
    history = WorkflowHistory.from_json("roster", RECORDED_ROSTER.read_text())
    (payload,) = history.events[0].workflow_execution_started_event_attributes.input.payloads
    (roster,) = pydantic_data_converter.payload_converter.from_payloads([payload], [RosterState])
    assert roster.queue == {} and roster.holds == {} and roster.decisions == {} and roster.reconciled_at is None
