"""open_conversations_by_agent: each agent's open conversations per respond.io, for the roster's reconciliation,
against a scripted respond.io and once over real HTTP against the sandbox inbox."""

import httpx
from temporalio.testing import ActivityEnvironment

from activities.conversation import ConversationActivities
from activities.respondio import RespondIOClient
from activities.respondio_config import RespondIOConfig
from sandbox.server import running_sandbox
from sandbox.settings import SandboxSettings
from tests.activities.fake_respondio import Handler, Seen, pages

LIST = "/contact/list"


def contact(contact_id: int, assignee_id: int | None, status: str = "open") -> dict:
    assignee = {"id": assignee_id, "firstName": "Agent", "lastName": str(assignee_id)} if assignee_id else None
    return {"id": contact_id, "firstName": "Customer", "status": status, "assignee": assignee}


def filtered_by_assignee(contacts: list[dict]) -> Handler:
    """A listing that honours the assignee and status conditions, paginated like respond.io."""

    def handle(seen: Seen) -> httpx.Response:
        wanted = {c["field"]: c["value"] for c in seen.body["filter"]["$and"]}
        matching = [
            c
            for c in contacts
            if str((c["assignee"] or {}).get("id")) == wanted["assigneeUserId"] and c["status"] == wanted["status"]
        ]
        return pages(matching)(seen)

    return handle


async def run(client: RespondIOClient, agent_ids: list[int]) -> dict[int, list[int]]:
    return await ActivityEnvironment().run(ConversationActivities(client).open_conversations_by_agent, agent_ids)


async def test_lists_each_agents_open_conversations_across_pages(respondio, client):
    contacts = [contact(n, 101) for n in range(1, 251)] + [contact(n, 102) for n in range(251, 254)]
    respondio.on("POST", LIST, filtered_by_assignee(contacts))

    by_agent = await run(client, [101, 102, 201, 101])

    assert by_agent == {101: list(range(1, 251)), 102: [251, 252, 253], 201: []}
    requests = respondio.requests_to("POST", LIST)
    assert [seen.query.get("cursorId") for seen in requests] == [None, "100", "200", None, None]
    assert {seen.query["limit"] for seen in requests} == {"100"}
    assert requests[-1].body == {
        "search": "",
        "timezone": "UTC",
        "filter": {
            "$and": [
                {"category": "contactField", "field": "assigneeUserId", "operator": "isEqualTo", "value": "201"},
                {"category": "contactField", "field": "status", "operator": "isEqualTo", "value": "open"},
            ]
        },
    }


async def test_a_filter_respond_io_ignores_never_counts_a_contact_against_the_wrong_agent(respondio, client):
    everyone = [
        contact(1, 101),
        contact(2, 102),
        contact(3, 101, status="close"),
        contact(4, None),
        contact(5, 101),
        {"id": 6, "firstName": "No status", "assignee": {"id": 101}},
        contact(1, 101),  # listed again: the listing shifted between pages
    ]
    respondio.on("POST", LIST, pages(everyone))

    assert await run(client, [101, 102]) == {101: [1, 5], 102: [2]}


def refusing_the_status_field(contacts: list[dict]) -> Handler:
    """A respond.io that answers 400 to a filter naming ``status`` and honours the assignee condition alone."""

    def handle(seen: Seen) -> httpx.Response:
        conditions = seen.body["filter"]["$and"]
        if any(condition["field"] == "status" for condition in conditions):
            return httpx.Response(400, json={"code": 400, "message": "Invalid filter field: status"})
        (wanted,) = conditions
        return pages([c for c in contacts if str((c["assignee"] or {}).get("id")) == wanted["value"]])(seen)

    return handle


async def test_a_refused_status_filter_falls_back_to_the_assignee_alone(respondio, client):
    contacts = [contact(1, 101), contact(2, 101, status="close"), contact(3, 102), contact(4, 101)]
    respondio.on("POST", LIST, refusing_the_status_field(contacts))

    assert await run(client, [101, 102]) == {101: [1, 4], 102: [3]}
    fields = [[c["field"] for c in seen.body["filter"]["$and"]] for seen in respondio.requests_to("POST", LIST)]
    assert fields == [["assigneeUserId", "status"], ["assigneeUserId"], ["assigneeUserId"]], (
        "refused once, then not asked"
    )


async def test_reads_open_conversations_over_real_http(tmp_path):
    sandbox = SandboxSettings(db=str(tmp_path / "inbox.db"), port=0, token="real-http-token")
    async with running_sandbox(sandbox) as url:
        async with httpx.AsyncClient(base_url=f"{url}/sandbox") as world:
            for contact_id in (31, 32, 33, 34):
                await world.post(f"/contacts/{contact_id}/customer-message", json={"text": "hi"})
        async with RespondIOClient(RespondIOConfig(token="real-http-token", base_url=f"{url}/v2")) as api:
            for contact_id, agent_id in [(31, 101), (32, 102), (33, 101), (34, 101)]:
                await api.assign(contact_id, agent_id)
            await api.set_conversation_status(33, "close")
            by_agent = await run(api, [101, 102, 201])

    assert by_agent == {101: [31, 34], 102: [32], 201: []}
