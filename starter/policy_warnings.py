"""Mistakes a valid policy can still hold: steps that never run, tests that never pass, flows that time nobody.

Each rule is a function of the policy that yields its warnings; the first line of its docstring states the rule
(``handoff policy check`` prints the warnings, and the README lists the rules). A warning is advice, not an error:
the policy still runs as written.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise
from typing import Literal

from models.durations import spoken_duration
from starter.policy_flow import all_steps, closes, nested_steps, reached_steps, same_user, waits
from workflows.policy import Branch, Policy, Step
from workflows.policy_conditions import AnyAllNone, Condition
from workflows.policy_templates import template_variables

SHORTEST_LIKELY_WAIT = timedelta(minutes=1)
ACTS_ON_THE_CONVERSATION = {"assign", "comment", "message", "close", "add_tag", "remove_tag"}
"""Step kinds that do something to the conversation or the contact (not a wait, a branch or a repeat)."""
NEEDS_ASSIGNMENTS = {"assignee": 1, "assignee_mention": 1, "previous_assignee": 2, "previous_assignee_mention": 2}
"""Template variables that name an agent, and how many assignments must come first for them not to read “nobody”."""


@dataclass(frozen=True)
class PolicyWarning:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def never_times_anyone(policy: Policy) -> Iterator[PolicyWarning]:
    """A policy without a wait (or requeue_when_offline) never times an assignee: every step runs at once."""
    if not waits(policy.steps) and policy.requeue_when_offline is None:
        yield PolicyWarning("steps", "no step waits, so no assignee is ever timed: every step runs at once")


def steps_after_a_close(policy: Policy) -> Iterator[PolicyWarning]:
    """Steps after a step that closes the conversation on every path never run: closing ends the escalation."""
    for where, steps in _step_lists(policy):
        closing = next((index for index, step in enumerate(steps) if closes([step])), None)
        if closing is not None and closing < len(steps) - 1:
            rest = f"{where}.{closing + 1}" + (f" to {where}.{len(steps) - 1}" if closing < len(steps) - 2 else "")
            yield PolicyWarning(rest, f"never runs: {where}.{closing} always closes the conversation first")
    for path, step in all_steps(policy.steps):
        if step.repeat is not None and step.repeat.times > 1 and closes(step.repeat.steps):
            yield PolicyWarning(
                f"{path}.repeat",
                f"runs once, not {step.repeat.times} times: its steps always close the conversation",
            )


def contradicting_conditions(policy: Policy) -> Iterator[PolicyWarning]:
    """A branch whose all: conditions contradict each other never passes: its then steps never run."""
    for path, _, first, second in _pairs_where(policy, "all", _exclusive):
        yield PolicyWarning(
            f"{path}.branch.all", f"{first.kind} and {second.kind} here can never hold together, so then: never runs"
        )


def conditions_always_hold(policy: Policy) -> Iterator[PolicyWarning]:
    """A branch whose any: conditions cover every case always passes: its else steps never run."""
    for path, branch, first, second in _pairs_where(policy, "any", _exhaustive):
        never = "else: never runs" if branch.else_ else "the branch decides nothing"
        yield PolicyWarning(f"{path}.branch.any", f"one of {first.kind} and {second.kind} always holds: {never}")


def empty_branch(policy: Policy) -> Iterator[PolicyWarning]:
    """A branch with neither then nor else steps does nothing."""
    for path, step in all_steps(policy.steps):
        if step.branch is not None and not step.branch.then and not step.branch.else_:
            yield PolicyWarning(f"{path}.branch", "has no then: or else: steps, so it does nothing")


def reassignment_untimed(policy: Policy) -> Iterator[PolicyWarning]:
    """With applies_to: every_assignment, the steps a new assignee gets (after the first top-level assign) must wait."""
    if not policy.every_assignment:
        return
    if not waits(policy.steps[policy.new_assignee_starts_at :]):
        yield PolicyWarning(
            "applies_to",
            "every_assignment restarts the flow after the first top-level assign, and no step there waits: "
            "nothing times a new assignee",
        )


def repeat_without_wait(policy: Policy) -> Iterator[PolicyWarning]:
    """A repeat whose steps never wait runs all its iterations at once."""
    for path, step in all_steps(policy.steps):
        if step.repeat is not None and step.repeat.times > 1 and not waits(step.repeat.steps):
            yield PolicyWarning(f"{path}.repeat", f"its steps never wait, so all {step.repeat.times} times run at once")


def short_wait(policy: Policy) -> Iterator[PolicyWarning]:
    """A wait under a minute is most likely a slip of the unit (a plain number counts seconds)."""
    for path, step in all_steps(policy.steps):
        if step.wait is not None and step.wait_for < SHORTEST_LIKELY_WAIT:
            seconds = int(step.wait_for.total_seconds())
            yield PolicyWarning(
                f"{path}.wait", f"waits only {spoken_duration(step.wait_for)}; for minutes write {seconds}m"
            )


def acts_after_a_reply(policy: Policy) -> Iterator[PolicyWarning]:
    """A step right after a wait, outside a branch, runs even when the assignee replied: a reply ends the wait early."""
    for where, steps in _step_lists(policy):
        for index, (step, following) in enumerate(pairwise(steps)):
            if step.wait is not None and following.kind in ACTS_ON_THE_CONVERSATION:
                yield PolicyWarning(
                    f"{where}.{index + 1}.{following.kind}",
                    f"runs as soon as the assignee replies too (the reply ends {where}.{index}'s wait): to act only"
                    " without a reply, put it under a branch on no_reply_since_assignment",
                )


def unused_calendar(policy: Policy) -> Iterator[PolicyWarning]:
    """A calendar that no wait, assign or condition names is never consulted."""
    named: set[str | None] = set()
    for _, step in all_steps(policy.steps):
        named |= {step.wait_calendar, step.assign.within_hours if step.assign else None}
        if step.branch is not None:
            named |= {condition.within_hours for condition in step.branch.conditions}
    for name in policy.calendars.keys() - named:
        yield PolicyWarning(
            f"calendars.{name}",
            f"no step names it, so it changes nothing (a wait counts business time only with calendar: {name})",
        )


def same_user_again(policy: Policy) -> Iterator[PolicyWarning]:
    """An assign to a user who already had the conversation finds nobody: every assign excludes those tried."""
    for path, step, before in reached_steps(policy):
        if step.assign is not None and step.assign.user is not None and same_user(step.assign.user) in before.users:
            yield PolicyWarning(
                f"{path}.assign",
                f"{step.assign.user} already had the conversation here and is never chosen twice: this finds nobody"
                f" and waits {spoken_duration(step.assign.timeout.after)} for its timeout",
            )


def nobody_assigned_yet(policy: Policy) -> Iterator[PolicyWarning]:
    """A step about the assignee before the assign steps it needs finds nobody: “nobody” in text, offline if tested."""
    for path, step, before in reached_steps(policy):
        for field_name, text in (("comment", step.comment), ("message", step.message)):
            for variable in template_variables(text or ""):
                needed = NEEDS_ASSIGNMENTS.get(variable, 0)
                if before.assigns < needed:
                    yield PolicyWarning(
                        f"{path}.{field_name}", f"{{{variable}}} reads “nobody” here: {_too_few(needed)}"
                    )
        if step.branch is not None and before.assigns == 0:
            which = "all" if step.branch.all is not None else "any"
            for index, condition in enumerate(step.branch.conditions):
                if condition.assignee_online is not None:
                    yield PolicyWarning(
                        f"{path}.branch.{which}.{index}.assignee_online",
                        f"tests nobody here ({_too_few(1)}), and nobody counts as offline",
                    )


RULES: tuple[Callable[[Policy], Iterator[PolicyWarning]], ...] = (
    never_times_anyone,
    steps_after_a_close,
    contradicting_conditions,
    conditions_always_hold,
    empty_branch,
    reassignment_untimed,
    repeat_without_wait,
    short_wait,
    acts_after_a_reply,
    unused_calendar,
    same_user_again,
    nobody_assigned_yet,
)


def policy_warnings(policy: Policy) -> list[PolicyWarning]:
    """Every rule's warnings, once each, in the rules' order."""
    return list(dict.fromkeys(warning for rule in RULES for warning in rule(policy)))


# Helpers of the rules.


def _step_lists(policy: Policy) -> list[tuple[str, list[Step]]]:
    """Every list of steps that run one after another: the policy's own and each nested one, with its path."""
    return [("steps", policy.steps)] + [
        item for path, step in all_steps(policy.steps) for item in nested_steps(step, path)
    ]


def _pairs_where(
    policy: Policy, joined: Literal["all", "any"], related: Callable[[Condition, Condition], bool]
) -> Iterator[tuple[str, Branch, Condition, Condition]]:
    """Each branch's pairs of conditions of one kind, joined by ``joined``, that are ``related`` either way round."""
    for path, step in all_steps(policy.steps):
        conditions: list[Condition] = (getattr(step.branch, joined) if step.branch is not None else None) or []
        for index, first in enumerate(conditions):
            for second in conditions[index + 1 :]:
                if first.kind == second.kind and (related(first, second) or related(second, first)):
                    assert step.branch is not None
                    yield path, step.branch, first, second


_OPPOSITES = ("conversation_status", "no_reply_since_assignment", "assignee_online")
"""Condition kinds that test one value: conditions with two different values are opposites."""


def _opposite(first: Condition, second: Condition) -> bool:
    """Whether exactly one of ``first`` and ``second`` (of one kind) holds, whatever the conversation."""
    return first.kind in _OPPOSITES and bool(getattr(first, first.kind) != getattr(second, second.kind))


def _exclusive(first: Condition, second: Condition) -> bool:
    """Whether ``first`` and ``second`` (of one kind) can never hold at once."""
    if _opposite(first, second):
        return True
    if first.last_incoming_message is not None and second.last_incoming_message is not None:
        more, less = first.last_incoming_message.more_than, second.last_incoming_message.less_than
        return more is not None and less is not None and less <= more
    return _lists_exclusive(first.contact_tag or first.channel, second.contact_tag or second.channel)


def _lists_exclusive(first: AnyAllNone | None, second: AnyAllNone | None) -> bool:
    """Whether a value ``first`` needs is one ``second`` forbids."""
    if first is None or second is None or second.none_of is None:
        return False
    if first.all_of is not None:
        return bool(_folded(first.all_of) & _folded(second.none_of))
    return first.any_of is not None and _folded(first.any_of) <= _folded(second.none_of)


def _exhaustive(first: Condition, second: Condition) -> bool:
    """Whether at least one of ``first`` and ``second`` (of one kind) always holds."""
    if _opposite(first, second):
        return True
    tags, other_tags = first.contact_tag, second.contact_tag  # not channels: a conversation may have none
    if tags is None or other_tags is None or tags.any_of is None or other_tags.none_of is None:
        return False
    return _folded(other_tags.none_of) <= _folded(tags.any_of)


def _folded(values: list[str]) -> set[str]:
    """Values as respond.io compares tags: case-insensitively."""
    return {value.casefold() for value in values}


def _too_few(needed: int) -> str:
    if needed == 1:
        return "no assign step runs before it"
    return "it needs two assign steps before it (a previous assignee and the current one)"
