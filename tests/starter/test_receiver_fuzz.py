"""Property-based fuzzing of the receiver's HTTP surface: whatever arrives, signed or not, the answer is never
a 500, and nothing starts in Temporal unless the body was an event Handoff acts on.

Each example gets a receiver on a task queue of its own that no worker polls, against the session's dev
server, so whatever an example started is still there to find: its escalation (by the contact's workflow id,
read back strongly consistently with describe) and the queue's roster.
"""

import json
import math
import uuid
from typing import Any

import httpx
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from temporalio.client import Client, WorkflowExecutionStatus

from models.ids import roster_workflow_id
from sandbox.webhooks import sign
from starter.escalations import describe_latest_run
from starter.receiver import WEBHOOK_PATH, create_receiver
from starter.webhook_events import HANDLED_EVENTS
from tests.starter.receiving import KEYS, MAX_BODY, POLICY, describe
from worker.settings import Settings

FUZZ = settings(
    max_examples=100,
    deadline=None,  # an example talks to a real Temporal server
    # fresh_settings (autouse) only clears the settings cache, which every example may share.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ANSWERS = {200, 400, 401, 413, 415}
ACTED = {"started", "delivered", "signalled", "no escalation running"}
"""A 200 that reached Temporal: anything else (ignored, a refusal) must leave nothing behind."""

ODD_EVENT_TYPES = ["contact.tag.updated", "conversation.opened ", "CONVERSATION.OPENED", ""]
NUMBER_LIKE = ["NaN", "Infinity", "-Infinity", "1e999", "-0", "0x1F", "\uff11\uff12\uff13", "12", "3.0", " 7 ", ""]

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**18, max_value=10**1200),  # past int64, and past how long a workflow id may be
    st.floats(allow_nan=False, allow_infinity=False),  # json.dumps writes NaN and Infinity, which JSON has not
    st.text(max_size=20),
    st.sampled_from(NUMBER_LIKE),
)
jsonish = st.recursive(
    leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
)


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any] = jsonish) -> st.SearchStrategy[Any]:
    """Nine times in ten a value a sender would send, else anything at all in its place (shrinks to the good)."""
    return st.sampled_from([good] * 9 + [bad]).flatmap(lambda chosen: chosen)


ids = mostly(st.integers(min_value=1, max_value=10**12), st.integers() | leaves)
times = mostly(
    st.integers(min_value=1_500_000_000, max_value=2_000_000_000_000),  # seconds or milliseconds, as respond.io
    st.integers(min_value=-(10**20), max_value=10**20) | st.floats() | leaves,
)
sources = mostly(st.sampled_from(["contact", "user", "workflow", "api", "echo"]), st.sampled_from(["Contact"]) | leaves)
events = st.fixed_dictionaries(  # every event type's fields, so that each type is often complete
    {
        "event_type": mostly(st.sampled_from(sorted(HANDLED_EVENTS)), st.sampled_from(ODD_EVENT_TYPES) | leaves),
        "contact": mostly(
            st.fixed_dictionaries({"id": ids}, optional={"assignee": mostly(st.fixed_dictionaries({"id": ids}))})
        ),
        "conversation": mostly(
            st.fixed_dictionaries(
                {"openedBySource": mostly(st.just(POLICY.trigger.sources[0]), sources)},
                optional={"openedTime": times, "source": sources, "closedTime": times},
            )
        ),
        "message": mostly(
            st.fixed_dictionaries(
                {"sender": mostly(st.fixed_dictionaries({"source": sources}, optional={"userId": ids}))},
                optional={
                    "messageId": ids,
                    "timestamp": times,
                    "status": st.lists(mostly(st.fixed_dictionaries({"timestamp": times})), max_size=3),
                },
            )
        ),
    },
    optional={"event_id": mostly(st.uuids().map(str), leaves), "source": sources, "extra": jsonish},
)
payloads = mostly(events)

RAW_BODIES = [
    b"",
    b"{",
    b"null",
    b'{"event_type": "conversation.opened", "contact": {"id": NaN}}',
    b'{"event_type": "conversation.opened", "contact": {"id": 1}, "conversation": {"openedTime": Infinity}}',
    b'{"event_type": "conversation.opened", "contact": {"id": 1' + b"0" * 4000 + b"}}",  # an id of 4001 digits
    b'{"event_type": "message.sent", "contact": {"id": 1}, "message": {"sender": {"source": "user"}}}\x00',
    b"\xff\xfe{}",
    b'{"event_type": "conversation.opened", "contact": {"id": 1}, "event_id": "\\ud800"}',  # a lone surrogate
    b"[" * 4000,  # nested deeper than parsers go
]
raw_bodies = (
    st.sampled_from(RAW_BODIES) | st.binary(max_size=300) | st.binary(min_size=MAX_BODY + 1, max_size=MAX_BODY + 64)
)
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
content_types = st.sampled_from(
    [None, "application/json", "application/json; charset=utf-8", "application/vnd.respond+json", "text/plain"]
) | header_text.map(str.strip)


def request_headers(signature: str | None, content_type: str | None) -> dict[str, str]:
    return ({"X-Webhook-Signature": signature} if signature is not None else {}) | (
        {"Content-Type": content_type} if content_type is not None else {}
    )


async def post(client: Client, body: bytes, headers: dict[str, str]) -> tuple[httpx.Response, str]:
    """POST to a fresh receiver on a task queue of its own, in process; the answer and the queue."""
    queue = f"fuzz-{uuid.uuid4()}"

    async def connect() -> Client:
        return client

    app = create_receiver(Settings(webhook_keys=KEYS, task_queue=queue, max_body_bytes=MAX_BODY), POLICY, connect)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as http:
        return await http.post(WEBHOOK_PATH, content=body, headers=headers), queue


async def assert_started_only_what_it_asked(client: Client, answer: httpx.Response, queue: str, body: bytes) -> None:
    """Never a 500; an escalation started (on this queue) only for an opening the policy escalates, and
    nothing at all (escalation or roster) for a refused or ignored event. Ends what the example started."""
    assert answer.status_code in ANSWERS, answer.text
    result = answer.json()["result"] if answer.status_code == 200 else None
    event(f"{answer.status_code} {result or ''}")  # --hypothesis-show-statistics counts the answers
    payload = parsed(body)
    started = await describe_latest_run(client, answer.json()["workflow_id"]) if result == "started" else None
    roster = await describe_latest_run(client, roster_workflow_id(queue))
    try:
        if result in ("started", "delivered"):
            assert a_trigger_opening(payload), answer.text
        if started is not None:
            assert started.task_queue == queue and started.status == WorkflowExecutionStatus.RUNNING
        if result not in ACTED:
            assert roster is None, "a roster started"
            for contact_id in contact_ids(payload):
                run = await describe(client, contact_id)
                assert run is None or run.task_queue != queue, f"an escalation started for contact {contact_id}"
    finally:  # nothing polls this queue: leave no run waiting forever on the session's server
        for run in (started, roster):
            if run is not None and run.status == WorkflowExecutionStatus.RUNNING:
                await client.get_workflow_handle(run.id, run_id=run.run_id).terminate("the fuzz example ended")


def parsed(body: bytes) -> object:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested past what Python's parser takes
        return None


def contact_ids(payload: object) -> set[int]:
    """The contact ids a payload may stand for, as a lenient reader would take them."""
    contact = payload.get("contact") if isinstance(payload, dict) else None
    found = contact.get("id") if isinstance(contact, dict) else None
    if isinstance(found, bool) or found is None:
        return set()
    if isinstance(found, int):
        return {found}
    if isinstance(found, float) and math.isfinite(found) and found.is_integer():
        return {int(found)}
    if isinstance(found, str) and found.strip().lstrip("-").isdigit() and len(found) < 30:
        return {int(found.strip())}
    return set()


def a_trigger_opening(payload: object) -> bool:
    """An opening the policy escalates: the right event type, opened by one of the trigger's sources."""
    if not isinstance(payload, dict) or payload.get("event_type") != POLICY.trigger.event:
        return False
    conversation = payload.get("conversation") if isinstance(payload.get("conversation"), dict) else {}
    named = [conversation.get("openedBySource"), payload.get("source"), conversation.get("source")]
    return any(source in POLICY.trigger.sources for source in named)


@FUZZ
@given(payload=payloads, content_type=st.sampled_from(["application/json", None]))
@example(  # found by fuzzing: a workflow id longer than Temporal takes was a 500
    payload={
        "event_type": "conversation.opened",
        "contact": {"id": 10**1100},
        "conversation": {"openedBySource": "contact"},
    },
    content_type="application/json",
)
async def test_a_signed_json_body_is_answered_and_starts_only_what_it_asks(dev_server, payload, content_type):
    body = json.dumps(payload).encode()
    answer, queue = await post(dev_server.client, body, request_headers(sign(KEYS[0], body), content_type))
    await assert_started_only_what_it_asked(dev_server.client, answer, queue, body)


@FUZZ
@given(
    body=raw_bodies | payloads.map(lambda payload: json.dumps(payload).encode()),
    signature=st.one_of(
        st.just("valid"),
        st.none(),
        header_text,
        st.just(sign("a key nobody configured", b"{}")),
        st.just(sign(KEYS[0], b"another body")),
    ),
    content_type=content_types,
)
async def test_hostile_bytes_and_signatures_never_start_anything(dev_server, body, signature, content_type):
    given_signature = sign(KEYS[0], body) if signature == "valid" else signature
    answer, queue = await post(dev_server.client, body, request_headers(given_signature, content_type))
    if signature != "valid":
        assert answer.status_code in (401, 413, 415), answer.text
    await assert_started_only_what_it_asked(dev_server.client, answer, queue, body)
