"""Rows turned into the JSON respond.io sends: one function per object, shared by the API and webhooks."""

from sqlite3 import Row
from typing import Any

from sandbox.settings import TimeUnit


def _person(user: Row) -> dict[str, Any]:
    return {"id": user["id"], "firstName": user["first_name"], "lastName": user["last_name"], "email": user["email"]}


def assignee(user: Row | None) -> dict[str, Any] | None:
    """A user as a contact's ``assignee``."""
    return None if user is None else _person(user)


def user(row: Row) -> dict[str, Any]:
    """A workspace user as ``GET /space/user`` lists it."""
    team = {"id": row["team_id"], "name": row["team_name"]} if row["team_id"] is not None else None
    return {**_person(row), "role": row["role"], "team": team, "restrictions": []}


def agent(row: Row) -> dict[str, Any]:
    """A user as the sandbox's state shows it: as listed, plus whether the agent is online."""
    return {**user(row), "online": bool(row["online"])}


def contact(row: Row, assigned: Row | None, tags: list[str]) -> dict[str, Any]:
    """A contact as ``GET /contact/{identifier}`` returns it and webhooks carry it."""
    return {
        "id": row["id"],
        "firstName": row["first_name"],
        "lastName": row["last_name"],
        "phone": row["phone"],
        "email": row["email"],
        "language": row["language"],
        "profilePic": row["profile_pic"],
        "countryCode": row["country_code"],
        "status": "open" if row["conversation_id"] is not None else "close",
        "tags": tags,
        "assignee": assignee(assigned),
        "lifecycle": row["lifecycle"],
        "created_at": row["created_at"],
    }


def subscription(row: Row) -> dict[str, Any]:
    """A webhook subscription as the sandbox lists it: never with its signing key."""
    return {"id": row["id"], "event": row["event"], "url": row["url"]}


def channel(row: Row) -> dict[str, Any]:
    """A channel as ``GET /space/channel`` lists it and webhooks carry it (respond.io's list adds ``created_at``,
    which the sandbox does not keep)."""
    return {"id": row["id"], "name": row["name"], "source": row["source"]}


def _message_core(row: Row) -> dict[str, Any]:
    core = {
        "messageId": row["id"],
        "contactId": row["contact_id"],
        "channelId": row["channel_id"],
        "traffic": row["traffic"],
        "message": {"type": row["type"], "text": row["text"]},
    }
    if row["traffic"] == "outgoing":  # respond.io names no sender for what the contact wrote
        sender = {"source": row["sender_source"]}
        if row["sender_user_id"] is not None:
            sender["userId"] = row["sender_user_id"]
        core["sender"] = sender
    return core


def _epoch(milliseconds: int, unit: TimeUnit) -> int:
    """A stored time (epoch milliseconds) in ``unit``; whole seconds drop the milliseconds, as such fields do."""
    return milliseconds if unit == "ms" else milliseconds // 1000


def message(row: Row, unit: TimeUnit = "ms") -> dict[str, Any]:
    """A message as ``GET /contact/{identifier}/message/list`` lists it."""
    return {**_message_core(row), "status": [{"value": "sent", "timestamp": _epoch(row["timestamp"], unit)}]}


def message_event(row: Row, unit: TimeUnit = "ms") -> dict[str, Any]:
    """A message as ``message.received`` and ``message.sent`` webhooks carry it."""
    return {**_message_core(row), "timestamp": _epoch(row["timestamp"], unit)}


def conversation_opened(row: Row) -> dict[str, Any]:
    return {"openedTime": row["opened_time"], "openedBySource": row["opened_by_source"]}


def conversation_closed(row: Row, counts: Row, team: str | None, last_assignment_time: int | None) -> dict[str, Any]:
    """What ``conversation.closed`` reports; durations are in milliseconds, like the timestamps."""
    first_reply = counts["first_reply"]
    return {
        **conversation_opened(row),
        "closedTime": row["closed_time"],
        "closedBySource": row["closed_by_source"],
        "firstResponseTime": first_reply - row["opened_time"] if first_reply is not None else None,
        "resolutionTime": row["closed_time"] - row["opened_time"],
        "incomingMessageCount": counts["incoming"],
        "outgoingMessageCount": counts["outgoing"],
        "assigneeTeam": team,
        "lastAssignmentTime": last_assignment_time,
        "category": row["category"],
        "summary": row["summary"],
    }
