"""take_conversation: read, choose (unless offered) and assign in one step, against a scripted respond.io and a
fake routing."""

import dataclasses

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.conversation import ConversationActivities
from activities.respondio import RespondIOClient
from models.agents import Agent, Choice, ChoiceRequest
from models.api_errors import CONVERSATION_CLOSED, TAKEN_BY_A_PERSON
from models.conversation import Conversation, Taken, TakeRequest
from tests.activities.fake_respondio import answer
from tests.activities.fake_routing import FakeRouting

CONTACT = "/contact/id:7"
ASSIGNEE = "/contact/id:7/conversation/assignee"
ALICE = Agent(id=101, email="alice@example.com", name="Alice Ng")
CAROL = Agent(id=201, email="carol@example.com", name="Carol Diaz")
DAVE = Agent(id=202, email="dave@example.com", name="Dave Kim")
TO_CAROL = Choice(agent=CAROL, candidates=[], reason="round robin: Carol is next")
TIER_2 = ChoiceRequest(contact_id=7, team="Tier 2", only_online=True, queue=True)


def contact(status: str = "open", assignee: Agent | None = None) -> dict:
    """A contact as ``GET /contact/{identifier}`` returns it."""
    user = None
    if assignee is not None:
        first, last = assignee.name.split()
        user = {"id": assignee.id, "firstName": first, "lastName": last, "email": assignee.email}
    return {"id": 7, "firstName": "Pat", "lastName": "Lee", "status": status, "assignee": user}


def conversation(status: str = "open", assignee: Agent | None = None) -> Conversation:
    return Conversation(contact_id=7, contact_name="Pat Lee", status=status, assignee=assignee)


def environment(run_id: str = "run-1", activity_id: str = "4", attempt: int = 1) -> ActivityEnvironment:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, workflow_run_id=run_id, activity_id=activity_id, attempt=attempt)
    return env


def activities_with(client: RespondIOClient, choice: Choice = TO_CAROL) -> tuple[ConversationActivities, FakeRouting]:
    routing = FakeRouting(choice)
    return ConversationActivities(client, routing), routing


async def test_chooses_and_assigns_in_one_step(respondio, client):
    respondio.on("GET", CONTACT, answer(200, contact(assignee=ALICE)))
    respondio.on("POST", ASSIGNEE, answer(200, {"contactId": 7}))
    activities, routing = activities_with(client)

    taken = await environment().run(
        activities.take_conversation, TakeRequest(choice=TIER_2, request_id="take-1", previous_assignee_id=101)
    )

    assert taken == Taken(
        conversation=conversation(assignee=ALICE),
        choice=TO_CAROL,
        confirmed="respond.io assigned contact 7 to Carol Diaz (user 201)",
    )
    assert routing.chosen == [(TIER_2, "take-1")]
    assert [seen.body for seen in respondio.requests_to("POST", ASSIGNEE)] == [{"assignee": 201}]
    assert routing.withdrawn == []


async def test_routing_hears_the_step_s_request_id_whatever_the_attempt_or_activity(respondio, client):
    respondio.on("GET", CONTACT, answer(200, contact()))
    respondio.on("POST", ASSIGNEE, answer(200, {"contactId": 7}))
    activities, routing = activities_with(client)
    request = TakeRequest(choice=TIER_2, request_id="take-1")

    for env in (environment(), environment(attempt=2), environment(activity_id="9")):
        await env.run(activities.take_conversation, request)

    assert [request_id for _, request_id in routing.chosen] == ["take-1"] * 3


async def test_an_offered_agent_is_assigned_without_choosing_again(respondio, client):
    respondio.on("GET", CONTACT, answer(200, contact()))
    respondio.on("POST", ASSIGNEE, answer(200, {"contactId": 7}))
    activities, routing = activities_with(client)
    offer = Choice(agent=DAVE, candidates=[], reason="first in the queue when Dave came online")

    taken = await environment().run(
        activities.take_conversation, TakeRequest(choice=TIER_2, request_id="take-1", offered=offer)
    )

    assert (taken.choice, taken.confirmed) == (offer, "respond.io assigned contact 7 to Dave Kim (user 202)")
    assert routing.chosen == []
    assert [seen.body for seen in respondio.requests_to("POST", ASSIGNEE)] == [{"assignee": 202}]


@pytest.mark.parametrize("queued", [True, False], ids=["queued", "nobody"])
async def test_without_an_agent_nothing_is_assigned(respondio, client, queued):
    respondio.on("GET", CONTACT, answer(200, contact()))
    nobody = Choice(agent=None, candidates=[], reason="nobody in Tier 2 is online", queued=queued)
    activities, routing = activities_with(client, nobody)

    taken = await environment().run(activities.take_conversation, TakeRequest(choice=TIER_2, request_id="take-1"))

    assert taken == Taken(conversation=conversation(), choice=nobody, confirmed=None)
    assert taken.choice.queued is queued
    assert respondio.requests_to("POST", ASSIGNEE) == [] and routing.withdrawn == []


async def test_a_closed_conversation_is_withdrawn_and_not_chosen_for(respondio, client):
    respondio.on("GET", CONTACT, answer(200, contact(status="close", assignee=ALICE)))
    activities, routing = activities_with(client)

    with pytest.raises(ApplicationError) as caught:
        await environment().run(
            activities.take_conversation, TakeRequest(choice=TIER_2, request_id="take-1", previous_assignee_id=101)
        )

    assert (caught.value.type, caught.value.non_retryable) == (CONVERSATION_CLOSED, True)
    assert (routing.withdrawn, routing.chosen) == ([7], [])
    assert respondio.requests_to("POST", ASSIGNEE) == []


async def test_a_conversation_a_person_gave_to_someone_else_is_withdrawn(respondio, client):
    respondio.on("GET", CONTACT, answer(200, contact(assignee=DAVE)))
    activities, routing = activities_with(client)

    with pytest.raises(ApplicationError) as caught:
        await environment().run(
            activities.take_conversation, TakeRequest(choice=TIER_2, request_id="take-1", previous_assignee_id=101)
        )

    assert (caught.value.type, caught.value.non_retryable) == (TAKEN_BY_A_PERSON, True)
    assert caught.value.message == "a person assigned it to Dave Kim"
    assert routing.withdrawn == [7]
    assert respondio.requests_to("POST", ASSIGNEE) == []


async def test_after_a_wait_a_first_assignment_leaves_whom_a_person_chose_meanwhile(respondio, client):
    respondio.on("GET", CONTACT, answer(200, contact(assignee=DAVE)))
    activities, routing = activities_with(client)

    with pytest.raises(ApplicationError) as caught:
        await environment().run(
            activities.take_conversation, TakeRequest(choice=TIER_2, request_id="take-1", waited=True)
        )

    assert (caught.value.type, caught.value.message) == (TAKEN_BY_A_PERSON, "a person assigned it to Dave Kim")
    assert routing.withdrawn == [7] and respondio.requests_to("POST", ASSIGNEE) == []


async def test_an_assignment_that_already_landed_is_not_sent_again(respondio, client):
    respondio.on("GET", CONTACT, answer(200, contact(assignee=CAROL)))
    activities, routing = activities_with(client)

    taken = await environment(attempt=2).run(
        activities.take_conversation, TakeRequest(choice=TIER_2, request_id="take-1", previous_assignee_id=101)
    )

    assert taken.conversation.assignee == CAROL
    assert taken.confirmed == "respond.io had already assigned contact 7 to Carol Diaz (retry)"
    assert respondio.requests_to("POST", ASSIGNEE) == [] and routing.withdrawn == []


async def test_a_first_assignment_replaces_whoever_had_the_conversation_before_handoff(respondio, client):
    respondio.on("GET", CONTACT, answer(200, contact(assignee=DAVE)))
    respondio.on("POST", ASSIGNEE, answer(200, {"contactId": 7}))
    activities, routing = activities_with(client)

    taken = await environment().run(activities.take_conversation, TakeRequest(choice=TIER_2, request_id="take-1"))

    assert taken.confirmed == "respond.io assigned contact 7 to Carol Diaz (user 201)"
    assert routing.withdrawn == []


async def test_respond_io_failures_become_application_errors(respondio, client):
    respondio.on("GET", CONTACT, answer(200, contact()))
    respondio.on("POST", ASSIGNEE, answer(429, {"code": 429, "message": "Too many requests"}, {"Retry-After": "3"}))
    activities, _ = activities_with(client)

    with pytest.raises(ApplicationError) as caught:
        await environment().run(activities.take_conversation, TakeRequest(choice=TIER_2, request_id="take-1"))

    assert (caught.value.type, caught.value.non_retryable) == ("RespondIORateLimited", False)
    assert caught.value.next_retry_delay is not None and caught.value.next_retry_delay.total_seconds() == 3


async def test_taking_needs_routing(respondio, client):
    with pytest.raises(RuntimeError, match="needs routing"):
        await environment().run(
            ConversationActivities(client).take_conversation, TakeRequest(choice=TIER_2, request_id="take-1")
        )
    assert respondio.seen == []
