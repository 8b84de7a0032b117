"""The activities a Handoff worker registers: respond.io calls over one shared client, and routing."""

from collections.abc import Callable
from typing import Any

from activities.conversation import ConversationActivities
from activities.respondio import RespondIOClient
from roster.activities import RoutingActivities
from roster.client import RosterClient


def handoff_activities(api: RespondIOClient, roster: RosterClient) -> list[Callable[..., Any]]:
    """Escalations take, read (a local activity), comment, and run the policy's contact steps and presence checks;
    the roster syncs and reconciles. The last four serve runs of older escalation versions (``workflows.versions``)
    until they end."""
    conversation = ConversationActivities(api, routing=roster)
    return [
        conversation.take_conversation,
        conversation.read_conversation,
        conversation.post_comment,
        conversation.send_message,
        conversation.close_conversation,
        conversation.change_tags,
        conversation.agent_online,
        conversation.list_agents,
        conversation.open_conversations_by_agent,
        conversation.get_conversation,
        conversation.find_human_reply,
        conversation.assign_conversation,
        RoutingActivities(roster).choose_assignee,
    ]
