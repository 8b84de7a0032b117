"""The activities that read and change a respond.io conversation, over one shared API client."""

from contextlib import aclosing

from temporalio import activity

from activities.application_errors import as_application_errors, conversation_closed, taken_by_a_person
from activities.channels import ChannelDirectory
from activities.contact_steps import ContactSteps
from activities.contacts import agent_from_user, assigned_to, is_open_and_assigned_to
from activities.human_reply import MessageScan, scan_messages
from activities.respondio import RespondIOClient, RespondIORejected
from models.agents import Agent, Routing
from models.conversation import (
    AssignRequest,
    CommentRequest,
    Conversation,
    ConversationRead,
    Reply,
    ReplyQuery,
    Taken,
    TakeRequest,
)


def _assigned(contact_id: int, agent: Agent) -> str:
    return f"respond.io assigned contact {contact_id} to {agent.name} (user {agent.id})"


def _already_assigned(contact_id: int, agent: Agent) -> str:
    return f"respond.io had already assigned contact {contact_id} to {agent.name} (retry)"


class ConversationActivities(ContactSteps):
    """Activities over one ``RespondIOClient`` shared by the whole worker; register the bound methods, those of
    ``ContactSteps`` (message, close, tags) included.

    ``routing`` (the roster's client) is needed by ``take_conversation`` and ``agent_online`` only. A read names the
    customer's channel from a listing of the workspace's channels this object keeps for some minutes
    (``activities.channels``), so one listing serves the worker's reads.
    """

    def __init__(self, client: RespondIOClient, routing: Routing | None = None):
        super().__init__(client)
        self._routing = routing
        self._channels = ChannelDirectory(client)

    async def _scan(self, query: ReplyQuery, incoming: bool) -> MessageScan:
        async with aclosing(self._client.iter_messages(query.contact_id)) as newest_first:
            return await scan_messages(newest_first, query.since, incoming)

    @activity.defn
    @as_application_errors
    async def get_conversation(self, contact_id: int) -> Conversation:
        conversation = await self._conversation(contact_id)
        activity.logger.info("Contact %s: conversation is %s", contact_id, conversation.status)
        return conversation

    @activity.defn
    @as_application_errors
    async def find_human_reply(self, query: ReplyQuery) -> Reply | None:
        """The first reply a person sent that is not provably before ``since`` (``models.replies``)."""
        reply = (await self._scan(query, incoming=False)).reply
        activity.logger.info("Contact %s: %s", query.contact_id, "human reply found" if reply else "no human reply")
        return reply

    @activity.defn
    @as_application_errors
    async def read_conversation(self, query: ReplyQuery) -> ConversationRead:
        """One decision's read: the conversation, the first human reply not provably before ``since`` and, when the
        query asks (``incoming``), when and on which channel the customer last wrote, all from one pass over the
        messages.

        A closed conversation's messages are not read: a close ends the escalation whether or not someone replied,
        so the reply could change nothing.
        """
        conversation = await self._conversation(query.contact_id)
        if conversation.status != "open":
            activity.logger.info("Contact %s: conversation is %s", query.contact_id, conversation.status)
            return ConversationRead(conversation=conversation, reply=None)
        scan = await self._scan(query, query.incoming)
        incoming = scan.incoming
        channel = None
        if incoming is not None and incoming.channel_id is not None:
            channel = await self._channels.channel(incoming.channel_id)
        activity.logger.info(
            "Contact %s: conversation is open, %s",
            query.contact_id,
            "human reply found" if scan.reply else "no human reply",
        )
        return ConversationRead(
            conversation=conversation,
            reply=scan.reply,
            last_incoming_at=incoming.at if incoming else None,
            channel=channel,
        )

    @activity.defn
    @as_application_errors
    async def take_conversation(self, request: TakeRequest) -> Taken:
        """Choose an agent (unless the roster ``offered`` one) and assign the conversation, in one step.

        Safe to run again: routing answers the same request id with the same choice, and an assignment that
        already landed is not sent twice. A closed conversation, or one a person gave to someone else since
        Handoff's last assignment (or while the step ``waited``), is released from routing and ends in a
        non-retryable error.
        """
        routing = self._routing_for("take_conversation")
        contact_id = request.contact_id
        conversation = await self._conversation(contact_id)
        if conversation.status != "open":
            await routing.withdraw(contact_id)
            raise conversation_closed()
        choice = request.offered or await routing.choose(request.choice, request.request_id)
        agent, assignee = choice.agent, conversation.assignee
        if (
            (request.previous_assignee_id is not None or request.waited)
            and assignee is not None
            and assignee.id not in (request.previous_assignee_id, agent.id if agent else None)
        ):
            await routing.withdraw(contact_id)
            raise taken_by_a_person(assignee)
        if agent is None:
            activity.logger.info("Contact %s: nobody assigned (%s)", contact_id, choice.reason)
            return Taken(conversation=conversation, choice=choice)
        if assignee is not None and assignee.id == agent.id:
            return Taken(conversation=conversation, choice=choice, confirmed=_already_assigned(contact_id, agent))
        await self._client.assign(contact_id, agent.id)
        activity.logger.info("Contact %s: assigned to user %s", contact_id, agent.id)
        return Taken(conversation=conversation, choice=choice, confirmed=_assigned(contact_id, agent))

    def _routing_for(self, activity_name: str) -> Routing:
        if self._routing is None:
            raise RuntimeError(f"{activity_name} needs routing: build ConversationActivities with the roster client")
        return self._routing

    @activity.defn
    @as_application_errors
    async def agent_online(self, agent_id: int) -> bool:
        """Whether the roster counts the agent online now, for a branch on the assignee's presence: respond.io's API
        has no presence to read."""
        online = await self._routing_for("agent_online").is_online(agent_id)
        activity.logger.info("User %s is %s", agent_id, "online" if online else "offline")
        return online

    @activity.defn
    @as_application_errors
    async def assign_conversation(self, request: AssignRequest) -> str:
        """Assign; the answer says what respond.io confirmed, so the history reads it (runs before this returned
        None, which still decodes: the workflow ignores the answer).

        A retry first reads the conversation: an earlier attempt may have landed (its answer lost to a
        timeout or a crashed worker), or a person may have closed or taken the conversation since."""
        if activity.info().attempt > 1 and (landed := await self._landed_or_lost(request)):
            return landed
        await self._client.assign(request.contact_id, request.agent.id)
        activity.logger.info("Contact %s: assigned to user %s", request.contact_id, request.agent.id)
        return _assigned(request.contact_id, request.agent)

    async def _landed_or_lost(self, request: AssignRequest) -> str | None:
        """On a retry: what an earlier attempt already did, or a non-retryable error when it is no longer ours."""
        conversation = await self._conversation(request.contact_id)
        assignee = conversation.assignee
        if assignee is not None and assignee.id == request.agent.id:
            return _already_assigned(request.contact_id, request.agent)
        if conversation.status != "open":
            raise conversation_closed()
        if assignee is not None and assignee.id != request.previous_assignee_id:
            raise taken_by_a_person(assignee)
        return None

    @activity.defn
    @as_application_errors
    async def post_comment(self, request: CommentRequest) -> str:
        """Post the internal comment; the answer says what respond.io confirmed, for the history."""
        await self._client.create_comment(request.contact_id, request.text)
        activity.logger.info("Contact %s: comment posted", request.contact_id)
        return f"respond.io added the comment to contact {request.contact_id}"

    @activity.defn
    @as_application_errors
    async def list_agents(self) -> list[Agent]:
        agents = [agent_from_user(user) for user in await self._client.list_users()]
        activity.logger.info("Listed %s agents", len(agents))
        return agents

    @activity.defn
    @as_application_errors
    async def open_conversations_by_agent(self, agent_ids: list[int]) -> dict[int, list[int]]:
        """For the roster's reconciliation: each agent's open conversations (contact ids), as respond.io has them.

        One filtered listing per agent; each listed contact is checked again here, so a filter respond.io ignores
        lists more pages but never counts a contact against the wrong agent. If respond.io refuses the filter on
        ``status`` (a 400: its reference does not name the field), the listings filter on the assignee alone.
        """
        open_only = True
        open_by_agent: dict[int, list[int]] = {}
        for agent_id in dict.fromkeys(agent_ids):
            try:
                open_by_agent[agent_id] = await self._open_conversations_of(agent_id, open_only)
            except RespondIORejected as error:
                if not open_only or error.status != 400:
                    raise
                activity.logger.warning("respond.io refused the filter on status; listing by assignee alone: %s", error)
                open_only = False
                open_by_agent[agent_id] = await self._open_conversations_of(agent_id, open_only)
        activity.logger.info(
            "Open conversations of %s agents: %s in all", len(open_by_agent), sum(map(len, open_by_agent.values()))
        )
        return open_by_agent

    async def _open_conversations_of(self, agent_id: int, open_only: bool) -> list[int]:
        contact_ids: dict[int, None] = {}  # ordered and without the repeats a shifting listing can page in
        async with aclosing(self._client.iter_contacts(assigned_to(agent_id, open_only))) as contacts:
            async for contact in contacts:
                if is_open_and_assigned_to(contact, agent_id):
                    contact_ids[contact["id"]] = None
        return list(contact_ids)
