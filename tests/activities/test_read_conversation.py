"""read_conversation: the conversation, its first human reply and the customer's newest message in one activity,
against a scripted respond.io."""

from datetime import UTC, datetime, timedelta

import httpx
from temporalio.testing import ActivityEnvironment

from activities.conversation import ConversationActivities
from activities.respondio import RespondIOClient
from activities.respondio_config import RespondIOConfig
from models.agents import Agent
from models.conversation import Channel, Conversation, ConversationRead, Reply, ReplyQuery
from sandbox.server import running_sandbox
from sandbox.settings import SandboxSettings
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


def message(message_id: int, minutes_after_since: float, traffic: str = "outgoing", channel_id: object = 1) -> dict:
    """A message by a workflow (outgoing) or by the customer (incoming) on ``channel_id``."""
    at = SINCE + timedelta(minutes=minutes_after_since)
    item = {
        "messageId": message_id,
        "channelId": channel_id,
        "traffic": traffic,
        "status": [{"value": "sent", "timestamp": int(at.timestamp() * 1000)}],
    }
    return {**item, "sender": {"source": "workflow"}} if traffic == "outgoing" else item


WHATSAPP = {"id": 2, "name": "Support WhatsApp", "source": "whatsapp", "created_at": 1700000000}


def open_contact(respondio) -> None:
    respondio.on("GET", "/contact/id:7", answer(200, {"id": 7, "firstName": "Pat", "status": "open", "tags": ["vip"]}))


async def read(client, incoming: bool = True, activities: ConversationActivities | None = None) -> ConversationRead:
    query = ReplyQuery(contact_id=7, since=SINCE, incoming=incoming)
    return await ActivityEnvironment().run((activities or ConversationActivities(client)).read_conversation, query)


async def test_finds_the_newest_incoming_message_pages_back_and_stops_there(respondio, client):
    open_contact(respondio)
    newest_first = [
        reply_by_alice(100, 9),
        *(message(n, 8 - n / 100) for n in range(99, 80, -1)),  # the rest of page 1: automated, after since
        message(80, -5),  # page 2: before since, so the reply is settled
        message(79, -30, "incoming", channel_id=2),
        message(78, -31, "incoming", channel_id=1),
        *(message(n, -40 - n) for n in range(77, 30, -1)),  # pages 3 and on: never read
    ]
    respondio.on("GET", MESSAGES, pages(newest_first))
    respondio.on("GET", "/space/channel", pages([WHATSAPP]))

    found = await read(client)

    assert found.reply == Reply(message_id=100, user_id=101, sent_at=SINCE + timedelta(minutes=9))
    assert found.last_incoming_at == SINCE - timedelta(minutes=30)
    assert found.channel == Channel(id=2, name="Support WhatsApp", source="whatsapp")
    assert found.conversation.tags == ["vip"]
    assert len(respondio.requests_to("GET", MESSAGES)) == 2


async def test_reads_back_to_since_even_when_the_customer_wrote_last(respondio, client):
    open_contact(respondio)
    newest_first = [message(9, 12, "incoming", channel_id="2"), reply_by_alice(8, 3), reply_by_alice(7, -20)]
    respondio.on("GET", MESSAGES, pages(newest_first))
    respondio.on("GET", "/space/channel", pages([{**WHATSAPP, "id": "2"}]))

    found = await read(client)

    assert (found.reply.message_id, found.last_incoming_at) == (8, SINCE + timedelta(minutes=12))
    assert found.channel == Channel(id=2, name="Support WhatsApp", source="whatsapp")


async def test_without_incoming_it_reads_no_further_than_since(respondio, client):
    open_contact(respondio)
    respondio.on("GET", MESSAGES, pages([message(n, 10 - n) for n in range(30, 0, -1)]))

    found = await read(client, incoming=False)

    assert (found.reply, found.last_incoming_at, found.channel) == (None, None, None)
    assert len(respondio.requests_to("GET", MESSAGES)) == 1
    assert respondio.requests_to("GET", "/space/channel") == []


async def test_a_customer_who_never_wrote_has_no_incoming_message(respondio, client):
    open_contact(respondio)
    respondio.on("GET", MESSAGES, pages([reply_by_alice(2, 4), message(1, -60)]))

    found = await read(client)

    assert (found.reply.message_id, found.last_incoming_at, found.channel) == (2, None, None)
    assert respondio.requests_to("GET", "/space/channel") == []


async def test_channels_are_listed_once_for_many_reads(respondio, client):
    open_contact(respondio)
    respondio.on("GET", MESSAGES, pages([message(1, -1, "incoming", channel_id=2)]))
    respondio.on("GET", "/space/channel", pages([WHATSAPP]))
    activities = ConversationActivities(client)

    reads = [await read(client, activities=activities) for _ in range(3)]

    assert {found.channel for found in reads} == {Channel(id=2, name="Support WhatsApp", source="whatsapp")}
    assert len(respondio.requests_to("GET", "/space/channel")) == 1


async def test_a_channel_list_respond_io_refuses_leaves_the_channel_id(respondio, client):
    open_contact(respondio)
    respondio.on("GET", MESSAGES, pages([message(1, -1, "incoming", channel_id=2)]))
    respondio.on("GET", "/space/channel", answer(404, {"code": 404, "message": "Not found"}))

    assert (await read(client)).channel == Channel(id=2)


async def test_names_the_customers_channel_over_real_http(tmp_path):
    sandbox = SandboxSettings(db=str(tmp_path / "inbox.db"), port=0, token="real-http-token")
    async with running_sandbox(sandbox) as url:
        async with httpx.AsyncClient(base_url=f"{url}/sandbox") as world:
            assert (await world.post("/contacts/5/customer-message", json={"text": "hi", "channelId": 2})).is_success
            await world.post("/contacts/5/agent-reply", json={"userId": 101, "text": "On it"})
        async with RespondIOClient(RespondIOConfig(token="real-http-token", base_url=f"{url}/v2")) as api:
            query = ReplyQuery(contact_id=5, since=datetime.now(UTC) - timedelta(minutes=1), incoming=True)
            found = await ActivityEnvironment().run(ConversationActivities(api).read_conversation, query)

    assert found.channel == Channel(id=2, name="Sandbox Messenger", source="facebook")
    assert found.reply is not None and found.last_incoming_at is not None
    assert found.last_incoming_at <= found.reply.sent_at
