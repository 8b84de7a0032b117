"""`handoff escalation` and `handoff agent` as an operator runs them, against escalations a real worker runs
on the dev server, opened in the sandbox inbox over real HTTP."""

import asyncio
from typing import Any, TypeVar

import pytest
from click.testing import Result
from typer.testing import CliRunner

from models.ids import escalation_workflow_id
from starter.cli import app
from starter.policy_file import load_policy
from tests.integration.wired import Wired, new_contact, wired
from tests.polling import until
from workflows.escalation import Escalation
from workflows.escalation_types import EscalationState, Outcome
from workflows.policy import Policy

pytestmark = pytest.mark.integration

T = TypeVar("T")

NOBODY_ONLINE = Policy.model_validate(
    {"name": "supervisors-only", "steps": [{"assign": {"team": "Supervisors", "only_online": True}}]}
)
"""Sam, the only supervisor, is online in the sandbox but nobody told routing."""


async def handoff(dev_server: Any, *args: str, task_queue: str | None = None) -> Result:
    """Run a `handoff` command in a thread of its own (it runs its own event loop), as a user would."""
    env = {"TEMPORAL_ADDRESS": dev_server.client.service_client.config.target_host, "TEMPORAL_NAMESPACE": "default"}
    if task_queue:
        env["HANDOFF_TASK_QUEUE"] = task_queue
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)


async def opened(w: Wired, contact: int, step: str) -> EscalationState:
    """The customer writes; return the escalation's state once its step mentions ``step``."""
    await w.post(f"/sandbox/contacts/{contact}/customer-message", text="Hello?", firstName="Pat")

    async def reached() -> EscalationState | None:
        try:
            state = await w.handle(contact).query(Escalation.state)
        except Exception:  # the webhook has not started it yet
            return None
        return state if step in state.step else None

    return await until(reached, f"the escalation reached {step!r}")


async def test_list_show_cancel_and_a_finished_escalation(dev_server, tmp_path):
    async with wired(dev_server, tmp_path, load_policy()) as w:
        contact = new_contact()
        state = await opened(w, contact, "wait")
        workflow_id = escalation_workflow_id(contact)

        async def listed_row() -> str | None:
            listed = await handoff(dev_server, "escalation", "list", "--status", "waiting", "--limit", "1000")
            assert listed.exit_code == 0, listed.output
            return next((line for line in listed.stdout.splitlines() if workflow_id in line), None)

        row = await until(listed_row, "the escalation listed")  # piped: one line per escalation, however wide
        assert f"{state.deadline:%Y-%m-%d %H:%M:%S}" in row and "alice@example.com" in row and "waiting" in row

        shown = await handoff(dev_server, "escalation", "show", str(contact))
        assert shown.exit_code == 0, shown.output
        assert "step: steps.1: wait 15m" in shown.stdout
        assert f"deadline: {state.deadline:%Y-%m-%d %H:%M:%S} UTC" in shown.stdout

        cancelled = await handoff(dev_server, "escalation", "cancel", str(contact), "--reason", "handled by phone")
        assert cancelled.exit_code == 0 and "Handoff takes no further action" in cancelled.stdout
        await w.handle(contact).result()

        shown = await handoff(dev_server, "escalation", "show", str(contact))
        assert shown.exit_code == 0, shown.output
        assert "outcome: cancelled (cancelled by an operator: handled by phone)" in shown.stdout
        assert "Alice Ng" in shown.stdout and "the policy names this user" in shown.stdout
        for command in ("cancel", "escalate-now"):
            refused = await handoff(dev_server, "escalation", command, str(contact), "--reason", "again")
            assert refused.exit_code == 1
            assert "has finished: cancelled (cancelled by an operator: handled by phone)" in refused.output


async def test_an_escalate_now_reason_reaches_the_outcome_the_comment_and_show(dev_server, tmp_path):
    async with wired(dev_server, tmp_path, load_policy()) as w:
        contact = new_contact()
        await opened(w, contact, "wait")
        now = await handoff(dev_server, "escalation", "escalate-now", str(contact), "--reason", "VIP customer")
        assert now.exit_code == 0 and "the current wait ends now" in now.stdout, now.output
        result = await w.handle(contact).result()
        assert result.outcome == Outcome.ESCALATED
        assert result.detail.endswith("; an operator ended the wait early: VIP customer"), result.detail
        [comment] = (await w.world(contact))["comments"]
        assert "No reply from Alice Ng in " in comment["text"]
        assert "(cut short by an operator: VIP customer); reassigned to" in comment["text"]
        shown = await handoff(dev_server, "escalation", "show", str(contact))
        assert f"outcome: escalated ({result.detail})" in shown.stdout


async def test_nobody_online_is_visible_where_an_operator_looks(dev_server, tmp_path):
    async with wired(dev_server, tmp_path, NOBODY_ONLINE) as w:
        contact = new_contact()
        state = await opened(w, contact, "nobody eligible")
        assert "Sam Patel (offline)" in state.step
        shown = await handoff(dev_server, "escalation", "show", str(contact))
        assert "Sam Patel (offline)" in shown.stdout and "`handoff agent online AGENT_ID`" in shown.stdout

        queue = (await w.handle(contact).describe()).task_queue
        for tier_2 in ("201", "202", "203"):
            assert (await handoff(dev_server, "agent", "offline", tier_2, task_queue=queue)).exit_code == 0
        agents = await handoff(dev_server, "agent", "list", task_queue=queue)
        assert agents.exit_code == 0, agents.output
        assert "Nobody is online" in agents.stdout and "`handoff agent online AGENT_ID`" in agents.stdout

        online = await handoff(dev_server, "agent", "online", "301", task_queue=queue)
        assert online.exit_code == 0, online.output
        result = await w.handle(contact).result()  # the roster wakes the waiting escalation
        assert result.outcome == Outcome.COMPLETED and result.assignee and result.assignee.id == 301


async def test_no_escalation_and_unknown_statuses_are_refused_clearly(dev_server):
    contact = str(new_contact())
    for command in (
        ["show", contact],
        ["cancel", contact, "--reason", "x"],
        ["escalate-now", contact, "--reason", "x"],
    ):
        refused = await handoff(dev_server, "escalation", *command)
        assert refused.exit_code == 1 and f"contact {contact} has no escalation" in refused.output
    bogus = await handoff(dev_server, "escalation", "list", "--status", "bogus")
    assert bogus.exit_code == 2
    assert "'bogus' is not a status" in bogus.output and "waiting_for_agent" in bogus.output
    described = await handoff(dev_server, "escalation", "list", "--help")
    assert "reassigned_by_human" in described.output and "no_eligible_agent" in described.output
