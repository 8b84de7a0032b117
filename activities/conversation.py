"""The activities that read and change a respond.io conversation, over one shared API client."""

import functools
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from datetime import UTC, timedelta
from typing import ParamSpec, TypeVar

import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.respondio import JSONObject, RespondIOClient, RespondIOError
from models.agents import Agent
from models.api_errors import CONVERSATION_CLOSED, TAKEN_BY_A_PERSON
from models.conversation import AssignRequest, CommentRequest, Conversation, Reply, ReplyQuery
from models.replies import counts_after
from models.timestamps import message_time

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _as_application_errors(call: Callable[_P, Awaitable[_R]]) -> Callable[_P, Awaitable[_R]]:
    """Turn respond.io failures into ``ApplicationError``s that tell Temporal whether and when to retry."""

    @functools.wraps(call)
    async def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return await call(*args, **kwargs)
        except RespondIOError as error:
            raise ApplicationError(
                str(error),
                type=type(error).__name__,
                non_retryable=not error.retryable,
                next_retry_delay=timedelta(seconds=error.retry_after) if error.retry_after is not None else None,
            ) from error
        except httpx.TransportError as error:
            raise ApplicationError(
                f"Could not reach respond.io ({type(error).__name__}: {str(error) or 'no details'}). Check"
                " HANDOFF_RESPONDIO_BASE_URL, HANDOFF_RESPONDIO_TIMEOUT and the network; the activity is retried.",
                type="RespondIOUnreachable",
            ) from error

    return wrapper


def _full_name(person: JSONObject) -> str:
    return f"{person.get('firstName') or ''} {person.get('lastName') or ''}".strip()


def _agent(user: JSONObject) -> Agent:
    team = (user.get("team") or {}).get("name")
    return Agent(id=user["id"], email=user.get("email") or "", name=_full_name(user), team=team)


class ConversationActivities:
    """Activities over one ``RespondIOClient`` shared by the whole worker; register the bound methods."""

    def __init__(self, client: RespondIOClient):
        self._client = client

    @activity.defn
    @_as_application_errors
    async def get_conversation(self, contact_id: int) -> Conversation:
        contact = await self._client.get_contact(contact_id)
        assignee = contact.get("assignee")
        conversation = Conversation(
            contact_id=contact_id,
            contact_name=_full_name(contact),
            status="open" if contact.get("status") == "open" else "close",
            assignee=_agent(assignee) if assignee else None,
        )
        activity.logger.info("Contact %s: conversation is %s", contact_id, conversation.status)
        return conversation

    @activity.defn
    @_as_application_errors
    async def find_human_reply(self, query: ReplyQuery) -> Reply | None:
        """The first reply a person sent that is not provably before ``since`` (``models.replies``), reading
        back from the newest message only that far."""
        since = query.since if query.since.tzinfo else query.since.replace(tzinfo=UTC)
        reply = None
        async with aclosing(self._client.iter_messages(query.contact_id)) as messages:
            async for message in messages:
                sent = message_time(message)
                if sent is None:
                    continue
                if not counts_after(sent, since):
                    break  # newest first: everything further back is earlier still
                sender = message.get("sender") or {}
                by_person = message.get("traffic") == "outgoing" and sender.get("source") == "user"
                if by_person and (reply is None or sent.at <= reply.sent_at):
                    reply = Reply(message_id=message["messageId"], user_id=sender.get("userId"), sent_at=sent.at)
        activity.logger.info("Contact %s: %s", query.contact_id, "human reply found" if reply else "no human reply")
        return reply

    @activity.defn
    @_as_application_errors
    async def assign_conversation(self, request: AssignRequest) -> str:
        """Assign; the answer says what respond.io confirmed, so the history reads it (runs before this returned
        None, which still decodes: the workflow ignores the answer).

        A retry first reads the conversation: an earlier attempt may have landed (its answer lost to a
        timeout or a crashed worker), or a person may have closed or taken the conversation since."""
        if activity.info().attempt > 1 and (landed := await self._landed_or_lost(request)):
            return landed
        await self._client.assign(request.contact_id, request.agent.id)
        activity.logger.info("Contact %s: assigned to user %s", request.contact_id, request.agent.id)
        return f"respond.io assigned contact {request.contact_id} to {request.agent.name} (user {request.agent.id})"

    async def _landed_or_lost(self, request: AssignRequest) -> str | None:
        """On a retry: what an earlier attempt already did, or a non-retryable error when it is no longer ours."""
        contact = await self._client.get_contact(request.contact_id)
        assignee = contact.get("assignee") or {}
        if assignee.get("id") == request.agent.id:
            return f"respond.io had already assigned contact {request.contact_id} to {request.agent.name} (retry)"
        if contact.get("status") != "open":
            raise ApplicationError("the conversation was closed", type=CONVERSATION_CLOSED, non_retryable=True)
        if assignee and assignee.get("id") != request.previous_assignee_id:
            who = _full_name(assignee) or f"user {assignee.get('id')}"
            raise ApplicationError(f"a person assigned it to {who}", type=TAKEN_BY_A_PERSON, non_retryable=True)
        return None

    @activity.defn
    @_as_application_errors
    async def post_comment(self, request: CommentRequest) -> str:
        """Post the internal comment; the answer says what respond.io confirmed, for the history."""
        await self._client.create_comment(request.contact_id, request.text)
        activity.logger.info("Contact %s: comment posted", request.contact_id)
        return f"respond.io added the comment to contact {request.contact_id}"

    @activity.defn
    @_as_application_errors
    async def list_agents(self) -> list[Agent]:
        agents = [_agent(user) for user in await self._client.list_users()]
        activity.logger.info("Listed %s agents", len(agents))
        return agents
