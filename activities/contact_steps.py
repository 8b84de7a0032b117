"""The policy's steps that act on the contact: a message to the customer, a close, tags.

Each answers what respond.io confirmed, for the event history, and may run again (an activity retry, or a step a
workflow task runs twice) without doing its effect twice.
"""

from contextlib import aclosing
from datetime import datetime

from temporalio import activity

from activities.application_errors import as_application_errors
from activities.contacts import conversation_from_contact, tags_to_change
from activities.respondio import RespondIOClient
from models.conversation import CloseRequest, Conversation, MessageRequest, TagRequest
from models.replies import counts_after
from models.timestamps import message_time


class ContactSteps:
    """The base of ``ConversationActivities`` holding these steps; register them from its instance."""

    def __init__(self, client: RespondIOClient):
        self._client = client

    async def _conversation(self, contact_id: int) -> Conversation:
        return conversation_from_contact(contact_id, await self._client.get_contact(contact_id))

    @activity.defn
    @as_application_errors
    async def send_message(self, request: MessageRequest) -> str:
        """Send the text to the customer (sender source ``api``).

        A retry first looks for the text among the messages sent through the API since the first attempt was
        scheduled: an earlier attempt may have landed with its answer lost, and the customer should not read it twice.
        """
        info = activity.info()
        if info.attempt > 1 and (landed := await self._sent_since(request, info.scheduled_time)) is not None:
            return f"respond.io had already sent message {landed} to contact {request.contact_id} (retry)"
        message_id = await self._client.send_message(request.contact_id, request.text, request.channel_id)
        activity.logger.info("Contact %s: message %s sent", request.contact_id, message_id)
        return f"respond.io sent message {message_id} to contact {request.contact_id}"

    async def _sent_since(self, request: MessageRequest, since: datetime) -> int | None:
        """The id of a message with the request's text sent through the API not provably before ``since``."""
        async with aclosing(self._client.iter_messages(request.contact_id)) as newest_first:
            async for message in newest_first:
                sent = message_time(message)
                if sent is not None and not counts_after(sent, since):
                    return None  # newest first: the rest is earlier still
                by_api = message.get("traffic") == "outgoing" and (message.get("sender") or {}).get("source") == "api"
                if by_api and (message.get("message") or {}).get("text") == request.text:
                    return int(message["messageId"])
        return None

    @activity.defn
    @as_application_errors
    async def close_conversation(self, request: CloseRequest) -> str:
        """Close the conversation with the request's closing note. One already closed (by a person, or by an earlier
        attempt whose answer was lost) is left as it is."""
        contact_id = request.contact_id
        if (await self._conversation(contact_id)).status != "open":
            activity.logger.info("Contact %s: conversation already closed", contact_id)
            return f"respond.io had already closed the conversation of contact {contact_id}"
        await self._client.set_conversation_status(contact_id, "close", request.category, request.summary)
        activity.logger.info("Contact %s: conversation closed", contact_id)
        return f"respond.io closed the conversation of contact {contact_id}"

    @activity.defn
    @as_application_errors
    async def change_tags(self, request: TagRequest) -> str:
        """Add (or remove) the tags the contact does not have (or has) yet; the rest are not sent again."""
        contact_id, remove = request.contact_id, request.remove
        change = tags_to_change((await self._conversation(contact_id)).tags, request.tags, remove)
        if not change:
            state = "had none of" if remove else "already had"
            return f"respond.io's contact {contact_id} {state} the tags {', '.join(request.tags)}"
        await (self._client.remove_tags if remove else self._client.add_tags)(contact_id, change)
        done, where = ("removed", "from") if remove else ("added", "to")
        activity.logger.info("Contact %s: tags %s %s", contact_id, done, change)
        return f"respond.io {done} the tags {', '.join(change)} {where} contact {contact_id}"
