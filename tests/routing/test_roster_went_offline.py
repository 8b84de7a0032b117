"""The roster's look for agents who went offline, on its state alone: whom it tells, when, and only once."""

from datetime import UTC, datetime, timedelta

from temporalio.contrib.pydantic import pydantic_data_converter

from models.agents import AgentWentOffline, ChoiceRequest
from roster.state import AgentActivity, PresenceChange, RosterConfig, RosterState
from tests.routing.world import SUPPORT

T = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
ANN, BEN = SUPPORT[:2]
A, B = ANN.id, BEN.id


def roster(**config: object) -> RosterState:
    return RosterState(config=RosterConfig(inactivity_timeout="15m", **config), agents=SUPPORT, synced_at=T)


def explicitly(state: RosterState, agent_id: int, online: bool, at: datetime) -> None:
    state.set_presence(PresenceChange(agent_id=agent_id, online=online), at)


def active(state: RosterState, agent_id: int, at: datetime) -> None:
    state.saw_activity(AgentActivity(agent_id=agent_id, at=at), at)


def hold(state: RosterState, contact_id: int, agent_id: int, at: datetime) -> None:
    """Choose ``agent_id`` for the contact: held for them until respond.io confirms it."""
    state.choose(ChoiceRequest(contact_id=contact_id, user=agent_id), f"take-{contact_id}", at)


def test_an_explicit_offline_reports_the_agent_at_that_moment_with_open_and_held_conversations():
    state = roster()
    explicitly(state, A, True, T)
    explicitly(state, B, True, T)
    state.move(1, A)
    state.move(2, A)
    hold(state, 3, A, T)
    state.move(4, B)
    assert state.went_offline(T) == []
    explicitly(state, A, False, T + MINUTE)
    assert state.went_offline(T + 2 * MINUTE) == [AgentWentOffline(agent=ANN, at=T + 2 * MINUTE)]
    assert state.contacts_of(A) == [1, 2, 3] and state.contacts_of(B) == [4]


def test_inactivity_reports_the_agent_as_their_activity_ran_out_even_when_looked_at_late():
    state = roster()
    active(state, A, T)
    state.move(1, A)
    assert state.went_offline(T) == [] and state.next_look(T) == T + 15 * MINUTE
    assert state.went_offline(T + 14 * MINUTE) == []
    assert state.went_offline(T + 16 * MINUTE) == [AgentWentOffline(agent=ANN, at=T + 15 * MINUTE)]
    assert state.next_look(T + 16 * MINUTE) is None


def test_explicit_online_keeps_an_agent_online_when_their_activity_runs_out():
    state = roster()
    explicitly(state, A, True, T)
    active(state, A, T)
    state.move(1, A)
    assert state.went_offline(T) == []
    assert state.next_look(T) is None, "no activity-based presence to watch: nothing to wake for"
    assert state.went_offline(T + 20 * MINUTE) == []


def test_an_agent_active_again_before_the_timeout_stays_online_and_the_next_look_moves_later():
    state = roster()
    active(state, A, T)
    state.move(1, A)
    state.went_offline(T)
    active(state, A, T + 10 * MINUTE)
    assert state.next_look(T + 10 * MINUTE) == T + 25 * MINUTE
    assert not state.look_due(T + 10 * MINUTE, planned=T + 15 * MINUTE), "a later end waits for the planned look"
    assert state.went_offline(T + 15 * MINUTE) == []
    assert state.went_offline(T + 25 * MINUTE) == [AgentWentOffline(agent=ANN, at=T + 25 * MINUTE)]


def test_an_agent_without_conversations_is_nobody_to_tell_about_and_is_not_watched():
    state = roster()
    active(state, A, T)
    state.went_offline(T)
    assert state.next_look(T) is None
    assert state.went_offline(T + 16 * MINUTE) == []
    state.move(1, A)
    assert state.went_offline(T + 17 * MINUTE) == [], "given a conversation once offline: they did not go offline"


def test_an_agent_holding_only_a_chosen_conversation_is_reported():
    state = roster()
    active(state, A, T)
    hold(state, 7, A, T)
    hold(state, 8, B, T)
    assert state.next_look(T) == T + 15 * MINUTE
    state.went_offline(T)
    assert state.went_offline(T + 15 * MINUTE) == [AgentWentOffline(agent=ANN, at=T + 15 * MINUTE)]
    assert state.contacts_of(A) == [7]


def test_one_going_offline_is_reported_once_however_it_is_told_again():
    state = roster()
    active(state, A, T)
    state.move(1, A)
    state.went_offline(T)
    assert len(state.went_offline(T + 15 * MINUTE)) == 1
    explicitly(state, A, False, T + 16 * MINUTE)
    assert state.went_offline(T + 16 * MINUTE) == [], "explicit offline after the inactivity already ran out"
    explicitly(state, A, True, T + 17 * MINUTE)
    explicitly(state, A, False, T + 17 * MINUTE)
    explicitly(state, A, False, T + 18 * MINUTE)
    assert state.went_offline(T + 18 * MINUTE) == [], "online and offline again between two looks: never seen online"
    explicitly(state, A, True, T + 19 * MINUTE)
    state.went_offline(T + 19 * MINUTE)
    explicitly(state, A, False, T + 20 * MINUTE)
    explicitly(state, A, False, T + 21 * MINUTE)
    assert state.went_offline(T + 21 * MINUTE) == [AgentWentOffline(agent=ANN, at=T + 21 * MINUTE)]
    assert state.went_offline(T + 22 * MINUTE) == []


def test_a_setting_that_takes_presence_away_reports_the_agent_as_of_the_look():
    state = roster(default_online=True)
    active(state, A, T)
    state.move(1, A)
    state.went_offline(T + 20 * MINUTE)
    state.config = RosterConfig(default_online=False)
    assert state.went_offline(T + 30 * MINUTE) == [AgentWentOffline(agent=ANN, at=T + 30 * MINUTE)], (
        "not as of their activity, which ran out while the default kept them online"
    )


def test_a_look_is_due_when_someone_comes_online_or_goes_offline_or_an_activity_ends_sooner():
    state = roster()
    planned = T + 5 * MINUTE
    assert not state.look_due(T, planned)
    explicitly(state, A, True, T)
    assert state.look_due(T, planned), "came online"
    state.went_offline(T)
    assert not state.look_due(T, planned)
    active(state, B, T - 12 * MINUTE)
    state.went_offline(T)
    assert not state.look_due(T, planned), "online without a conversation: their end is not watched"
    state.move(1, B)
    assert state.look_due(T, planned), "their first conversation: their presence ends before the planned look"
    explicitly(state, A, False, T)
    assert state.look_due(T, T + MINUTE), "went offline"


def test_what_the_roster_saw_survives_continue_as_new():
    state = roster()
    active(state, A, T)
    state.move(1, A)
    state.went_offline(T)
    (payload,) = pydantic_data_converter.payload_converter.to_payloads([state])
    (carried,) = pydantic_data_converter.payload_converter.from_payloads([payload], [RosterState])
    assert carried.seen_online == {A} and carried.looked_at == T
    assert carried.went_offline(T + 16 * MINUTE) == [AgentWentOffline(agent=ANN, at=T + 15 * MINUTE)]
