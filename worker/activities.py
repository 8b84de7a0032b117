"""The activities a Handoff worker registers: respond.io calls over one shared client, and routing."""

from collections.abc import Callable

from temporalio.client import Client

from activities.conversation import ConversationActivities
from activities.respondio import RespondIOClient
from activities.routing import RoutingActivities, roster_config


def handoff_activities(api: RespondIOClient, client: Client, task_queue: str) -> list[Callable]:
    """``list_agents`` also serves the roster's sync; ``choose_assignee`` asks the roster of ``task_queue``."""
    conversation = ConversationActivities(api)
    routing = RoutingActivities(client, task_queue, roster_config())
    return [
        conversation.get_conversation,
        conversation.find_human_reply,
        conversation.assign_conversation,
        conversation.post_comment,
        conversation.list_agents,
        routing.choose_assignee,
    ]
