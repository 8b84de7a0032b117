"""Logs: one line per event naming its escalation, plain or JSON, and never a configured secret."""

import json
import logging

import pytest

from models.ids import escalation_workflow_id
from starter.escalations import operate
from starter.logs import REDACTED, about_contact, configure_logging
from starter.policy_file import load_policy
from tests.integration.wired import new_contact, wired
from worker.settings import Settings
from workflows.escalation import Escalation

TOKEN, KEY_1, KEY_2, API_TOKEN = "tok-3f9a7c1e", "whk-one-81d2", "whk-two-5be0", "api-c0ffee42"


@pytest.fixture
def logs(capsys):
    """Configure logging as a command does; yield a reader of what reached stderr (``logging_restored`` in
    tests/conftest.py puts everything back)."""

    def configure(**settings: object) -> None:
        configure_logging(Settings(respondio_token=TOKEN, webhook_keys=[KEY_1, KEY_2], api_token=API_TOKEN, **settings))
        capsys.readouterr()

    yield configure, lambda: capsys.readouterr().err


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_a_secret_logged_on_purpose_never_appears(logs, log_format):
    configure, read = logs
    configure(log_format=log_format)
    log = logging.getLogger("handoff.test")
    log.warning("token %s and keys %s", TOKEN, [KEY_1, KEY_2])
    try:
        raise RuntimeError(f"refused Bearer {API_TOKEN}")
    except RuntimeError:
        log.exception("call failed")
    output = read()
    assert "handoff.test" in output and "call failed" in output and "RuntimeError" in output
    for secret in (TOKEN, KEY_1, KEY_2, API_TOKEN):
        assert secret not in output
    assert output.count(REDACTED) == 4


def test_json_lines_carry_the_escalation_fields(logs):
    configure, read = logs
    configure(log_format="json")
    logging.getLogger("handoff.receiver").info("Signalled %s", "message_sent", extra=about_contact(4242))
    logging.getLogger("temporalio.workflow").info(
        "Assigned to Alice Ng",
        extra={
            "temporal_workflow": {"workflow_id": "handoff-contact-7", "run_id": "run-1", "workflow_type": "X"},
            "contact_id": 7,
            "step": "steps.0: assign to user alice@example.com",
        },
    )
    logging.getLogger("temporalio.activity").info(
        "Contact 7: comment posted",
        extra={
            "temporal_activity": {
                "workflow_id": "handoff-contact-7",
                "workflow_run_id": "run-1",
                "activity_type": "post_comment",
            }
        },
    )
    receiver, in_workflow, in_activity = (json.loads(line) for line in read().splitlines())
    assert receiver["message"] == "Signalled message_sent" and receiver["level"] == "INFO"
    assert (receiver["contact_id"], receiver["workflow_id"]) == (4242, "handoff-contact-4242")
    assert in_workflow["step"] == "steps.0: assign to user alice@example.com"
    assert (in_workflow["contact_id"], in_workflow["workflow_id"], in_workflow["run_id"]) == (
        7,
        "handoff-contact-7",
        "run-1",
    )
    assert (in_activity["contact_id"], in_activity["run_id"], in_activity["activity"]) == (7, "run-1", "post_comment")


def test_plain_lines_end_with_the_fields_for_people(logs):
    configure, read = logs
    configure()
    extra = about_contact(4242) | {"step": "steps.1: wait 15m"}
    logging.getLogger("handoff.receiver").info("Opening %s: escalation started", "1790000000000", extra=extra)
    [line] = read().splitlines()
    assert line.endswith(
        "INFO handoff.receiver: Opening 1790000000000: escalation started "
        '[contact_id=4242 workflow_id=handoff-contact-4242 step="steps.1: wait 15m"]'
    )


def test_the_format_and_level_are_validated(monkeypatch):
    monkeypatch.setenv("HANDOFF_LOG_FORMAT", "xml")
    monkeypatch.setenv("HANDOFF_LOG_LEVEL", "debug")
    with pytest.raises(ValueError, match="log_format") as error:
        Settings()
    assert "log_level" not in str(error.value)
    monkeypatch.setenv("HANDOFF_LOG_FORMAT", "json")
    assert (Settings().log_format, Settings().log_level) == ("json", "DEBUG")


@pytest.mark.integration
async def test_a_real_escalation_logs_json_lines_naming_it(logs, dev_server, tmp_path):
    configure, read = logs
    configure(log_format="json")
    async with wired(dev_server, tmp_path, load_policy()) as w:
        contact = new_contact()
        await w.post(f"/sandbox/contacts/{contact}/customer-message", text="Hello?")
        await w.assigned(contact)
        handle = w.handle(contact)
        await operate(handle, Escalation.cancel, "handled by phone")
        await handle.result()
        run_id = (await handle.describe()).run_id
    lines = [json.loads(line) for line in read().splitlines()]  # every line is one JSON object
    mine = [line for line in lines if line.get("contact_id") == contact]
    assert {"handoff.receiver", "temporalio.workflow", "temporalio.activity"} <= {line["logger"] for line in mine}
    assigned = next(line for line in mine if line["message"].startswith("Assigned to Alice Ng"))
    assert assigned["workflow_id"] == escalation_workflow_id(contact) and assigned["run_id"] == run_id
    assert assigned["step"] == "steps.0: assign to user alice@example.com"
    finished = next(line for line in mine if line["message"].startswith("Finished, cancelled"))
    assert finished["step"] == "finished" and finished["run_id"] == run_id
    assert all(line["workflow_id"] == escalation_workflow_id(contact) for line in mine)
