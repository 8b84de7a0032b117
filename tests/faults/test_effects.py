"""The fault suite's counting sees what it must fail on: repeats, missing effects and lost escalations."""

from collections import Counter

import pytest

from tests.faults.effects import LOST, assert_each_escalated_once, count_effects


def contact(contact_id: int, assignees: list[int], comments: list[str], by_person: int | None = None) -> dict:
    assignments = [{"assigneeId": a, "source": "api"} for a in assignees]
    if by_person is not None:
        assignments.append({"assigneeId": by_person, "source": "user"})
    return {"id": contact_id, "assignments": assignments, "comments": [{"text": t} for t in comments]}


def test_a_clean_run_passes():
    state = {"contacts": [contact(1, [101, 201], ["moved"]), contact(2, [102, 202], ["moved"], by_person=203)]}
    effects = count_effects(state, {1: "escalated", 2: "escalated"})
    assert (effects.assignments, effects.comments, effects.lost) == (4, 2, 0)
    assert_each_escalated_once(effects, 2)
    assert effects.summary() == (
        "2 conversations; 4 assignments (0 duplicate); 2 comments (0 duplicate); outcomes: escalated 2"
    )


@pytest.mark.parametrize(
    ("contacts", "outcomes", "seen"),
    [
        ([contact(1, [101, 101, 201], ["moved"])], {1: "escalated"}, {"duplicate_assignments": 1}),
        ([contact(1, [101, 201], ["moved", "moved"])], {1: "escalated"}, {"duplicate_comments": 1}),
        ([contact(1, [101], [])], {1: LOST}, {"lost": 1}),
        ([], {1: LOST}, {"conversations": 0, "lost": 1}),
    ],
)
def test_repeats_and_losses_fail_the_case(contacts, outcomes, seen):
    effects = count_effects({"contacts": contacts}, outcomes)
    assert {name: getattr(effects, name) for name in seen} == seen
    with pytest.raises(AssertionError):
        assert_each_escalated_once(effects, 1)


def test_outcomes_are_counted_by_name():
    state = {"contacts": [contact(n, [101], []) for n in (1, 2, 3)]}
    assert count_effects(state, {1: "replied", 2: "replied", 3: LOST}).outcomes == Counter(replied=2, lost=1)
