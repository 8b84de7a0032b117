"""Names every process agrees on: the task queue and the workflow ids derived from it."""

TASK_QUEUE = "handoff"
_ESCALATION_PREFIX = "handoff-contact-"


def escalation_workflow_id(contact_id: int) -> str:
    """One workflow id per contact: each opening of the conversation is a new run of it.

    Signals from webhooks then reach the running escalation by id alone, with no
    eventually-consistent visibility lookup; the starter keeps openings apart (see
    ``starter.escalations``).
    """
    return f"{_ESCALATION_PREFIX}{contact_id}"


def contact_of(workflow_id: str) -> int | None:
    """The contact an escalation's workflow id stands for; None for any other workflow."""
    number = workflow_id.removeprefix(_ESCALATION_PREFIX)
    return int(number) if number != workflow_id and number.isdigit() else None


def roster_workflow_id(task_queue: str) -> str:
    """One roster per task queue: every worker on the queue shares its presence, load and turns."""
    return f"handoff-roster-{task_queue}"
