"""Choosing an assignee: pure, deterministic functions over a snapshot of the roster.

Kept free of I/O so they can run inside a workflow (the roster makes each choice atomically)
and be tested as plain functions.
"""

from dataclasses import dataclass, field

from models.agents import Agent, Candidate, Choice, ChoiceRequest


@dataclass(frozen=True)
class RosterView:
    """What routing knows beyond the agent list: presence, load and round-robin cursors."""

    online: frozenset[int] | None = None
    """Ids of online agents; None when presence is not tracked (everyone counts as online)."""
    open_counts: dict[int, int] = field(default_factory=dict)
    cursors: dict[str, int] = field(default_factory=dict)
    """Per pool, the id of the agent that pool assigned last."""


def pool_key(request: ChoiceRequest) -> str:
    """The name of the pool a request draws from: one round-robin cursor per pool."""
    if request.user is not None:
        return f"user:{request.user}"
    return f"team:{request.team}" if request.team else "workspace"


def choose(agents: list[Agent], request: ChoiceRequest, roster: RosterView) -> Choice:
    """Pick an agent for the request, recording every candidate and why others were passed over."""
    pool = _pool(agents, request)
    if not pool:
        return Choice(agent=None, candidates=[], reason=f"{pool_key(request)} has no agents")
    candidates = [Candidate(agent=agent, rejected_because=_rejection(agent, request, roster)) for agent in pool]
    eligible = [c.agent for c in candidates if c.rejected_because is None]
    if not eligible:
        reason = f"none of {len(pool)} agents in {pool_key(request)} is eligible: {_passed_over(candidates)}"
        return Choice(agent=None, candidates=candidates, reason=reason)
    if request.user is not None:
        return Choice(agent=eligible[0], candidates=candidates, reason="the policy names this user")
    if request.strategy == "least_open":
        agent = min(eligible, key=lambda a: (roster.open_counts.get(a.id, 0), a.id))
        load = roster.open_counts.get(agent.id, 0)
        reason = f"least open conversations ({load}) among {len(eligible)} eligible"
    else:
        agent = next_in_turn(eligible, roster.cursors.get(pool_key(request)))
        reason = f"round robin: next in turn among {len(eligible)} eligible"
    return Choice(agent=agent, candidates=candidates, reason=reason + _skipped(candidates))


def _skipped(candidates: list[Candidate]) -> str:
    """Who was passed over and why, e.g. "; skipped Erin Weber (offline)"."""
    return f"; skipped {_passed_over(candidates)}" if any(c.rejected_because for c in candidates) else ""


def _passed_over(candidates: list[Candidate]) -> str:
    """e.g. "Dave Kim (offline), Erin Weber (already had this conversation)"."""
    return ", ".join(f"{c.agent.name} ({c.rejected_because})" for c in candidates if c.rejected_because)


def next_in_turn(eligible: list[Agent], last_id: int | None) -> Agent:
    """The eligible agent after ``last_id`` in id order, wrapping around: each agent in turn."""
    ordered = sorted(eligible, key=lambda a: a.id)
    if last_id is None:
        return ordered[0]
    return next((a for a in ordered if a.id > last_id), ordered[0])


def _pool(agents: list[Agent], request: ChoiceRequest) -> list[Agent]:
    if request.user is not None:
        wanted = str(request.user).lower()
        return [a for a in agents if wanted in (str(a.id), a.email.lower())]
    if request.team:
        return [a for a in agents if a.team == request.team]
    return list(agents)


def _rejection(agent: Agent, request: ChoiceRequest, roster: RosterView) -> str | None:
    if agent.id in request.exclude:
        return "already had this conversation"
    if request.only_online and roster.online is not None and agent.id not in roster.online:
        return "offline"
    if request.max_open is not None and roster.open_counts.get(agent.id, 0) >= request.max_open:
        return f"has {roster.open_counts.get(agent.id, 0)} open conversations (max {request.max_open})"
    return None
