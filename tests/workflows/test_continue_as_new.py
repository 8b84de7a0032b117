"""A ladder too long for one history continues as new between steps and carries everything it knew."""

import re
import time
import uuid

from temporalio.client import Client

from models.ids import escalation_workflow_id
from starter.escalations import start_escalation
from tests.workflows.fake_inbox import AGENTS, FakeInbox
from worker.build import build_worker
from worker.settings import Settings
from workflows.escalation_calls import CONTINUE_AFTER_EVENTS
from workflows.escalation_types import Outcome
from workflows.policy import Policy

ALICE, CAROL, _ = AGENTS
WAITS = 700
"""One-second waits: about six events each (timer, its workflow task, the deadline's upsert), so the policy passes
``CONTINUE_AFTER_EVENTS`` twice and a run that was itself continued carries everything on again."""
OVERSHOOT = 100
"""A run checks its length only between steps, so it may pass the threshold by one step's events."""

LONG_LADDER = Policy.model_validate(
    {
        "name": "long-ladder",
        "steps": [
            {"assign": {"user": ALICE.email}},
            *[{"wait": "1s"}] * WAITS,
            {
                "branch": {
                    "all": [{"conversation_status": "open"}, {"no_reply_since_assignment": True}],
                    "then": [
                        {"assign": {"team": "Tier 2"}},
                        {"comment": "No reply from {previous_assignee} in {waited}; over to {assignee}."},
                    ],
                }
            },
        ],
    }
)


async def run_lengths(client: Client, workflow_id: str, first_run: str) -> list[int]:
    """The number of events in each run of the chain, following each continue-as-new from ``first_run``."""
    lengths, run_id = [], first_run
    while run_id:
        events = (await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()).events
        lengths.append(len(events))
        last = events[-1]
        continued = last.HasField("workflow_execution_continued_as_new_event_attributes")
        run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id if continued else ""
    return lengths


async def test_a_long_ladder_continues_as_new_and_carries_the_assignments_and_the_wait(time_skipping_env):
    env = time_skipping_env
    queue = f"test-{uuid.uuid4()}"
    inbox = FakeInbox(contact_id=uuid.uuid4().int % 10**9)
    async with build_worker(env.client, Settings(task_queue=queue), inbox.activities()):
        began = time.monotonic()
        started = await start_escalation(
            env.client, queue, LONG_LADDER, inbox.contact_id, "opening-1", await env.get_current_time()
        )
        assert started.handle and started.handle.result_run_id, started.detail
        result = await started.handle.result()  # follows the runs to the last one's result
        seconds = time.monotonic() - began
        lengths = await run_lengths(env.client, started.handle.id, started.handle.result_run_id)
        latest = await env.client.get_workflow_handle(escalation_workflow_id(inbox.contact_id)).describe()
    print(f"\n{WAITS} waits in {seconds:.1f} s of real time: {len(lengths)} runs of {lengths} events")
    assert len(lengths) == 3, "the history passed the threshold twice, so the run continued as new twice"
    assert latest.run_id != started.handle.result_run_id
    assert all(n <= CONTINUE_AFTER_EVENTS + OVERSHOOT for n in lengths), lengths
    assert result.outcome == Outcome.ESCALATED
    assert inbox.assignments == [ALICE.id, CAROL.id], "Alice once, before the continue-as-new; then Tier 2 once"
    assert [(a.agent, a.level) for a in result.history] == [(ALICE, 0), (CAROL, 1)]
    # Alice's assignment and the wait it timed came from the first run: {waited} spans all the waits (11 min 40 s,
    # plus the real milliseconds the test server lets pass between one timer and the next).
    [comment] = inbox.comments
    said = re.fullmatch(r"No reply from Alice Ng in 11 min (\d+) s; over to Carol Diaz\.", comment)
    assert said and 40 <= int(said[1]) < 60, comment
