"""The routing activity of escalations from before the roster's queue: ask the task queue's roster for an assignee."""

from temporalio import activity

from models.agents import Choice, ChoiceRequest
from roster.client import RosterClient


class RoutingActivities:
    """Asks the roster for an assignee through the worker's shared ``RosterClient``."""

    def __init__(self, roster: RosterClient):
        self._roster = roster

    @activity.defn
    async def choose_assignee(self, request: ChoiceRequest) -> Choice:
        info = activity.info()
        # The same on every retry of this activity: the roster applies a choice at most once.
        choice = await self._roster.choose(request, f"choose-{info.workflow_run_id}-{info.activity_id}")
        activity.logger.info("Contact %s: %s", request.contact_id, choice.reason)
        return choice
