"""The first reply a person wrote to a contact since a time, read from respond.io's newest-first message list."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from activities.respondio import JSONObject
from models.conversation import Reply
from models.replies import counts_after
from models.timestamps import message_time


async def first_human_reply(newest_first: AsyncIterator[JSONObject], since: datetime) -> Reply | None:
    """The earliest outgoing message by a person (sender ``user``) not provably before ``since``
    (``models.replies``), reading back only that far."""
    since = since if since.tzinfo else since.replace(tzinfo=UTC)
    reply = None
    async for message in newest_first:
        sent = message_time(message)
        if sent is None:
            continue
        if not counts_after(sent, since):
            break  # newest first: everything further back is earlier still
        sender = message.get("sender") or {}
        by_person = message.get("traffic") == "outgoing" and sender.get("source") == "user"
        if by_person and (reply is None or sent.at <= reply.sent_at):
            reply = Reply(message_id=message["messageId"], user_id=sender.get("userId"), sent_at=sent.at)
    return reply
