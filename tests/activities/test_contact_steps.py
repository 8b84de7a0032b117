"""The policy's steps on the contact (message, close, tags) against a scripted respond.io: what they send, what
they answer for the history, and that running them again does not repeat their effect."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.conversation import ConversationActivities
from models.conversation import CloseRequest, MessageRequest, TagRequest
from tests.activities.fake_respondio import answer, pages

FIRST_SCHEDULED = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
CONTACT = "/contact/id:7"
MESSAGES = "/contact/id:7/message/list"
SEND = "/contact/id:7/message"
STATUS = "/contact/id:7/conversation/status"
TAGS = "/contact/id:7/tag"


def environment(attempt: int = 1) -> ActivityEnvironment:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, attempt=attempt, scheduled_time=FIRST_SCHEDULED)
    return env


def contact(status: str = "open", tags: list[str] | None = None) -> dict:
    return {"id": 7, "firstName": "Pat", "status": status, "assignee": None, "tags": tags or []}


def sent_message(message_id: int, text: str, seconds_after_scheduled: float, source: str = "api") -> dict:
    at = FIRST_SCHEDULED + timedelta(seconds=seconds_after_scheduled)
    return {
        "messageId": message_id,
        "traffic": "outgoing",
        "message": {"type": "text", "text": text},
        "status": [{"value": "sent", "timestamp": int(at.timestamp() * 1000)}],
        "sender": {"source": source},
    }


@pytest.fixture
def activities(client) -> ConversationActivities:
    return ConversationActivities(client)


async def test_send_message_sends_the_text_and_names_the_message(respondio, activities):
    respondio.on("POST", SEND, answer(200, {"messageId": 4242}))

    request = MessageRequest(contact_id=7, text="Hold on", channel_id=2)
    confirmed = await environment().run(activities.send_message, request)

    assert confirmed == "respond.io sent message 4242 to contact 7"
    [seen] = respondio.seen
    assert seen.body == {"channelId": 2, "message": {"type": "text", "text": "Hold on"}}


async def test_a_retry_does_not_send_a_message_an_earlier_attempt_sent(respondio, activities):
    respondio.on("GET", MESSAGES, pages([sent_message(11, "Hold on", 3), sent_message(10, "Hi", 1, source="user")]))

    confirmed = await environment(attempt=2).run(activities.send_message, MessageRequest(contact_id=7, text="Hold on"))

    assert confirmed == "respond.io had already sent message 11 to contact 7 (retry)"
    assert respondio.requests_to("POST", SEND) == []


async def test_a_retry_sends_when_only_others_sent_the_same_text(respondio, activities):
    by_a_workflow, by_an_earlier_step = (
        sent_message(6, "Hold on", 2, source="workflow"),
        sent_message(5, "Hold on", -60),
    )
    respondio.on("GET", MESSAGES, pages([by_a_workflow, by_an_earlier_step]))
    respondio.on("POST", SEND, answer(200, {"messageId": 12}))

    confirmed = await environment(attempt=3).run(activities.send_message, MessageRequest(contact_id=7, text="Hold on"))

    assert confirmed == "respond.io sent message 12 to contact 7"
    assert [seen.body for seen in respondio.requests_to("POST", SEND)] == [
        {"message": {"type": "text", "text": "Hold on"}}
    ]


async def test_close_sends_the_closing_note(respondio, activities):
    respondio.on("GET", CONTACT, answer(200, contact("open")))
    respondio.on("POST", STATUS, answer(200, {"contactId": 7}))

    request = CloseRequest(contact_id=7, category="Resolved", summary="No reply in 24 h")
    confirmed = await environment().run(activities.close_conversation, request)

    assert confirmed == "respond.io closed the conversation of contact 7"
    assert [seen.body for seen in respondio.requests_to("POST", STATUS)] == [
        {"status": "close", "category": "Resolved", "summary": "No reply in 24 h"}
    ]


async def test_closing_a_closed_conversation_changes_nothing(respondio, activities):
    respondio.on("GET", CONTACT, answer(200, contact("close")))

    confirmed = await environment(attempt=2).run(activities.close_conversation, CloseRequest(contact_id=7))

    assert confirmed == "respond.io had already closed the conversation of contact 7"
    assert respondio.requests_to("POST", STATUS) == []


async def test_change_tags_sends_only_the_tags_not_yet_as_asked(respondio, activities):
    respondio.on("GET", CONTACT, answer(200, contact(tags=["VIP", "refund"])))
    for method in ("POST", "DELETE"):
        respondio.on(method, TAGS, answer(200, {"contactId": 7}))

    add = TagRequest(contact_id=7, tags=["vip", "late", "Late"])
    remove = TagRequest(contact_id=7, tags=["Refund", "absent"], remove=True)
    added = await environment().run(activities.change_tags, add)
    removed = await environment().run(activities.change_tags, remove)

    assert added == "respond.io added the tags late to contact 7"
    assert removed == "respond.io removed the tags refund from contact 7"
    assert [(seen.method, seen.body) for seen in respondio.seen if seen.path == TAGS] == [
        ("POST", ["late"]),
        ("DELETE", ["refund"]),  # as the contact spells it
    ]


@pytest.mark.parametrize(
    ("tags", "remove", "confirmed"),
    [
        (["vip"], False, "respond.io's contact 7 already had the tags vip"),
        (["late"], True, "respond.io's contact 7 had none of the tags late"),
    ],
)
async def test_a_tag_change_already_made_sends_nothing(respondio, activities, tags, remove, confirmed):
    respondio.on("GET", CONTACT, answer(200, contact(tags=["VIP"])))

    request = TagRequest(contact_id=7, tags=tags, remove=remove)
    assert await environment(attempt=2).run(activities.change_tags, request) == confirmed
    assert [seen.path for seen in respondio.seen] == [CONTACT]


async def test_a_tag_respond_io_refuses_fails_for_good(respondio, activities):
    respondio.on("GET", CONTACT, answer(200, contact()))
    respondio.on("POST", TAGS, answer(400, {"code": 400, "message": "tag name is too long"}))

    with pytest.raises(ApplicationError) as caught:
        await environment().run(activities.change_tags, TagRequest(contact_id=7, tags=["x" * 300]))

    assert caught.value.non_retryable and caught.value.type == "RespondIORejected"
    assert "tag name is too long" in str(caught.value)
