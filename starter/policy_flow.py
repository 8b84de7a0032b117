"""Following a policy's steps the way an escalation would: every step with its path, and what holds on every path
to a step (how many assign steps ran, which users they assigned), for the rules of ``policy_warnings``."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from workflows.policy import Policy, Step


def nested_steps(step: Step, path: str) -> list[tuple[str, list[Step]]]:
    """The step lists a step holds, with their paths."""
    if step.assign is not None:
        return [(f"{path}.assign.timeout.steps", step.assign.timeout.steps)]
    if step.branch is not None:
        return [(f"{path}.branch.then", step.branch.then), (f"{path}.branch.else", step.branch.else_)]
    if step.repeat is not None:
        return [(f"{path}.repeat.steps", step.repeat.steps)]
    return []


def all_steps(steps: list[Step], where: str = "steps") -> Iterator[tuple[str, Step]]:
    """Every step at every depth, reachable or not, with its path."""
    for index, step in enumerate(steps):
        path = f"{where}.{index}"
        yield path, step
        for nested_path, nested in nested_steps(step, path):
            yield from all_steps(nested, nested_path)


def waits(steps: list[Step]) -> bool:
    """Whether any of ``steps``, at any depth, is a wait."""
    return any(step.wait is not None for _, step in all_steps(steps))


@dataclass(frozen=True)
class Before:
    """What holds on every path to a step: how many assign steps ran, and which users they assigned."""

    assigns: int = 0
    users: frozenset[str] = field(default_factory=frozenset)

    def assigned(self, user: str | int | None) -> "Before":
        users = self.users | {same_user(user)} if user is not None else self.users
        return Before(self.assigns + 1, users)


def _join(one: Before | None, other: Before | None) -> Before | None:
    """Where two paths meet, what holds on both (None: a path that ended, by a close)."""
    if one is None or other is None:
        return other if one is None else one
    return Before(min(one.assigns, other.assigns), one.users & other.users)


Reached = list[tuple[str, Step, Before]]


def _walk(steps: list[Step], where: str, before: Before | None, reached: Reached) -> Before | None:
    """Follow every path through ``steps`` from ``before``, noting each step reached and what held there; return
    what holds after them (None: every path closed the conversation)."""
    state = before
    for index, step in enumerate(steps):
        if state is None:
            break
        path = f"{where}.{index}"
        reached.append((path, step, state))
        state = _after(step, path, state, reached)
    return state


def _after(step: Step, path: str, state: Before, reached: Reached) -> Before | None:
    """What holds after one step, on every path through it (its nested steps walked on the way)."""
    if step.assign is not None:
        found = state.assigned(step.assign.user)
        if not step.assign.timeout.steps:
            return found  # nobody eligible in time ends the escalation
        return _join(found, _walk(step.assign.timeout.steps, f"{path}.assign.timeout.steps", state, reached))
    if step.branch is not None:
        after_then = _walk(step.branch.then, f"{path}.branch.then", state, reached)
        return _join(after_then, _walk(step.branch.else_, f"{path}.branch.else", state, reached))
    if step.repeat is not None:
        after: Before | None = state
        for _ in range(step.repeat.times):
            after = _walk(step.repeat.steps, f"{path}.repeat.steps", after, reached)
        return after
    return None if step.close is not None else state


def closes(steps: list[Step]) -> bool:
    """Whether every path through ``steps`` closes the conversation."""
    return _walk(steps, "", Before(), []) is None


def reached_steps(policy: Policy) -> Reached:
    """Every step some path reaches (a repeated step once each time round), with what held on every path to it."""
    reached: Reached = []
    _walk(policy.steps, "steps", Before(), reached)
    return reached


def same_user(user: str | int) -> str:
    """A user as an assign names it, compared as respond.io compares emails (case-insensitively)."""
    return str(user).casefold()
