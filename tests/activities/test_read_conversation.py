"""read_conversation: the conversation and its first human reply in one activity, against a scripted respond.io."""

from datetime import UTC, datetime, timedelta

from temporalio.testing import ActivityEnvironment

from activities.conversation import ConversationActivities
from models.agents import Agent
from models.conversation import Conversation, ConversationRead, Reply, ReplyQuery
from tests.activities.fake_respondio import answer, pages

SINCE = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
MESSAGES = "/contact/id:7/message/list"
ALICE_AS_ASSIGNEE = {"id": 101, "firstName": "Alice", "lastName": "Ng", "email": "alice@example.com"}
ALICE = Agent(id=101, email="alice@example.com", name="Alice Ng")


def reply_by_alice(message_id: int, minutes_after_since: float) -> dict:
    at = SINCE + timedelta(minutes=minutes_after_since)
    return {
        "messageId": message_id,
        "traffic": "outgoing",
        "status": [{"value": "sent", "timestamp": int(at.timestamp() * 1000)}],
        "sender": {"source": "user", "userId": 101},
    }


async def test_reads_the_conversation_and_the_first_human_reply_since(respondio, client):
    respondio.on(
        "GET",
        "/contact/id:7",
        answer(200, {"id": 7, "firstName": "Pat", "status": "open", "assignee": ALICE_AS_ASSIGNEE}),
    )
    respondio.on("GET", MESSAGES, pages([reply_by_alice(3, 9), reply_by_alice(2, 4), reply_by_alice(1, -5)]))

    read = await ActivityEnvironment().run(
        ConversationActivities(client).read_conversation, ReplyQuery(contact_id=7, since=SINCE)
    )

    assert read == ConversationRead(
        conversation=Conversation(contact_id=7, contact_name="Pat", status="open", assignee=ALICE),
        reply=Reply(message_id=2, user_id=101, sent_at=SINCE + timedelta(minutes=4)),
    )


async def test_a_closed_conversations_messages_are_not_read(respondio, client):
    respondio.on(
        "GET", "/contact/id:7", answer(200, {"id": 7, "firstName": "Pat", "status": "close", "assignee": None})
    )
    respondio.on("GET", MESSAGES, pages([reply_by_alice(1, 4)]))

    read = await ActivityEnvironment().run(
        ConversationActivities(client).read_conversation, ReplyQuery(contact_id=7, since=SINCE)
    )

    assert (read.conversation.status, read.reply) == ("close", None)
    assert respondio.requests_to("GET", MESSAGES) == []
