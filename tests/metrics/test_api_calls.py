"""respond.io calls counted per endpoint (never an id) and status, with 429s and retries visible."""

import dataclasses

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.conversation import ConversationActivities
from activities.metrics import endpoint
from activities.respondio import RespondIOClient
from activities.respondio_config import RespondIOConfig
from bench.ports import free_port
from tests.activities.fake_respondio import BASE_URL, TOKEN, FakeRespondIO, answer
from tests.metrics.scrape import scrape, total

CALLS = "handoff_api_calls_total"


@pytest.mark.parametrize(
    ("method", "path", "label"),
    [
        ("GET", "/contact/id:123", "GET /contact/id:{id}"),
        ("GET", "/contact/id:9/message/list", "GET /contact/id:{id}/message/list"),
        ("POST", "/contact/email:pat@example.com/comment", "POST /contact/email:{email}/comment"),
        ("GET", "/space/user", "GET /space/user"),
    ],
)
def test_an_endpoint_is_its_route_without_ids(method, path, label):
    assert endpoint(method, path) == label


def environment(served, attempt: int = 1) -> ActivityEnvironment:
    env = ActivityEnvironment()
    env.metric_meter = served.runtime.metric_meter
    env.info = dataclasses.replace(env.info, attempt=attempt, activity_type="get_conversation")
    return env


async def test_answers_are_counted_by_status_and_retries_are_visible(served):
    respondio = FakeRespondIO()
    respondio.on("GET", "/contact/id:7", answer(429, {"code": 429, "message": "Too many requests"}))
    async with RespondIOClient(RespondIOConfig(token=TOKEN, base_url=BASE_URL), respondio.transport) as api:
        activities = ConversationActivities(api)
        for attempt in (1, 2):
            with pytest.raises(ApplicationError, match="429"):
                await environment(served, attempt).run(activities.get_conversation, 7)
        respondio.on("GET", "/contact/id:7", answer(200, {"id": 7, "status": "open", "assignee": None}))
        await environment(served, 3).run(activities.get_conversation, 7)

    samples = await scrape(served.url)
    contact = "GET /contact/id:{id}"
    assert total(samples, CALLS, endpoint=contact, status="429", retry="false") == 1
    assert total(samples, CALLS, endpoint=contact, status="429", retry="true") == 1
    assert total(samples, CALLS, endpoint=contact, status="200", retry="true") == 1
    assert total(samples, CALLS, activity_type="get_conversation") == 3


async def test_a_call_without_an_answer_counts_as_network(served):
    nobody = RespondIOConfig(token=TOKEN, base_url=f"http://127.0.0.1:{free_port()}/v2")
    async with RespondIOClient(nobody) as api:
        with pytest.raises(ApplicationError, match=r"Could not reach respond\.io"):
            await environment(served).run(ConversationActivities(api).get_conversation, 7)
    assert total(await scrape(served.url), CALLS, endpoint="GET /contact/id:{id}", status="network") == 1


async def test_calls_outside_an_activity_are_not_counted_and_still_work():
    respondio = FakeRespondIO()
    respondio.on("GET", "/contact/id:7", answer(200, {"id": 7}))
    async with RespondIOClient(RespondIOConfig(token=TOKEN, base_url=BASE_URL), respondio.transport) as api:
        assert (await api.get_contact(7))["id"] == 7
