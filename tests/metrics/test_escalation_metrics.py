"""Escalations counted by policy and outcome, reassignment lateness and time to the first reply, through a
real worker and receiver on the dev server; a worker that replays every history still counts each once."""

import re

import pytest

from tests.integration.wired import new_contact, wired
from tests.metrics.scrape import total, until
from tests.policies import quick_policy
from workflows.escalation_types import Outcome

pytestmark = pytest.mark.integration

POLICY = quick_policy("metrics-quick", "2s")
FINISHED = "handoff_escalations_finished_total"


async def test_escalations_are_counted_once_even_when_every_task_replays(dev_server, tmp_path, served):
    tiny_cache = {"max_cached_workflows": 1}  # the roster and two escalations take turns: most tasks replay
    async with wired(dev_server, tmp_path, POLICY, runtime=served.runtime, tuning=tiny_cache) as stack:
        unanswered, answered = new_contact(), new_contact()
        for contact_id in (unanswered, answered):
            await stack.post(f"/sandbox/contacts/{contact_id}/customer-message", text="Hello?")
        agent = await stack.assigned(answered)
        await stack.post(f"/sandbox/contacts/{answered}/agent-reply", userId=agent, text="Here!")
        await stack.assigned(unanswered)
        results = {contact_id: await stack.handle(contact_id).result() for contact_id in (unanswered, answered)}
    assert results[unanswered].outcome == Outcome.ESCALATED
    assert results[answered].outcome == Outcome.REPLIED

    samples = await until(served.url, lambda samples: total(samples, FINISHED) >= 2)
    policy = {"policy": POLICY.name}
    assert total(samples, "handoff_escalations_started_total", **policy) == 2
    assert total(samples, FINISHED, **policy, outcome="escalated") == 1
    assert total(samples, FINISHED, **policy, outcome="replied") == 1
    assert total(samples, FINISHED) == 2
    assert total(samples, "handoff_reassignment_lateness_seconds_count", **policy, level="1") == 1
    assert total(samples, "handoff_reassignment_lateness_seconds_count") == 1
    assert total(samples, "handoff_assignment_to_reply_seconds_count", **policy, level="0") == 1
    assert total(samples, "handoff_assignment_to_reply_seconds_count") == 1

    calls = [s for s in samples if s.name == "handoff_api_calls_total"]
    assert not [s.labels["endpoint"] for s in calls if re.search(r"\d", s.labels["endpoint"])], "ids in a label"
    assignee = {"endpoint": "POST /contact/id:{id}/conversation/assignee", "status": "200"}
    assert total(calls, "handoff_api_calls_total", **assignee) == 3
    assert total(calls, "handoff_api_calls_total", endpoint="POST /contact/id:{id}/comment", status="200") == 1
    opened = {"event": "conversation.opened", "status": "200"}
    assert total(samples, "handoff_webhooks_total", **opened) == 2
