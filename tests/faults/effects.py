"""Counting what a fault case did, per conversation, from the sandbox's own records and Temporal's results."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LOST = "lost"
"""The outcome of an escalation with no result: still running, failed in Temporal, or never started."""


@dataclass(frozen=True)
class Effects:
    conversations: int
    assignments: int
    """Assignments Handoff asked for through the API (a person's in the inbox are not Handoff's)."""
    duplicate_assignments: int
    """Assignments to an agent the conversation had already been assigned to through the API."""
    assignments_per_conversation: Counter[int]
    """How many conversations had 0, 1, 2, … assignments."""
    comments: int
    duplicate_comments: int
    """Comments whose text the conversation already had (one comment posted twice)."""
    comments_per_conversation: Counter[int]
    outcomes: Counter[str]

    @property
    def lost(self) -> int:
        return self.outcomes[LOST]

    def summary(self) -> str:
        """One line for people: what every fault case reports (the notes quote these)."""
        outcomes = ", ".join(f"{outcome} {n}" for outcome, n in sorted(self.outcomes.items()))
        return (
            f"{self.conversations} conversations; {self.assignments} assignments ({self.duplicate_assignments}"
            f" duplicate); {self.comments} comments ({self.duplicate_comments} duplicate); outcomes: {outcomes}"
        )


def count_effects(state: Mapping[str, Any], outcomes: Mapping[int, str]) -> Effects:
    """Effects on the contacts in ``outcomes`` (contact id → the escalation's outcome, or ``LOST``) from the
    sandbox's ``/sandbox/state``; each contact's conversation was opened once."""
    contacts = {contact["id"]: contact for contact in state["contacts"]}
    assignments = comments = duplicate_assignments = duplicate_comments = 0
    assignments_each: Counter[int] = Counter()
    comments_each: Counter[int] = Counter()
    for contact_id in outcomes:
        contact = contacts.get(contact_id, {"assignments": [], "comments": []})
        by_api = [a["assigneeId"] for a in contact["assignments"] if a["source"] == "api"]
        texts = [c["text"] for c in contact["comments"]]
        assignments += len(by_api)
        comments += len(texts)
        duplicate_assignments += len(by_api) - len(set(by_api))
        duplicate_comments += len(texts) - len(set(texts))
        assignments_each[len(by_api)] += 1
        comments_each[len(texts)] += 1
    return Effects(
        conversations=sum(1 for contact_id in outcomes if contact_id in contacts),
        assignments=assignments,
        duplicate_assignments=duplicate_assignments,
        assignments_per_conversation=assignments_each,
        comments=comments,
        duplicate_comments=duplicate_comments,
        comments_per_conversation=comments_each,
        outcomes=Counter(outcomes.values()),
    )


def assert_each_escalated_once(effects: Effects, count: int) -> None:
    """Nobody replies in a fault case, so every conversation ends escalated: assigned twice (two different
    agents), commented once, nothing lost, nothing repeated."""
    assert effects.outcomes == Counter({"escalated": count}), effects.summary()
    assert effects.conversations == count, effects.summary()
    assert effects.assignments_per_conversation == Counter({2: count}), effects.assignments_per_conversation
    assert effects.comments_per_conversation == Counter({1: count}), effects.comments_per_conversation
    assert (effects.duplicate_assignments, effects.duplicate_comments) == (0, 0), effects.summary()
