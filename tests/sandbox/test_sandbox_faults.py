"""Faults of the sandbox's API: each answers as respond.io would, is off by default, switches at run time,
and never lets a refused request have an effect."""

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from sandbox.faults import Faults
from sandbox.server import running_sandbox
from sandbox.settings import SandboxSettings
from tests.sandbox.test_sandbox_api import assert_error

pytestmark = pytest.mark.integration

CONTACT = 7


@asynccontextmanager
async def clients(settings, token, **overrides) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """A sandbox of the test's own with one contact: a client for ``/v2`` (authorised) and one for ``/sandbox``."""
    async with (
        running_sandbox(settings(**overrides)) as url,
        httpx.AsyncClient(base_url=f"{url}/v2", headers={"Authorization": f"Bearer {token}"}, timeout=30) as api,
        httpx.AsyncClient(base_url=f"{url}/sandbox", timeout=30) as world,
    ):
        assert (await world.post(f"/contacts/{CONTACT}/customer-message", json={"text": "hi"})).status_code == 200
        yield api, world


async def put_faults(world: httpx.AsyncClient, **faults) -> dict:
    answer = await world.put("/faults", json=faults)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def comments(world: httpx.AsyncClient) -> list[str]:
    contact = (await world.get("/state")).json()["contacts"][0]
    return [c["text"] for c in contact["comments"]]


async def test_no_faults_by_default(settings, token):
    assert SandboxSettings(_env_prefix="HANDOFF_SANDBOX_TEST_UNSET_").faults == Faults()
    async with clients(settings, token) as (api, world):
        assert (await world.get("/faults")).json() == Faults().model_dump()
        answers = [await api.get(f"/contact/id:{CONTACT}") for _ in range(30)]
        assert {a.status_code for a in answers} == {200}


async def test_failures_answer_500_before_anything_happens(settings, token):
    async with clients(settings, token) as (api, world):
        await put_faults(world, failure_rate=1)
        assert_error(await api.post(f"/contact/id:{CONTACT}/comment", json={"text": "lost"}), 500)
        assert_error(await api.post(f"/contact/id:{CONTACT}/conversation/assignee", json={"assignee": 101}), 500)
        assert_error(await api.get("/space/user"), 500)
        contact = (await world.get("/state")).json()["contacts"][0]
        assert (contact["comments"], contact["assignments"], contact["assigneeId"]) == ([], [], None)

        await put_faults(world)  # healed
        assert (await api.post(f"/contact/id:{CONTACT}/comment", json={"text": "kept"})).status_code == 200
        assert await comments(world) == ["kept"]


async def test_a_seeded_failure_rate_repeats(settings, token):
    async with clients(settings, token) as (api, world):

        async def statuses() -> list[int]:
            await put_faults(world, failure_rate=0.5, seed=42)
            return [(await api.get("/space/user")).status_code for _ in range(40)]

        first = await statuses()
        assert await statuses() == first
        assert set(first) == {200, 500}


async def test_a_throttle_burst_answers_429_with_retry_after_then_lets_requests_through(settings, token):
    async with clients(settings, token, rate_limit=100) as (api, world):
        assert (await put_faults(world, throttle_burst=3, retry_after=2))["throttle_burst"] == 3
        throttled = [await api.post(f"/contact/id:{CONTACT}/comment", json={"text": "x"}) for _ in range(2)]
        assert (await world.get("/faults")).json()["throttle_burst"] == 1
        throttled.append(await api.get("/space/user"))
        for answer in throttled:
            assert_error(answer, 429)
            assert answer.headers["Retry-After"] == "2"
            assert answer.headers["X-RateLimit-Remaining"] == "0"
            assert answer.headers["X-RateLimit-Limit"] == "100"
        assert (await api.get("/space/user")).status_code == 200
        assert await comments(world) == []
        assert (await world.get("/faults")).json()["throttle_burst"] == 0
        await put_faults(world, throttle_burst=1)
        assert (await api.get("/space/user")).headers["Retry-After"] == "1"  # retry_after unset


@pytest.mark.parametrize(("retry_after", "header"), [(3, "3"), (None, None)])
async def test_a_queued_burst_answers_449_with_retry_after_only_if_set(settings, token, retry_after, header):
    async with clients(settings, token, rate_limit=100) as (api, world):
        shown = await put_faults(world, throttle_burst=2, burst_status=449, retry_after=retry_after)
        assert (shown["throttle_burst"], shown["burst_status"]) == (2, 449)
        queued = [await api.post(f"/contact/id:{CONTACT}/comment", json={"text": "x"}), await api.get("/space/user")]
        for answer in queued:
            assert_error(answer, 449)
            assert answer.headers.get("Retry-After") == header
            assert answer.headers["X-RateLimit-Remaining"] != "0"  # queued, not rate limited
        assert (await api.get("/space/user")).status_code == 200
        assert await comments(world) == []
        assert (await world.get("/faults")).json()["throttle_burst"] == 0


async def test_a_stall_delays_the_request_then_handles_it(settings, token):
    async with clients(settings, token) as (api, world):
        await put_faults(world, stall_seconds=0.5)
        started = time.monotonic()
        assert (await api.post(f"/contact/id:{CONTACT}/comment", json={"text": "late"})).status_code == 200
        assert time.monotonic() - started >= 0.5
        assert await comments(world) == ["late"]


async def test_a_revoked_token_answers_401_until_restored(settings, token):
    async with clients(settings, token) as (api, world):
        await put_faults(world, revoked=True)
        for answer in [
            await api.get("/space/user"),
            await api.post(f"/contact/id:{CONTACT}/comment", json={"text": "x"}),
        ]:
            assert "revoked" in assert_error(answer, 401)["message"]
            assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert await comments(world) == []  # the sandbox's own routes keep working
        await put_faults(world, revoked=False)
        assert (await api.get("/space/user")).status_code == 200


async def test_a_rotated_token_replaces_the_old_one(settings, token):
    async with clients(settings, token) as (api, world):
        shown = await put_faults(world, token="rotated-token")
        assert shown["token"] == "**********"  # never shown back
        assert_error(await api.get("/space/user"), 401)
        assert (await api.get("/space/user", headers={"Authorization": "Bearer rotated-token"})).status_code == 200
        await put_faults(world)
        assert (await api.get("/space/user")).status_code == 200
        assert_error(await api.get("/space/user", headers={"Authorization": "Bearer rotated-token"}), 401)


async def test_faults_from_the_start_settings(settings, token, monkeypatch):
    monkeypatch.setenv("HANDOFF_SANDBOX_FAULTS__FAILURE_RATE", "0.2")
    monkeypatch.setenv("HANDOFF_SANDBOX_FAULTS__SEED", "7")
    assert SandboxSettings().faults == Faults(failure_rate=0.2, seed=7)
    monkeypatch.delenv("HANDOFF_SANDBOX_FAULTS__FAILURE_RATE")
    monkeypatch.delenv("HANDOFF_SANDBOX_FAULTS__SEED")
    monkeypatch.setenv("HANDOFF_SANDBOX_FAULTS__BURST_STATUS", "449")
    assert SandboxSettings().faults == Faults(burst_status=449)
    monkeypatch.delenv("HANDOFF_SANDBOX_FAULTS__BURST_STATUS")
    monkeypatch.setenv("HANDOFF_SANDBOX_FAULTS", json.dumps({"stall_seconds": 2, "stall_rate": 0.1}))
    assert SandboxSettings().faults == Faults(stall_seconds=2, stall_rate=0.1)

    async with clients(settings, token, faults=Faults(revoked=True)) as (api, world):
        assert_error(await api.get("/space/user"), 401)
        assert (await world.get("/faults")).json()["revoked"] is True


@pytest.mark.parametrize(
    "body", [{"failure_rate": 1.5}, {"throttle_burst": -1}, {"burst_status": 503}, {"retry_after": 0}, {"stall": 1}]
)
async def test_invalid_faults_are_refused_and_change_nothing(settings, token, body):
    async with clients(settings, token) as (api, world):
        await put_faults(world, failure_rate=1)
        assert_error(await world.put("/faults", json=body), 400)
        assert (await world.get("/faults")).json()["failure_rate"] == 1
        assert_error(await api.get("/space/user"), 500)
