"""The routing activity: asks who should get a conversation."""

from collections.abc import Awaitable, Callable

from temporalio import activity

from activities.models import Agent, Choice, ChoiceRequest
from workflows.routing import RosterView, choose


class RoutingActivities:
    """Chooses assignees from the workspace's agents, as respond.io's API lists them."""

    def __init__(self, list_agents: Callable[[], Awaitable[list[Agent]]]):
        self._list_agents = list_agents

    @activity.defn
    async def choose_assignee(self, request: ChoiceRequest) -> Choice:
        choice = choose(await self._list_agents(), request, RosterView())
        activity.logger.info("Contact %s: %s", request.contact_id, choice.reason)
        return choice
