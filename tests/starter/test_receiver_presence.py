"""Presence and load reach the routing roster: the presence endpoint, and people's messages."""

import asyncio

import pytest
from temporalio import activity

from models.agents import Agent
from roster.client import RosterClient
from roster.state import RosterConfig
from tests.starter.receiving import KEYS, deliver, event, new_contact, receiving
from tests.workflows.fake_inbox import AGENTS
from worker.build import build_worker
from worker.settings import Settings

TOKEN = "presence-token"


@activity.defn(name="list_agents")
async def list_agents() -> list[Agent]:
    return AGENTS


@pytest.fixture
async def roster_receiver(dev_server, task_queue):
    """A receiver with an API token, and a worker running the roster on the same queue."""
    settings = Settings(webhook_keys=KEYS, task_queue=task_queue, api_token=TOKEN)

    async def connect():
        return dev_server.client

    async with (
        build_worker(dev_server.client, Settings(task_queue=task_queue), [list_agents]),
        receiving(settings, connect) as http,
    ):
        yield http


async def online_ids(client, task_queue) -> set[int]:
    snapshot = await RosterClient(client, task_queue, RosterConfig()).snapshot()
    return {s.agent.id for s in snapshot.agents if s.online} if snapshot else set()


async def until(predicate, timeout: float = 10) -> None:
    for _ in range(int(timeout / 0.1)):
        if await predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the roster never showed the change")


async def test_presence_endpoint_sets_an_agent_online_and_offline(roster_receiver, dev_server, task_queue):
    url = f"/agents/{AGENTS[1].id}/presence"
    assert (await roster_receiver.put(url, json={"online": True})).status_code == 401
    wrong = await roster_receiver.put(url, json={"online": True}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "HANDOFF_API_TOKEN" in wrong.json()["error"]
    bad = await roster_receiver.put(url, json={"online": "maybe"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("online:")

    answer = await roster_receiver.put(url, json={"online": True}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.json() == {"agent_id": AGENTS[1].id, "online": True}
    await until(lambda: _has(dev_server.client, task_queue, AGENTS[1].id, True))

    await roster_receiver.put(url, json={"online": False}, headers={"Authorization": f"Bearer {TOKEN}"})
    await until(lambda: _has(dev_server.client, task_queue, AGENTS[1].id, False))


async def test_a_persons_message_makes_them_online_and_a_bots_does_not(roster_receiver, dev_server, task_queue):
    contact = new_contact()
    bot = event("message.sent", contact, message={"sender": {"source": "workflow"}, "timestamp": 1_900_000_000_000})
    assert (await deliver(roster_receiver, bot, KEYS[1])).json()["result"] == "no escalation running"
    person = event("message.sent", contact, message={"sender": {"source": "user", "userId": AGENTS[2].id}})
    assert (await deliver(roster_receiver, person, KEYS[1])).status_code == 200
    await until(lambda: _has(dev_server.client, task_queue, AGENTS[2].id, True))
    assert await online_ids(dev_server.client, task_queue) == {AGENTS[2].id}


async def test_presence_endpoint_is_off_without_a_token(receiver):
    answer = await receiver.put("/agents/101/presence", json={"online": True}, headers={"Authorization": "Bearer x"})
    assert answer.status_code == 403 and "HANDOFF_API_TOKEN" in answer.json()["error"]


async def _has(client, task_queue, agent_id: int, online: bool) -> bool:
    return (agent_id in await online_ids(client, task_queue)) == online and await RosterClient(
        client, task_queue, RosterConfig()
    ).snapshot() is not None
