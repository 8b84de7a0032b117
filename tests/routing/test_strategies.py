"""Routing strategies as pure functions, over the roster's own state: fairness, minimality, filters, tie-breaks."""

from collections import Counter
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from models.agents import Agent, ChoiceRequest
from roster.state import RosterConfig, RosterState
from roster.strategies import RosterView, choose

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

agent_ids = st.lists(st.integers(1, 500), min_size=1, max_size=8, unique=True)


def team(ids: list[int]) -> list[Agent]:
    return [Agent(id=i, email=f"a{i}@example.com", name=f"A{i}", team="T") for i in ids]


def roster(agents: list[Agent], online: set[int]) -> RosterState:
    return RosterState(
        config=RosterConfig(), agents=agents, synced_at=NOW, presence={a.id: a.id in online for a in agents}
    )


@st.composite
def situations(draw):
    """A team, who is online, everyone's load, and a request with random filters."""
    ids = draw(agent_ids)
    online = draw(st.sets(st.sampled_from(ids)))
    open_counts = {i: draw(st.integers(0, 6)) for i in ids}
    request = ChoiceRequest(
        contact_id=1,
        team="T",
        strategy=draw(st.sampled_from(["round_robin", "least_open"])),
        only_online=draw(st.booleans()),
        max_open=draw(st.none() | st.integers(1, 6)),
        exclude=draw(st.lists(st.sampled_from(ids), unique=True)),
    )
    cursor = draw(st.none() | st.sampled_from(ids))
    cursors = {} if cursor is None else {"team:T": cursor}
    view = RosterView(online=frozenset(online), open_counts=open_counts, cursors=cursors)
    return team(ids), request, view


def eligible(agents: list[Agent], request: ChoiceRequest, view: RosterView) -> list[Agent]:
    return [
        a
        for a in agents
        if a.id not in request.exclude
        and (not request.only_online or a.id in view.online)
        and (request.max_open is None or view.open_counts.get(a.id, 0) < request.max_open)
    ]


@given(agent_ids, st.data(), st.integers(1, 12))
def test_round_robin_gives_each_eligible_agent_its_turn(ids, data, rounds):
    online = data.draw(st.sets(st.sampled_from(ids), min_size=1))
    state = roster(team(ids), online)
    chosen = Counter()
    for contact_id in range(rounds * len(online)):
        choice = state.choose(ChoiceRequest(contact_id=contact_id, team="T", only_online=True), str(contact_id), NOW)
        chosen[choice.agent.id] += 1
    assert set(chosen) == online
    assert all(abs(count - rounds) <= 1 for count in chosen.values()), chosen


@given(situations())
def test_least_open_picks_the_least_loaded_eligible_agent_lowest_id_first(situation):
    agents, request, view = situation
    request = request.model_copy(update={"strategy": "least_open"})
    choice = choose(agents, request, view)
    candidates = eligible(agents, request, view)
    if not candidates:
        assert choice.agent is None
        return
    fewest = min(view.open_counts[a.id] for a in candidates)
    assert view.open_counts[choice.agent.id] == fewest
    assert choice.agent.id == min(a.id for a in candidates if view.open_counts[a.id] == fewest)


@given(situations())
def test_filters_are_never_broken_and_every_candidate_is_explained(situation):
    agents, request, view = situation
    choice = choose(agents, request, view)
    assert [c.agent for c in choice.candidates] == agents
    if choice.agent is None:
        assert all(c.rejected_because for c in choice.candidates)
        assert not eligible(agents, request, view)
        return
    assert choice.agent in eligible(agents, request, view)
    assert choice.agent.id not in request.exclude
    assert not request.only_online or choice.agent.id in view.online
    assert request.max_open is None or view.open_counts[choice.agent.id] < request.max_open


@given(situations(), st.randoms())
def test_the_order_agents_are_listed_in_changes_nothing(situation, random):
    agents, request, view = situation
    shuffled = list(agents)
    random.shuffle(shuffled)
    assert choose(shuffled, request, view).agent == choose(agents, request, view).agent


def test_round_robin_wraps_around_after_the_highest_id():
    agents = team([3, 7, 9])
    request = ChoiceRequest(contact_id=1, team="T")
    assert choose(agents, request, RosterView(cursors={"team:T": 9})).agent.id == 3
    assert choose(agents, request, RosterView(cursors={"team:T": 4})).agent.id == 7


def test_nobody_eligible_says_why_each_agent_was_passed_over():
    agents = team([1, 2, 3])
    request = ChoiceRequest(contact_id=1, team="T", only_online=True, exclude=[3])
    choice = choose(agents, request, RosterView(online=frozenset({3})))
    assert choice.agent is None
    assert choice.reason == (
        "none of 3 agents in team:T is eligible: A1 (offline), A2 (offline), A3 (already had this conversation)"
    )
