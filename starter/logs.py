"""Logging for every ``handoff`` process: one line per event, plain for people or JSON for log collectors.

A line names the escalation it is about (contact id, workflow id, run id, step) whenever that is known:
Temporal's SDK puts the workflow's and the activity's details on records of ``workflow.logger`` and
``activity.logger``, and Handoff's code adds the contact and the step as ``extra``. The settings' secrets
never reach the output, whatever a message holds: a last line of defence, as the settings keep them masked.
"""

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

from temporalio import activity, workflow

from models.ids import contact_of, escalation_workflow_id
from worker.settings import Settings

FIELDS = ("contact_id", "workflow_id", "run_id", "step", "activity")
"""What a line may say about the escalation it concerns, in this order."""
REDACTED = "[redacted]"
_HANDLER_NAME = "handoff"


def about_contact(contact_id: int) -> dict[str, object]:
    """The ``extra`` of a line about a contact's escalation."""
    return {"contact_id": contact_id, "workflow_id": escalation_workflow_id(contact_id)}


def configure_logging(settings: Settings) -> None:
    """Send every record to stderr in the configured format, with the settings' secrets removed."""
    redact = Redactor(
        [
            *(key.get_secret_value() for key in settings.webhook_keys),
            *(secret.get_secret_value() for secret in (settings.respondio_token, settings.api_token) if secret),
        ]
    )
    handler = _StderrHandler()
    handler.name = _HANDLER_NAME
    handler.setFormatter(JsonFormatter(redact) if settings.log_format == "json" else PlainFormatter(redact))
    root = logging.getLogger()
    for previous in [h for h in root.handlers if h.name == _HANDLER_NAME]:  # a command run again in one process
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request drowns everything else
    # The formatters show the SDK's workflow and activity details as fields, not appended to the message.
    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False


def context(record: logging.LogRecord) -> dict[str, object]:
    """What the record says about its escalation: Handoff's extras first, then the Temporal SDK's details."""
    in_workflow = getattr(record, "temporal_workflow", None) or {}
    in_activity = getattr(record, "temporal_activity", None) or {}
    found: dict[str, object] = {
        "workflow_id": in_workflow.get("workflow_id") or in_activity.get("workflow_id"),
        "run_id": in_workflow.get("run_id") or in_activity.get("workflow_run_id"),
        "activity": in_activity.get("activity_type"),
    }
    found |= {name: getattr(record, name) for name in FIELDS if getattr(record, name, None) is not None}
    workflow_id = found.get("workflow_id")
    if found.get("contact_id") is None and isinstance(workflow_id, str):
        found["contact_id"] = contact_of(workflow_id)
    return {name: found[name] for name in FIELDS if found.get(name) is not None}


class Redactor:
    """Replaces every secret in a text; the longest first, so one secret inside another leaves nothing."""

    def __init__(self, secrets: Iterable[str]):
        self._secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


class PlainFormatter(logging.Formatter):
    """``time LEVEL logger: message [contact_id=… workflow_id=… run_id=… step="…"]``, then any traceback."""

    def __init__(self, redact: Redactor):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self._redact = redact

    def formatMessage(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{name}={_plain(value)}" for name, value in context(record).items())
        line = super().formatMessage(record)
        return f"{line} [{fields}]" if fields else line

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the escalation's fields, any exception."""

    def __init__(self, redact: Redactor):
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **context(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # Redact the values, not the encoded line: JSON escaping could hide a secret from a plain search.
        redacted = {name: self._redact(value) if isinstance(value, str) else value for name, value in entry.items()}
        return json.dumps(redacted, ensure_ascii=False, default=str)


def _plain(value: object) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if not text or any(c.isspace() or c in '"[]' for c in text) else text


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is when a line is written (a test's command runner swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)
