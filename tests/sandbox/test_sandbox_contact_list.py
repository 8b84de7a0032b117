"""``POST /v2/contact/list`` over real HTTP: respond.io's body, the filters the sandbox answers, pagination, and
a 400 for every shape it does not answer."""

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from sandbox.server import running_sandbox
from sandbox.settings import SandboxSettings
from tests.sandbox.test_sandbox_api import assert_error

pytestmark = pytest.mark.integration

ALICE, BOB = 101, 102


def condition(field: str, value: str, operator: str = "isEqualTo") -> dict:
    return {"category": "contactField", "field": field, "operator": operator, "value": value}


def body(conditions: list[dict], group: str = "$and") -> dict:
    return {"search": "", "timezone": "UTC", "filter": {group: conditions}}


@pytest.fixture
async def inbox(settings: Callable[..., SandboxSettings], token: str) -> AsyncIterator[httpx.AsyncClient]:
    """A sandbox of the test's own, so listings hold only its contacts: 1 and 2 open with Alice, 3 open with
    Bob, 4 closed with Alice, 5 open and unassigned."""
    async with (
        running_sandbox(settings()) as url,
        httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client,
    ):
        for contact_id, assignee in [(1, ALICE), (2, ALICE), (3, BOB), (4, ALICE), (5, None)]:
            await client.post(f"/sandbox/contacts/{contact_id}/customer-message", json={"text": "hi"})
            if assignee is not None:
                await client.post(f"/v2/contact/id:{contact_id}/conversation/assignee", json={"assignee": assignee})
        await client.post("/v2/contact/id:4/conversation/status", json={"status": "close"})
        yield client


async def listed(inbox: httpx.AsyncClient, request: dict, limit: int = 10) -> list[dict]:
    """Every page, following ``pagination.next`` with the same body as respond.io's clients do."""
    items, url = [], f"/v2/contact/list?limit={limit}"
    while url:
        response = await inbox.post(url, json=request)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        items += page["items"]
        url = page["pagination"]["next"]
    return items


async def test_lists_an_agents_open_contacts_page_by_page_as_get_contact_shows_them(inbox):
    request = body([condition("assigneeUserId", str(ALICE)), condition("status", "open")])

    first = (await inbox.post("/v2/contact/list?limit=1", json=request)).json()
    contacts = await listed(inbox, request, limit=1)

    assert [contact["id"] for contact in contacts] == [1, 2]
    assert contacts == [(await inbox.get(f"/v2/contact/id:{n}")).json() for n in (1, 2)]
    assert first["pagination"]["previous"] is None and "cursorId=" in first["pagination"]["next"]


@pytest.mark.parametrize(
    ("request_body", "ids"),
    [
        (body([condition("assigneeUserId", str(ALICE))]), [1, 2, 4]),
        (body([condition("status", "open", "isNotEqualTo")]), [4]),
        (body([condition("assigneeUserId", str(ALICE)), condition("assigneeUserId", str(BOB))], "$or"), [1, 2, 3, 4]),
        (body([condition("assigneeUserId", str(ALICE), "isNotEqualTo"), condition("status", "open")]), [3, 5]),
        (body([]), [1, 2, 3, 4, 5]),
        (body([], "$or"), [1, 2, 3, 4, 5]),
    ],
    ids=["assignee", "not-open", "either-assignee", "not-alice-and-open", "empty-and", "empty-or"],
)
async def test_filters_combine_with_and_or(inbox, request_body, ids):
    assert [contact["id"] for contact in await listed(inbox, request_body, limit=2)] == ids


@pytest.mark.parametrize(
    ("request_body", "named"),
    [
        (body([{**condition("status", "open"), "category": "contactTag"}]), "category"),
        (body([condition("lifecycle", "Hot Lead")]), "field"),
        (body([condition("status", "open", "hasAnyOf")]), "operator"),
        (body([{**condition("assigneeUserId", "0"), "value": ALICE}]), "value"),
        (body([condition("assigneeUserId", "alice")]), "user id"),
        (body([condition("status", "pending")]), "'open' or 'close'"),
        (body([{**condition("status", "open"), "extra": 1}]), "extra"),
        ({"search": "", "timezone": "UTC", "filter": {"$and": [], "$or": []}}, "exactly one"),
        ({"search": "", "timezone": "UTC", "filter": {}}, "exactly one"),
        ({"search": "", "filter": {"$and": []}}, "timezone"),
        ({"timezone": "UTC", "filter": {"$and": []}}, "search"),
        ({**body([]), "search": "Pat"}, "does not search"),
    ],
    ids=[
        "category",
        "field",
        "operator",
        "number-value",
        "non-digit-user",
        "unknown-status",
        "unknown-key",
        "both-groups",
        "no-group",
        "no-timezone",
        "no-search",
        "text-search",
    ],
)
async def test_a_filter_the_sandbox_does_not_answer_is_400(api, request_body, named):
    assert named in assert_error(await api.post("/contact/list", json=request_body), 400)["message"]


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "cursorId=abc"])
async def test_bad_list_parameters_are_400(api, query):
    assert_error(await api.post(f"/contact/list?{query}", json=body([])), 400)
