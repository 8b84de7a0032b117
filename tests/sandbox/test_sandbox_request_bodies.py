"""Every ``/v2`` request body is held to the documented shape: an unknown field, or a JSON type other than the
documented one, is a 400 that names it and changes nothing, where a lenient parser would take it."""

import pytest

from tests.sandbox.test_sandbox_api import assert_error, contact_state

pytestmark = pytest.mark.integration

TEXT = {"type": "text", "text": "hi"}
FILTER = {"$and": [{"category": "contactField", "field": "status", "operator": "isEqualTo", "value": "open"}]}

# (method, path under the contact or the API, body, where the 400 says it is wrong): a documented body with one
# thing wrong, mostly one a lenient parser would coerce or drop.
CASES = {
    "assignee-unknown": ("POST", "conversation/assignee", {"assignee": 101, "bogus": 1}, "body.bogus"),
    "assignee-float": ("POST", "conversation/assignee", {"assignee": 101.0}, "body.assignee.int"),
    "status-unknown": ("POST", "conversation/status", {"status": "close", "bogus": 1}, "body.bogus"),
    "status-null-note": ("POST", "conversation/status", {"status": "close", "category": None}, "body.category"),
    "comment-unknown": ("POST", "comment", {"text": "x", "bogus": 1}, "body.bogus"),
    "comment-number": ("POST", "comment", {"text": 5}, "body.text"),
    "message-unknown": ("POST", "message", {"message": TEXT, "bogus": 1}, "body.bogus"),
    "message-unknown-inside": ("POST", "message", {"message": {**TEXT, "foo": 1}}, "body.message.foo"),
    "message-string-channel": ("POST", "message", {"channelId": "1", "message": TEXT}, "body.channelId"),
    "tag-object": ("POST", "tag", {"tags": ["vip"]}, "body"),
    "tag-number": ("POST", "tag", ["vip", 1], "body.1"),
    "untag-object": ("DELETE", "tag", {"tags": ["vip"]}, "body"),
    "untag-number": ("DELETE", "tag", ["vip", 1], "body.1"),
    "list-unknown": (
        "POST",
        "/contact/list",
        {"search": "", "timezone": "UTC", "filter": FILTER, "bogus": 1},
        "body.bogus",
    ),
    "list-number": ("POST", "/contact/list", {"search": "", "timezone": 0, "filter": FILTER}, "body.timezone"),
}


@pytest.mark.parametrize(("method", "path", "body", "named"), CASES.values(), ids=CASES.keys())
async def test_a_body_off_the_documented_shape_is_400_and_changes_nothing(
    api, world, contact, method, path, body, named
):
    url = path if path.startswith("/") else f"/contact/id:{contact}/{path}"
    before = await contact_state(world, contact)
    answer = await api.request(method, url, json=body)
    assert f"{named}:" in assert_error(answer, 400)["message"]
    assert await contact_state(world, contact) == before
