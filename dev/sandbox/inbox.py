"""What happens in the inbox: each change, and the webhooks it causes, committed in one transaction."""

import json
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal, cast

from sandbox import shapes
from sandbox.contact_filter import ContactFilter
from sandbox.errors import ApiError
from sandbox.settings import SandboxSettings, Subscription
from sandbox.snapshot import snapshot
from sandbox.store import ContactField, Page, Store

PHONE = r"^\+[1-9]\d{6,14}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_IDENTIFIER = re.compile(r"^(id|email|phone):(.+)$")
_IDENTIFIER_VALUE = {"id": re.compile(r"^\d+$"), "email": re.compile(EMAIL), "phone": re.compile(PHONE)}

Status = Literal["open", "close"]


def now_ms() -> int:
    """Epoch milliseconds, the unit of every timestamp respond.io sends."""
    return time.time_ns() // 1_000_000


class Inbox:
    """The sandbox's behaviour over its store; ``on_enqueue`` is called after webhooks are committed."""

    def __init__(self, store: Store, on_enqueue: Callable[[], None], settings: SandboxSettings):
        self._store = store
        self._on_enqueue = on_enqueue
        self._settings = settings

    @contextmanager
    def _change(self) -> Iterator[None]:
        with self._store.transaction():
            yield
        self._on_enqueue()

    # lookups

    def _contact(self, contact_id: int) -> sqlite3.Row:
        row = self._store.contact(contact_id)
        if row is None:
            raise ApiError(404, f"Contact {contact_id} not found; check the contact identifier.")
        return row

    def _user(self, ref: int | str, code: int = 400) -> sqlite3.Row:
        """A user by id or email; ``code`` is the status to answer when there is none."""
        row = self._store.user_by_email(ref) if isinstance(ref, str) else self._store.user(ref)
        if row is None:
            raise ApiError(code, f"User {ref} not found in this workspace; use an id or email from GET /v2/space/user.")
        return row

    def find_contact(self, identifier: str) -> int:
        """The contact id for ``id:123``, ``email:a@b.com`` or ``phone:+60123456789``."""
        match = _IDENTIFIER.match(identifier)
        if not match or not _IDENTIFIER_VALUE[match[1]].match(match[2]):
            raise ApiError(
                400,
                f"Invalid contact identifier {identifier!r}; use id:123, email:someone@example.com "
                "or phone:+60123456789 (international format).",
            )
        field, value = cast(ContactField, match[1]), match[2]  # _IDENTIFIER matches only these three names
        row = self._store.find_contact(field, int(value) if field == "id" else value)
        if row is None:
            raise ApiError(404, f"Contact {identifier} not found; check the contact identifier.")
        contact_id: int = row["id"]
        return contact_id

    # reads

    def _contact_shape(self, row: sqlite3.Row) -> dict[str, Any]:
        return shapes.contact(row, self._store.assignee(row), self._store.tags(row["id"]))

    def contact(self, contact_id: int) -> dict[str, Any]:
        return self._contact_shape(self._contact(contact_id))

    def message_page(self, contact_id: int, limit: int, cursor: int | None) -> tuple[list[dict[str, Any]], Page]:
        self._contact(contact_id)
        page = self._store.message_page(contact_id, limit, cursor)
        return [shapes.message(row, self._settings.api_message_times) for row in page.rows], page

    def contact_page(
        self, contact_filter: ContactFilter, limit: int, cursor: int | None
    ) -> tuple[list[dict[str, Any]], Page]:
        where, params = contact_filter.sql()
        page = self._store.contact_page(where, params, limit, cursor)
        return [self._contact_shape(row) for row in page.rows], page

    def user_page(self, limit: int, cursor: int | None) -> tuple[list[dict[str, Any]], Page]:
        page = self._store.user_page(limit, cursor)
        return [shapes.user(row) for row in page.rows], page

    def channel_page(self, limit: int, cursor: int | None) -> tuple[list[dict[str, Any]], Page]:
        page = self._store.channel_page(limit, cursor)
        return [shapes.channel(row) for row in page.rows], page

    def agent(self, user_id: int) -> dict[str, Any]:
        return shapes.agent(self._user(user_id, code=404))

    def subscriptions(self) -> list[dict[str, Any]]:
        """The webhook subscriptions, without their signing keys."""
        return [shapes.subscription(s) for s in self._store.subscriptions()]

    def state(self) -> dict[str, Any]:
        """Everything a test or a demo wants to look at, in one document."""
        return snapshot(self._store)

    # changes

    def _emit(self, event_type: str, contact_id: int, channel: sqlite3.Row | None = None, **details: Any) -> None:
        """Queue ``event_type`` for every subscription to it, inside the caller's transaction."""
        subscriptions = self._store.subscriptions(event_type)
        if not subscriptions:
            return
        channel = channel or self._store.contact_channel(contact_id)
        if channel is None:
            raise LookupError("the sandbox has no channel to report the event on; add one to the seed fixture")
        event_id = str(uuid.uuid4())
        payload = {
            "event_id": event_id,
            "event_type": event_type,
            "contact": self.contact(contact_id),
            "channel": shapes.channel(channel),
            **details,
        }
        body = json.dumps(payload, separators=(",", ":"))
        for subscription in subscriptions:
            self._store.enqueue(subscription["id"], event_id, event_type, body, now_ms())

    def _open(self, contact_id: int, source: str) -> None:
        conversation_id = self._store.open_conversation(contact_id, now_ms(), source)
        opened = shapes.conversation_opened(self._store.conversation(conversation_id))
        self._emit("conversation.opened", contact_id, conversation=opened)

    def _close(self, contact: sqlite3.Row, source: str, category: str | None, summary: str | None) -> None:
        conversation_id = contact["conversation_id"]
        self._store.close_conversation(conversation_id, now_ms(), source, category, summary)
        assigned = self._store.assignee(contact)
        closed = shapes.conversation_closed(
            self._store.conversation(conversation_id),
            self._store.conversation_counts(conversation_id),
            assigned["team_name"] if assigned else None,
            contact["last_assignment_time"],
        )
        self._emit("conversation.closed", contact["id"], conversation=closed)

    def _message(
        self,
        contact: sqlite3.Row,
        traffic: Literal["incoming", "outgoing"],
        text: str,
        source: str | None = None,
        user_id: int | None = None,
        channel_id: int | None = None,
    ) -> int:
        channel = self._store.contact_channel(contact["id"]) if channel_id is None else self._store.channel(channel_id)
        if channel is None:
            raise ApiError(400, f"Channel {channel_id} not found; omit channelId to use the contact's last channel.")
        if traffic == "outgoing" and not self._store.connected(contact["id"], channel["id"]):
            raise ApiError(
                400,
                f"Contact {contact['id']} is not on channel {channel['id']}: a contact is reached only on a channel it "
                "has written on. Omit channelId to use the contact's last channel.",
            )
        message_id = self._store.add_message(
            contact["id"], contact["conversation_id"], channel["id"], traffic, text, now_ms(), source, user_id
        )
        event = "message.received" if traffic == "incoming" else "message.sent"
        self._emit(
            event,
            contact["id"],
            channel,
            message=shapes.message_event(self._store.message(message_id), self._settings.webhook_message_times),
        )
        return message_id

    def receive(
        self,
        contact_id: int,
        text: str,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
        email: str | None = None,
        channel_id: int | None = None,
    ) -> int:
        """The contact writes, on ``channel_id`` or else its last channel (a new contact: the workspace's first):
        create the contact if new, open its conversation if closed, store the message."""
        with self._change():
            if self._store.contact(contact_id) is None:
                try:
                    self._store.add_contact(
                        contact_id, first_name or "Customer", last_name or str(contact_id), phone, email, now_ms()
                    )
                except sqlite3.IntegrityError as error:
                    raise ApiError(400, f"Phone or email already belongs to another contact ({error}).") from error
            if self._contact(contact_id)["conversation_id"] is None:
                self._open(contact_id, "contact")
            return self._message(self._contact(contact_id), "incoming", text, channel_id=channel_id)

    def send(
        self, contact_id: int, text: str, source: str, user_id: int | None = None, channel_id: int | None = None
    ) -> int:
        """An outgoing message: by a person (``user`` with ``user_id``), the API, or automation."""
        with self._change():
            contact = self._contact(contact_id)
            if user_id is not None:
                self._user(user_id)
            return self._message(contact, "outgoing", text, source, user_id, channel_id)

    def set_status(
        self, contact_id: int, status: Status, source: str, category: str | None = None, summary: str | None = None
    ) -> None:
        """Open or close the conversation; asking for the status it already has changes nothing."""
        with self._change():
            contact = self._contact(contact_id)
            is_open = contact["conversation_id"] is not None
            if status == "open" and not is_open:
                self._open(contact_id, source)
            elif status == "close" and is_open:
                self._close(contact, source, category, summary)

    def close_by(self, contact_id: int, user_id: int | None) -> None:
        """A person closes the conversation in the inbox (``user``), or the contact ends it (``contact``)."""
        if user_id is not None:
            self._user(user_id)
        self.set_status(contact_id, "close", "user" if user_id is not None else "contact")

    def assign(self, contact_id: int, user: int | str | None, by_user_id: int | None = None) -> None:
        """Assign (None unassigns), through the API or by a person in the inbox; the same assignee changes
        nothing but is recorded too, so a repeated assignment shows in the state."""
        with self._change():
            contact = self._contact(contact_id)
            assigned_by: dict[str, Any] = {"source": "api"}
            if by_user_id is not None:
                assigned_by = {"source": "user", "userId": self._user(by_user_id)["id"]}
            new = self._user(user) if user is not None else None
            new_id = new["id"] if new else None
            self._store.add_assignment(
                contact_id, contact["conversation_id"], new_id, assigned_by["source"], by_user_id, now_ms()
            )
            if new_id == contact["assignee_id"]:
                return
            previous = self._store.assignee(contact)
            self._store.set_assignee(contact_id, new_id, now_ms())
            self._emit(
                "contact.assignee.updated",
                contact_id,
                assignee=shapes.assignee(new),
                previousAssignee=shapes.assignee(previous),
                assignedBy=assigned_by,
            )

    def tag(self, contact_id: int, tags: list[str], remove: bool) -> None:
        """Add or remove tags; a tag the contact already has (or lacks) is left as it is."""
        with self._change():
            self._contact(contact_id)
            (self._store.remove_tags if remove else self._store.add_tags)(contact_id, list(dict.fromkeys(tags)))

    def comment(self, contact_id: int, text: str) -> dict[str, Any]:
        """An internal note; mentions such as ``{{@user.456}}`` are kept as written."""
        with self._change():
            self._contact(contact_id)
            at = now_ms()
            self._store.add_comment(contact_id, text, at)
        return {"contactId": contact_id, "text": text, "created_at": at}

    def set_presence(self, user_id: int, online: bool) -> dict[str, Any]:
        self._user(user_id, code=404)
        with self._store.transaction():
            self._store.set_online(user_id, online)
        return self.agent(user_id)

    def subscribe(self, subscription: Subscription) -> dict[str, Any]:
        """Add a webhook subscription (adding the same one twice keeps one)."""
        with self._store.transaction():
            subscription_id = self._store.add_subscription(
                subscription.event, str(subscription.url), subscription.signing_key
            )
        return {"id": subscription_id, "event": subscription.event, "url": str(subscription.url)}

    def unsubscribe(self, subscription_id: int) -> None:
        with self._store.transaction():
            if not self._store.delete_subscription(subscription_id):
                raise ApiError(404, f"Webhook subscription {subscription_id} not found; see GET /sandbox/webhooks.")
