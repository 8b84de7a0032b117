"""The roster's state on its own: presence, open sets, turns and waiting escalations, as plain objects."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from temporalio.contrib.pydantic import pydantic_data_converter

from models.agents import ChoiceRequest
from models.ids import escalation_workflow_id
from roster.state import AgentActivity, PresenceChange, RosterConfig, RosterState
from roster.strategies import choose
from tests.routing.world import SUPPORT, TEAM

T = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
A, B, C, D = (agent.id for agent in SUPPORT)


def state(**config: object) -> RosterState:
    return RosterState(config=RosterConfig(**config), agents=SUPPORT, synced_at=T)


@pytest.mark.parametrize("timeout", ["0m", "59s", "61m", "2h"])
def test_inactivity_timeout_outside_respondios_range_is_refused(timeout):
    with pytest.raises(ValidationError, match="between 1m and 60m"):
        RosterConfig(inactivity_timeout=timeout)


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


def test_a_choice_moves_the_contact_advances_the_turn_and_nobody_eligible_waits():
    roster = state()
    request = ChoiceRequest(contact_id=7, team=TEAM, only_online=True)
    roster.record(request, choose(roster.agents, request, roster.view(T)))
    assert roster.waiting == {escalation_workflow_id(7)} and roster.cursors == {}
    roster.set_presence(PresenceChange(agent_id=B, online=True), T)
    roster.record(request, choose(roster.agents, request, roster.view(T)))
    assert roster.waiting == set() and roster.cursors == {f"team:{TEAM}": B}
    assert roster.view(T).open_counts == {B: 1}


def test_least_open_and_named_user_choices_leave_the_round_robin_turn_alone():
    roster = state(default_online=True)
    for request in (ChoiceRequest(contact_id=1, team=TEAM, strategy="least_open"), ChoiceRequest(contact_id=2, user=C)):
        roster.record(request, choose(roster.agents, request, roster.view(T)))
    assert roster.cursors == {}
    assert roster.view(T).open_counts == {A: 1, C: 1}


def test_the_whole_state_survives_the_data_converter():
    roster = state()
    roster.saw_activity(AgentActivity(agent_id=A, at=T), T)
    roster.set_presence(PresenceChange(agent_id=D, online=True), T)
    roster.move(9, D)
    roster.move(8, D)
    roster.cursors["team:x"] = D
    roster.waiting.add("handoff-contact-3")
    (payload,) = pydantic_data_converter.payload_converter.to_payloads([roster])
    (copy,) = pydantic_data_converter.payload_converter.from_payloads([payload], [RosterState])
    assert copy == roster
    assert b'"open":{"14":[8,9]}' in payload.data
