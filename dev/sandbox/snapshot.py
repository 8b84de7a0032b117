"""The whole sandbox in one document, for tests and the demo to assert on (``GET /sandbox/state``)."""

from sqlite3 import Row
from typing import Any

from sandbox import shapes
from sandbox.store import Store


def snapshot(store: Store) -> dict[str, Any]:
    """Contacts (with tags, conversations, comments, assignments and messages, oldest first), agents, channels,
    webhooks and deliveries."""
    return {
        "contacts": [_contact(store, row) for row in store.contacts()],
        "agents": [shapes.agent(row) for row in store.users()],
        "channels": [shapes.channel(row) for row in store.channels()],
        "subscriptions": [shapes.subscription(row) for row in store.subscriptions()],
        "deliveries": [_delivery(row) for row in store.deliveries()],
    }


def _contact(store: Store, row: Row) -> dict[str, Any]:
    return {
        **shapes.contact(row, store.assignee(row), store.tags(row["id"])),
        "name": f"{row['first_name']} {row['last_name']}".strip(),
        "assigneeId": row["assignee_id"],
        "conversations": [
            {**shapes.conversation_opened(c), "closedTime": c["closed_time"], "closedBySource": c["closed_by_source"]}
            for c in store.conversations(row["id"])
        ],
        "comments": [{"text": c["text"], "created_at": c["created_at"]} for c in store.comments(row["id"])],
        "assignments": [_assignment(a) for a in store.assignments(row["id"])],
        "messages": [shapes.message(m) for m in store.messages(row["id"])],
    }


def _assignment(row: Row) -> dict[str, Any]:
    """One assignment asked for: ``source`` is ``api`` or ``user`` (a person, ``byUserId``, in the inbox)."""
    return {
        "conversationId": row["conversation_id"],
        "assigneeId": row["assignee_id"],
        "source": row["source"],
        "byUserId": row["by_user_id"],
        "created_at": row["created_at"],
    }


def _delivery(row: Row) -> dict[str, Any]:
    """One webhook delivery: ``status`` is pending, delivered or failed; ``lastStatus`` the receiver's answer."""
    return {
        "id": row["id"],
        "subscriptionId": row["subscription_id"],
        "eventId": row["event_id"],
        "event": row["event"],
        "url": row["url"],
        "status": row["status"],
        "attempts": row["attempts"],
        "lastStatus": row["last_status"],
        "lastError": row["last_error"],
        "createdAt": row["created_at"],
    }
