"""The roster's queue: requests waiting for an agent, first come first served, and what it offers them."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from models.agents import Choice, ChoiceRequest
from roster.load import Hold
from roster.strategies import pool_key


class QueueEntry(BaseModel):
    """A request waiting for an agent: the id of the choice that queued it, and when the contact first arrived."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    request: ChoiceRequest
    request_id: str
    since: datetime


@dataclass(frozen=True)
class Offer:
    """A queued contact served: the choice to signal to its escalation, and the hold to give back if it is gone."""

    contact_id: int
    choice: Choice
    hold: Hold


def places(queue: dict[int, QueueEntry]) -> Iterator[tuple[int, str, int]]:
    """Each queued contact, in arrival order, with its pool and its place in that pool (1: served next)."""
    seen: Counter[str] = Counter()
    for contact_id, entry in queue.items():
        pool = pool_key(entry.request)
        seen[pool] += 1
        yield contact_id, pool, seen[pool]


def ahead_in_words(ahead: int) -> str:
    """e.g. "nobody ahead", "1 conversation ahead", "12 conversations ahead"."""
    if ahead == 0:
        return "nobody ahead"
    return f"{ahead} conversation{'s' if ahead > 1 else ''} ahead"
