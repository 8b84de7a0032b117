"""The conversation activities against a scripted respond.io, run in Temporal's activity environment."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.conversation import ConversationActivities
from activities.respondio import QUEUED_RETRY_SECONDS, RespondIOClient
from models.agents import Agent
from models.api_errors import CONVERSATION_CLOSED, TAKEN_BY_A_PERSON
from models.conversation import AssignRequest, CommentRequest, Conversation, Reply, ReplyQuery
from tests.activities.fake_respondio import TOKEN, answer, pages

SINCE = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
MESSAGES = "/contact/id:7/message/list"
ALICE = Agent(id=101, email="alice@example.com", name="Alice Ng", team="Tier 1")


def message(message_id: int, minutes_after_since: float, source: str = "user", traffic: str = "outgoing") -> dict:
    """A message item as respond.io lists it, its time in epoch milliseconds on its first status."""
    at = SINCE + timedelta(minutes=minutes_after_since)
    return {
        "messageId": message_id,
        "contactId": 7,
        "traffic": traffic,
        "message": {"type": "text", "text": f"message {message_id}"},
        "status": [{"value": "sent", "timestamp": int(at.timestamp() * 1000)}, {"value": "read", "timestamp": 0}],
        "sender": {"source": source, "userId": 101 if source == "user" else None},
    }


@pytest.fixture
def activities(client: RespondIOClient) -> ConversationActivities:
    return ConversationActivities(client)


async def run(activity, *args):
    return await ActivityEnvironment().run(activity, *args)


async def test_get_conversation_reads_the_contact(respondio, activities):
    assignee = {"id": 101, "firstName": "Alice", "lastName": "Ng", "email": "alice@example.com"}
    contact = {"id": 7, "firstName": "Pat", "lastName": None, "status": "open", "assignee": assignee}
    respondio.on("GET", "/contact/id:7", answer(200, contact))

    conversation = await run(activities.get_conversation, 7)

    alice = Agent(id=101, email="alice@example.com", name="Alice Ng")
    assert conversation == Conversation(contact_id=7, contact_name="Pat", status="open", assignee=alice)


async def test_get_conversation_without_status_or_assignee_is_closed_and_unassigned(respondio, activities):
    respondio.on("GET", "/contact/id:7", answer(200, {"id": 7, "firstName": " ", "lastName": "Lee", "assignee": None}))

    conversation = await run(activities.get_conversation, 7)

    assert (conversation.contact_name, conversation.status, conversation.assignee) == ("Lee", "close", None)


@pytest.mark.parametrize(
    ("status", "headers", "kind", "non_retryable", "delay", "advice"),
    [
        (400, None, "RespondIORejected", True, None, "comment text is too long"),
        (401, None, "RespondIOUnauthorized", False, None, "HANDOFF_RESPONDIO_TOKEN"),  # the workflow decides
        (404, None, "RespondIONotFound", True, None, "does not exist in this workspace"),
        (429, {"Retry-After": "7"}, "RespondIORateLimited", False, timedelta(seconds=7), "Retry after 7 s"),
        (449, None, "RespondIORateLimited", False, timedelta(seconds=QUEUED_RETRY_SECONDS), "try again later"),
        (500, None, "RespondIOUnavailable", False, None, "try again later"),
        (503, {"Retry-After": "30"}, "RespondIOUnavailable", False, timedelta(seconds=30), "try again later"),
    ],
)
async def test_respond_io_errors_become_application_errors(
    respondio, activities, status, headers, kind, non_retryable, delay, advice
):
    body = {"code": status, "message": "comment text is too long"}
    respondio.on("POST", "/contact/id:7/comment", answer(status, body, headers))

    with pytest.raises(ApplicationError) as caught:
        await run(activities.post_comment, CommentRequest(contact_id=7, text="hello"))

    error = caught.value
    assert (error.type, error.non_retryable, error.next_retry_delay) == (kind, non_retryable, delay)
    assert advice in str(error)
    assert TOKEN not in str(error) and TOKEN not in str(error.__cause__)


async def test_unreachable_respond_io_is_a_retryable_application_error(unreachable):
    async with RespondIOClient(unreachable) as api:
        with pytest.raises(ApplicationError) as caught:
            await run(ConversationActivities(api).get_conversation, 7)

    assert (caught.value.type, caught.value.non_retryable) == ("RespondIOUnreachable", False)
    assert "HANDOFF_RESPONDIO_BASE_URL" in str(caught.value)


async def test_find_human_reply_returns_the_earliest_human_reply_after_since(respondio, activities):
    newest_first = [
        message(9, 40, source="workflow"),
        message(8, 30),
        message(7, 20, traffic="incoming", source="contact"),
        message(6, 10),
        message(5, -5),
        message(4, -10),
        *(message(n, -20 - n) for n in range(3, 0, -1)),
    ]
    respondio.on("GET", MESSAGES, pages(newest_first))

    reply = await run(activities.find_human_reply, ReplyQuery(contact_id=7, since=SINCE))

    assert reply == Reply(message_id=6, user_id=101, sent_at=SINCE + timedelta(minutes=10))


async def test_find_human_reply_reads_later_pages_only_until_since(respondio, client):
    newest_first = [message(n, 100 - n, source="api") for n in range(1, 90)] + [message(200, -1)] * 60
    respondio.on("GET", MESSAGES, pages(newest_first))
    total_pages = -(-len(newest_first) // 20)

    reply = await run(ConversationActivities(client).find_human_reply, ReplyQuery(contact_id=7, since=SINCE))

    assert reply is None
    assert len(respondio.requests_to("GET", MESSAGES)) == 5 < total_pages


async def test_find_human_reply_ignores_bots_and_incoming_messages(respondio, activities):
    bots = ["workflow", "ai_agent", "api", "broadcast", "echo"]
    not_human = [message(n, 60 - n, source=source) for n, source in enumerate(bots)]
    incoming = message(10, 5, traffic="incoming", source="user")
    respondio.on("GET", MESSAGES, pages([*not_human, incoming, message(11, -1)]))

    assert await run(activities.find_human_reply, ReplyQuery(contact_id=7, since=SINCE)) is None


async def test_find_human_reply_skips_replies_provably_before_since(respondio, activities):
    respondio.on("GET", MESSAGES, pages([message(2, -0.5), message(1, -1)]))

    assert await run(activities.find_human_reply, ReplyQuery(contact_id=7, since=SINCE)) is None


async def test_find_human_reply_counts_a_whole_second_time_in_the_second_of_since(respondio, activities):
    since = SINCE + timedelta(milliseconds=600)  # the assignment, later in the second the reply is stamped with
    respondio.on("GET", MESSAGES, pages([message(2, 0), message(1, -1)]))

    reply = await run(activities.find_human_reply, ReplyQuery(contact_id=7, since=since))

    assert reply == Reply(message_id=2, user_id=101, sent_at=SINCE)


@pytest.mark.parametrize(
    "timing",
    [
        {"status": [{"value": "sent", "timestamp": int(SINCE.timestamp() * 1000) + 1500}]},
        {"status": [{"value": "sent", "timestamp": int(SINCE.timestamp()) + 1.5}]},
        {"timestamp": int(SINCE.timestamp()) + 1.5},
    ],
    ids=["status-ms", "status-s", "top-level-s"],
)
async def test_find_human_reply_reads_milliseconds_and_seconds(respondio, activities, timing):
    item = {"messageId": 3, "traffic": "outgoing", "sender": {"source": "user", "userId": 202}, **timing}
    respondio.on("GET", MESSAGES, pages([item]))

    reply = await run(activities.find_human_reply, ReplyQuery(contact_id=7, since=SINCE))

    assert reply == Reply(message_id=3, user_id=202, sent_at=SINCE + timedelta(seconds=1.5))
    assert reply.sent_at.tzinfo == UTC


async def test_assign_conversation_assigns_by_user_id(respondio, activities):
    respondio.on("POST", "/contact/id:7/conversation/assignee", answer(200, {"contactId": 7}))

    confirmed = await run(activities.assign_conversation, AssignRequest(contact_id=7, agent=ALICE))

    assert [seen.body for seen in respondio.seen] == [{"assignee": 101}]
    assert confirmed == "respond.io assigned contact 7 to Alice Ng (user 101)", "the history reads what was done"


async def test_post_comment_posts_the_text_as_given(respondio, activities):
    respondio.on("POST", "/contact/id:7/comment", answer(200, {"contactId": 7}))

    confirmed = await run(activities.post_comment, CommentRequest(contact_id=7, text="Reassigned to {{@user.201}}."))

    assert [seen.body for seen in respondio.seen] == [{"text": "Reassigned to {{@user.201}}."}]
    assert confirmed == "respond.io added the comment to contact 7"


async def test_list_agents_reads_every_page_of_users(respondio, activities):
    users = [
        {
            "id": n,
            "firstName": f"Agent{n}",
            "lastName": "Smith",
            "email": f"a{n}@example.com",
            "role": "agent",
            "team": {"id": 1, "name": "Tier 2"} if n % 2 else None,
        }
        for n in range(1, 151)
    ]
    respondio.on("GET", "/space/user", pages(users))

    agents = await run(activities.list_agents)

    assert len(agents) == 150 and len(respondio.seen) == 2
    assert agents[:2] == [
        Agent(id=1, email="a1@example.com", name="Agent1 Smith", team="Tier 2"),
        Agent(id=2, email="a2@example.com", name="Agent2 Smith", team=None),
    ]


def retried(attempt: int = 2) -> ActivityEnvironment:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, attempt=attempt)
    return env


CAROL = {"id": 201, "firstName": "Carol", "lastName": "Diaz", "email": "carol@example.com"}
DAVE = {"id": 202, "firstName": "Dave", "lastName": "Kim", "email": "dave@example.com"}
TO_CAROL = AssignRequest(
    contact_id=7, agent=Agent(id=201, email="carol@example.com", name="Carol Diaz"), previous_assignee_id=101
)


async def test_a_retried_assignment_that_had_landed_is_not_sent_again(respondio, activities):
    respondio.on("GET", "/contact/id:7", answer(200, {"id": 7, "status": "open", "assignee": CAROL}))

    confirmed = await retried().run(activities.assign_conversation, TO_CAROL)

    assert "already assigned" in confirmed
    assert respondio.requests_to("POST", "/contact/id:7/conversation/assignee") == []


async def test_a_retried_assignment_sends_again_when_the_conversation_is_still_ours(respondio, activities):
    respondio.on("GET", "/contact/id:7", answer(200, {"id": 7, "status": "open", "assignee": {"id": 101}}))
    respondio.on("POST", "/contact/id:7/conversation/assignee", answer(200, {"contactId": 7}))

    await retried().run(activities.assign_conversation, TO_CAROL)

    assert len(respondio.requests_to("POST", "/contact/id:7/conversation/assignee")) == 1


@pytest.mark.parametrize(
    ("contact", "error_type"),
    [
        ({"id": 7, "status": "close", "assignee": {"id": 101}}, CONVERSATION_CLOSED),
        ({"id": 7, "status": "open", "assignee": DAVE}, TAKEN_BY_A_PERSON),
    ],
)
async def test_a_retried_assignment_never_overrides_a_person_or_a_close(respondio, activities, contact, error_type):
    respondio.on("GET", "/contact/id:7", answer(200, contact))

    with pytest.raises(ApplicationError) as caught:
        await retried().run(activities.assign_conversation, TO_CAROL)

    assert (caught.value.type, caught.value.non_retryable) == (error_type, True)
    assert respondio.requests_to("POST", "/contact/id:7/conversation/assignee") == []
