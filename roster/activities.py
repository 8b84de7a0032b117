"""The routing activity: an escalation asks its task queue's roster for an assignee."""

import asyncio

from temporalio import activity

from models.agents import Choice, ChoiceRequest
from roster.client import RosterClient

ROSTER_CALLS_AT_ONCE = 4
"""Per worker: Temporal admits 10 in-flight updates per workflow, and a burst beyond that thrashes the roster."""


class RoutingActivities:
    """Asks the roster for an assignee through one shared ``RosterClient``."""

    def __init__(self, roster: RosterClient):
        self._roster = roster
        self._in_flight = asyncio.Semaphore(ROSTER_CALLS_AT_ONCE)

    @activity.defn
    async def choose_assignee(self, request: ChoiceRequest) -> Choice:
        info = activity.info()
        async with self._in_flight:
            # The same on every retry of this activity: the roster applies a choice at most once.
            choice = await self._roster.choose(request, f"choose-{info.workflow_run_id}-{info.activity_id}")
        activity.logger.info("Contact %s: %s", request.contact_id, choice.reason)
        return choice
