"""The activities a Handoff worker registers: respond.io calls over one shared client, and routing."""

from collections.abc import Callable
from typing import Any

from activities.conversation import ConversationActivities
from activities.respondio import RespondIOClient
from roster.activities import RoutingActivities
from roster.client import RosterClient


def handoff_activities(api: RespondIOClient, roster: RosterClient) -> list[Callable[..., Any]]:
    """``list_agents`` also serves the roster's sync; ``choose_assignee`` asks the task queue's roster."""
    conversation = ConversationActivities(api)
    routing = RoutingActivities(roster)
    return [
        conversation.get_conversation,
        conversation.find_human_reply,
        conversation.assign_conversation,
        conversation.post_comment,
        conversation.list_agents,
        routing.choose_assignee,
    ]
