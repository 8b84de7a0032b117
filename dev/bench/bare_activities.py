"""The bare flow's activities: the same respond.io calls Handoff makes, over Handoff's own API client.

Real HTTP against a sandbox inbox rather than no-op activities, so both flows pay for the same API
effects (two assignments, one read, one comment) and the comparison isolates what Handoff adds on top.
"""

from dataclasses import dataclass

from temporalio import activity

from activities.respondio import RespondIOClient


@dataclass(frozen=True)
class Assignment:
    contact_id: int
    agent_id: int


@dataclass(frozen=True)
class Comment:
    contact_id: int
    text: str


class BareActivities:
    """Activities over one ``RespondIOClient`` shared by the bare worker."""

    def __init__(self, api: RespondIOClient):
        self._api = api

    @activity.defn(name="bare_assign")
    async def assign(self, assignment: Assignment) -> None:
        await self._api.assign(assignment.contact_id, assignment.agent_id)

    @activity.defn(name="bare_status")
    async def status(self, contact_id: int) -> str:
        """The conversation's status, ``open`` or ``close``."""
        return str((await self._api.get_contact(contact_id)).get("status"))

    @activity.defn(name="bare_comment")
    async def comment(self, comment: Comment) -> None:
        await self._api.create_comment(comment.contact_id, comment.text)
