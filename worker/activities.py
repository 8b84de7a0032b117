"""The activities a Handoff worker registers, bound to one shared respond.io client."""

from collections.abc import Callable

from activities.conversation import ConversationActivities
from activities.respondio import RespondIOClient
from activities.routing import RoutingActivities


def handoff_activities(api: RespondIOClient) -> list[Callable]:
    conversation = ConversationActivities(api)
    routing = RoutingActivities(conversation.list_agents)
    return [
        conversation.get_conversation,
        conversation.find_human_reply,
        conversation.assign_conversation,
        conversation.post_comment,
        conversation.list_agents,
        routing.choose_assignee,
    ]
