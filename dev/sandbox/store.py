"""The sandbox's SQLite database: contacts and their tags, conversations, messages, comments, assignments, agents,
channels, and the webhook outbox.

Plain SQL, no behaviour: ``inbox.py`` decides what changes, and does it inside ``transaction()`` so
a state change and the webhooks it causes are committed together.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sandbox.seed import Seed

_SCHEMA = (Path(__file__).resolve().parent / "schema.sql").read_text(encoding="utf-8")

_USERS = "SELECT users.*, teams.name AS team_name FROM users LEFT JOIN teams ON teams.id = users.team_id"

DeliveryStatus = Literal["pending", "delivered", "failed"]
ContactField = Literal["id", "email", "phone"]
"""The columns a contact can be looked up by."""


@dataclass(frozen=True)
class Page:
    """One page of a cursor-paginated listing; the cursor is the id listed just before a page."""

    rows: list[sqlite3.Row]
    next_cursor: int | None
    has_previous: bool
    previous_cursor: int | None
    """None with ``has_previous`` means the previous page is the first one (no cursor)."""


class Store:
    """One SQLite connection, used from the event loop's thread only.

    A transaction never spans an ``await``, so handlers and webhook delivery never interleave inside one.
    """

    def __init__(self, path: str):
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _one(self, sql: str, *params: object) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._db.execute(sql, params).fetchone()
        return row

    def _exactly_one(self, sql: str, *params: object) -> sqlite3.Row:
        """The row of a query that always finds one (a row just written, an aggregate)."""
        row = self._one(sql, *params)
        if row is None:
            raise LookupError(f"no row for {sql!r} with {params!r}")
        return row

    def _all(self, sql: str, *params: object) -> list[sqlite3.Row]:
        rows: list[sqlite3.Row] = self._db.execute(sql, params).fetchall()
        return rows

    def _insert(self, sql: str, *params: object) -> int:
        rowid = self._db.execute(sql, params).lastrowid
        assert rowid is not None, "execute() sets lastrowid; only a cursor that never ran a statement has None"
        return rowid

    def seed(self, seed: Seed) -> None:
        """Add the fixture's rows that are missing; rows already there (and their presence) stay."""
        with self.transaction():
            for channel in seed.channels:
                self._insert(
                    "INSERT OR IGNORE INTO channels VALUES (?, ?, ?)", channel.id, channel.name, channel.source
                )
            for team in seed.teams:
                self._insert("INSERT OR IGNORE INTO teams VALUES (?, ?)", team.id, team.name)
                for a in team.agents:
                    self._insert(
                        "INSERT OR IGNORE INTO users VALUES (?, ?, ?, ?, ?, ?, ?)",
                        a.id,
                        a.first_name,
                        a.last_name,
                        a.email,
                        a.role,
                        team.id,
                        a.online,
                    )

    def _page(
        self, select: str, params: tuple[object, ...], limit: int, cursor: int | None, newest_first: bool
    ) -> Page:
        """Page through ``select`` (rows with an ``id``) by id, ``limit`` rows after ``cursor``."""
        later, earlier, order, backwards = ("<", ">", "DESC", "ASC") if newest_first else (">", "<", "ASC", "DESC")
        query = f"SELECT * FROM ({select}) AS q"
        if cursor is None:
            rows = self._all(f"{query} ORDER BY id {order} LIMIT ?", *params, limit + 1)
        else:
            rows = self._all(f"{query} WHERE id {later} ? ORDER BY id {order} LIMIT ?", *params, cursor, limit + 1)
        next_cursor = rows[limit - 1]["id"] if len(rows) > limit else None
        reference = rows[0]["id"] if rows else cursor
        before = (
            []
            if reference is None
            else self._all(
                f"{query} WHERE id {earlier} ? ORDER BY id {backwards} LIMIT ?", *params, reference, limit + 1
            )
        )
        previous_cursor = before[limit]["id"] if len(before) > limit else None
        return Page(rows[:limit], next_cursor, bool(before), previous_cursor)

    # channels

    def channel(self, channel_id: int) -> sqlite3.Row | None:
        return self._one("SELECT * FROM channels WHERE id = ?", channel_id)

    def channels(self) -> list[sqlite3.Row]:
        return self._all("SELECT * FROM channels ORDER BY id")

    def channel_page(self, limit: int, cursor: int | None) -> Page:
        return self._page("SELECT * FROM channels", (), limit, cursor, newest_first=False)

    def connected(self, contact_id: int, channel_id: int) -> bool:
        """Whether the contact is on the channel: it has written, or been written to, there."""
        found = self._one(
            "SELECT 1 FROM messages WHERE contact_id = ? AND channel_id = ? LIMIT 1", contact_id, channel_id
        )
        return found is not None

    def contact_channel(self, contact_id: int) -> sqlite3.Row | None:
        """The channel the contact last wrote or was written on, else the workspace's first (None: it has none)."""
        return self._one(
            "SELECT channels.* FROM channels LEFT JOIN messages ON messages.channel_id = channels.id"
            " AND messages.contact_id = ? ORDER BY messages.id IS NULL, messages.id DESC, channels.id LIMIT 1",
            contact_id,
        )

    # users

    def user(self, user_id: int) -> sqlite3.Row | None:
        return self._one(f"{_USERS} WHERE users.id = ?", user_id)

    def assignee(self, contact: sqlite3.Row) -> sqlite3.Row | None:
        """The user the contact is assigned to, if any."""
        return self.user(contact["assignee_id"]) if contact["assignee_id"] is not None else None

    def user_by_email(self, email: str) -> sqlite3.Row | None:
        return self._one(f"{_USERS} WHERE users.email = ?", email)

    def users(self) -> list[sqlite3.Row]:
        return self._all(f"{_USERS} ORDER BY users.id")

    def user_page(self, limit: int, cursor: int | None) -> Page:
        return self._page(_USERS, (), limit, cursor, newest_first=False)

    def set_online(self, user_id: int, online: bool) -> None:
        self._db.execute("UPDATE users SET online = ? WHERE id = ?", (online, user_id))

    # contacts and conversations

    def contact(self, contact_id: int) -> sqlite3.Row | None:
        return self._one("SELECT * FROM contacts WHERE id = ?", contact_id)

    def find_contact(self, field: ContactField, value: str | int) -> sqlite3.Row | None:
        return self._one(f"SELECT * FROM contacts WHERE {field} = ?", value)

    def contacts(self) -> list[sqlite3.Row]:
        return self._all("SELECT * FROM contacts ORDER BY id")

    def contact_page(self, where: str, params: tuple[object, ...], limit: int, cursor: int | None) -> Page:
        """Contacts matching ``where`` (a clause over ``contacts``, with ``params``), by id."""
        return self._page(f"SELECT * FROM contacts WHERE {where}", params, limit, cursor, newest_first=False)

    def add_contact(
        self, contact_id: int, first_name: str, last_name: str, phone: str | None, email: str | None, at: int
    ) -> None:
        self._insert(
            "INSERT INTO contacts (id, first_name, last_name, phone, email, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            contact_id,
            first_name,
            last_name,
            phone,
            email,
            at,
        )

    def tags(self, contact_id: int) -> list[str]:
        return [
            row["tag"] for row in self._all("SELECT tag FROM contact_tags WHERE contact_id = ? ORDER BY id", contact_id)
        ]

    def add_tags(self, contact_id: int, tags: list[str]) -> None:
        """Tag the contact; a tag it has already stays where it was."""
        self._db.executemany(
            "INSERT OR IGNORE INTO contact_tags (contact_id, tag) VALUES (?, ?)", [(contact_id, tag) for tag in tags]
        )

    def remove_tags(self, contact_id: int, tags: list[str]) -> None:
        self._db.executemany(
            "DELETE FROM contact_tags WHERE contact_id = ? AND tag = ?", [(contact_id, tag) for tag in tags]
        )

    def set_assignee(self, contact_id: int, user_id: int | None, at: int) -> None:
        self._db.execute(
            "UPDATE contacts SET assignee_id = ?, last_assignment_time = ? WHERE id = ?", (user_id, at, contact_id)
        )

    def conversation(self, conversation_id: int) -> sqlite3.Row:
        return self._exactly_one("SELECT * FROM conversations WHERE id = ?", conversation_id)

    def conversations(self, contact_id: int) -> list[sqlite3.Row]:
        return self._all("SELECT * FROM conversations WHERE contact_id = ? ORDER BY id", contact_id)

    def open_conversation(self, contact_id: int, at: int, source: str) -> int:
        conversation_id = self._insert(
            "INSERT INTO conversations (contact_id, opened_time, opened_by_source) VALUES (?, ?, ?)",
            contact_id,
            at,
            source,
        )
        self._db.execute("UPDATE contacts SET conversation_id = ? WHERE id = ?", (conversation_id, contact_id))
        return conversation_id

    def close_conversation(
        self, conversation_id: int, at: int, source: str, category: str | None, summary: str | None
    ) -> None:
        self._db.execute(
            "UPDATE conversations SET closed_time = ?, closed_by_source = ?, category = ?, summary = ? WHERE id = ?",
            (at, source, category, summary, conversation_id),
        )
        self._db.execute("UPDATE contacts SET conversation_id = NULL WHERE conversation_id = ?", (conversation_id,))

    def conversation_counts(self, conversation_id: int) -> sqlite3.Row:
        """Incoming and outgoing message counts, and when a person first replied."""
        return self._exactly_one(
            "SELECT count(*) FILTER (WHERE traffic = 'incoming') AS incoming,"
            " count(*) FILTER (WHERE traffic = 'outgoing') AS outgoing,"
            " min(timestamp) FILTER (WHERE traffic = 'outgoing' AND sender_source = 'user') AS first_reply"
            " FROM messages WHERE conversation_id = ?",
            conversation_id,
        )

    # messages and comments

    def add_message(
        self,
        contact_id: int,
        conversation_id: int | None,
        channel_id: int,
        traffic: Literal["incoming", "outgoing"],
        text: str,
        at: int,
        source: str | None,
        user_id: int | None,
    ) -> int:
        return self._insert(
            "INSERT INTO messages (contact_id, conversation_id, channel_id, traffic, type, text, timestamp,"
            " sender_source, sender_user_id) VALUES (?, ?, ?, ?, 'text', ?, ?, ?, ?)",
            contact_id,
            conversation_id,
            channel_id,
            traffic,
            text,
            at,
            source,
            user_id,
        )

    def message(self, message_id: int) -> sqlite3.Row:
        return self._exactly_one("SELECT * FROM messages WHERE id = ?", message_id)

    def messages(self, contact_id: int) -> list[sqlite3.Row]:
        return self._all("SELECT * FROM messages WHERE contact_id = ? ORDER BY id", contact_id)

    def message_page(self, contact_id: int, limit: int, cursor: int | None) -> Page:
        select = "SELECT * FROM messages WHERE contact_id = ?"
        return self._page(select, (contact_id,), limit, cursor, newest_first=True)

    def add_comment(self, contact_id: int, text: str, at: int) -> None:
        self._insert("INSERT INTO comments (contact_id, text, created_at) VALUES (?, ?, ?)", contact_id, text, at)

    def comments(self, contact_id: int) -> list[sqlite3.Row]:
        return self._all("SELECT * FROM comments WHERE contact_id = ? ORDER BY id", contact_id)

    def add_assignment(
        self,
        contact_id: int,
        conversation_id: int | None,
        assignee_id: int | None,
        source: str,
        by_user_id: int | None,
        at: int,
    ) -> None:
        self._insert(
            "INSERT INTO assignments (contact_id, conversation_id, assignee_id, source, by_user_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            contact_id,
            conversation_id,
            assignee_id,
            source,
            by_user_id,
            at,
        )

    def assignments(self, contact_id: int) -> list[sqlite3.Row]:
        return self._all("SELECT * FROM assignments WHERE contact_id = ? ORDER BY id", contact_id)

    # webhook subscriptions and the outbox

    def add_subscription(self, event: str, url: str, signing_key: str) -> int:
        """Register a subscription; registering the same one again returns the existing id."""
        self._insert(
            "INSERT OR IGNORE INTO subscriptions (event, url, signing_key) VALUES (?, ?, ?)", event, url, signing_key
        )
        row = self._exactly_one(
            "SELECT id FROM subscriptions WHERE event = ? AND url = ? AND signing_key = ?", event, url, signing_key
        )
        subscription_id: int = row["id"]
        return subscription_id

    def subscriptions(self, event: str | None = None) -> list[sqlite3.Row]:
        if event is None:
            return self._all("SELECT * FROM subscriptions ORDER BY id")
        return self._all("SELECT * FROM subscriptions WHERE event = ? ORDER BY id", event)

    def delete_subscription(self, subscription_id: int) -> bool:
        """Forget a subscription and its deliveries; False if there was none."""
        return self._db.execute("DELETE FROM subscriptions WHERE id = ?", (subscription_id,)).rowcount > 0

    def enqueue(self, subscription_id: int, event_id: str, event: str, body: str, at: int) -> None:
        self._insert(
            "INSERT INTO deliveries (subscription_id, event_id, event, body, created_at) VALUES (?, ?, ?, ?, ?)",
            subscription_id,
            event_id,
            event,
            body,
            at,
        )

    def pending_subscriptions(self) -> list[int]:
        return [r[0] for r in self._all("SELECT DISTINCT subscription_id FROM deliveries WHERE status = 'pending'")]

    def next_delivery(self, subscription_id: int) -> sqlite3.Row | None:
        """The subscription's oldest pending delivery, with where to send it and the key to sign it."""
        return self._one(
            "SELECT deliveries.*, subscriptions.url, subscriptions.signing_key FROM deliveries"
            " JOIN subscriptions ON subscriptions.id = deliveries.subscription_id"
            " WHERE subscription_id = ? AND status = 'pending' ORDER BY deliveries.id LIMIT 1",
            subscription_id,
        )

    def record_attempt(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        last_status: int | None,
        last_error: str | None,
        next_attempt_at: float = 0,
    ) -> None:
        self._db.execute(
            "UPDATE deliveries SET attempts = attempts + 1, status = ?, last_status = ?, last_error = ?,"
            " next_attempt_at = ? WHERE id = ?",
            (status, last_status, last_error, next_attempt_at, delivery_id),
        )

    def deliveries(self) -> list[sqlite3.Row]:
        return self._all(
            "SELECT deliveries.*, subscriptions.url FROM deliveries"
            " JOIN subscriptions ON subscriptions.id = deliveries.subscription_id ORDER BY deliveries.id"
        )
