"""What respond.io's newest-first message list tells a decision: the first reply a person wrote since a time and,
when asked, the customer's newest message. One pass over the list answers both."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

from activities.channels import channel_id
from activities.respondio import JSONObject
from models.conversation import Reply
from models.replies import counts_after
from models.timestamps import message_time


@dataclass(frozen=True)
class Incoming:
    """The customer's newest message: when, and on which channel (None when the item names none)."""

    at: datetime
    channel_id: int | None


@dataclass(frozen=True)
class MessageScan:
    reply: Reply | None
    incoming: Incoming | None


async def scan_messages(newest_first: AsyncIterator[JSONObject], since: datetime, incoming: bool) -> MessageScan:
    """The earliest outgoing message by a person (sender ``user``) not provably before ``since``
    (``models.replies``), and with ``incoming`` the newest incoming message.

    Reads back only as far as both need: to ``since`` for the reply, to the newest incoming message for the other.
    A message without a time is passed over, for both.
    """
    since = since if since.tzinfo else since.replace(tzinfo=UTC)
    reply, newest_incoming, before_since = None, None, False
    async for message in newest_first:
        sent = message_time(message)
        if sent is None:
            continue
        before_since = before_since or not counts_after(sent, since)  # newest first: the rest is earlier still
        if not before_since and _by_person(message) and (reply is None or sent.at <= reply.sent_at):
            sender = message.get("sender") or {}
            reply = Reply(message_id=message["messageId"], user_id=sender.get("userId"), sent_at=sent.at)
        if incoming and newest_incoming is None and message.get("traffic") == "incoming":
            newest_incoming = Incoming(at=sent.at, channel_id=channel_id(message.get("channelId")))
        if before_since and (newest_incoming is not None or not incoming):
            break
    return MessageScan(reply=reply, incoming=newest_incoming)


def _by_person(message: JSONObject) -> bool:
    return message.get("traffic") == "outgoing" and (message.get("sender") or {}).get("source") == "user"
