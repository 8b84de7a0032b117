"""The benchmark's side of a sandbox inbox: customers who write, and what the inbox shows afterwards."""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class InboxCounts:
    assigned: int
    """Contacts whose conversation has an assignee."""
    duplicate_comments: int
    """Contacts with more than one comment (each escalation comments once)."""


class BenchInbox:
    def __init__(self, url: str, token: str):
        self._http = httpx.AsyncClient(
            base_url=url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
            limits=httpx.Limits(max_connections=50),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def open_conversation(self, contact_id: int) -> None:
        """The customer writes: the sandbox creates the contact and opens its conversation (source ``contact``)."""
        body = {"text": "Hello, is anyone there?", "firstName": "Bench"}
        (await self._http.post(f"/sandbox/contacts/{contact_id}/customer-message", json=body)).raise_for_status()

    async def agent_ids(self) -> list[int]:
        return [agent["id"] for agent in (await self._state())["agents"]]

    async def counts(self, contact_ids: Collection[int]) -> InboxCounts:
        contacts = [c for c in (await self._state())["contacts"] if c["id"] in contact_ids]
        return InboxCounts(
            assigned=sum(1 for c in contacts if c["assigneeId"] is not None),
            duplicate_comments=sum(1 for c in contacts if len(c["comments"]) > 1),
        )

    async def _state(self) -> dict[str, Any]:
        answer = await self._http.get("/sandbox/state")
        answer.raise_for_status()
        state: dict[str, Any] = answer.json()
        return state
