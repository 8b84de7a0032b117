"""How an escalation calls respond.io: the retry options, and what a failure that retrying cannot mend means.

Shared by every version of the escalation workflow; changing an option changes running workflows' behaviour.
"""

from datetime import timedelta
from typing import TypedDict

from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from models.api_errors import CONVERSATION_CLOSED, TAKEN_BY_A_PERSON, UNAUTHORIZED
from workflows.escalation_types import Outcome


class ActivityOptions(TypedDict):
    """The options every respond.io activity call passes to ``execute_activity_method`` (or the local one)."""

    start_to_close_timeout: timedelta
    retry_policy: RetryPolicy


API_CALL = ActivityOptions(
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1)),
)
SURFACING_A_REFUSED_TOKEN = ActivityOptions(
    start_to_close_timeout=API_CALL["start_to_close_timeout"],
    retry_policy=RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(minutes=1),
        non_retryable_error_types=[UNAUTHORIZED],
    ),
)
"""Every other failure is retried as before; a refused token comes back to the workflow, which says it is blocked."""
WHILE_BLOCKED = ActivityOptions(
    start_to_close_timeout=API_CALL["start_to_close_timeout"],
    retry_policy=RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=1)),
)
"""Blocked: the same call again, at least once a minute (retries add no history), until the token works."""

LOST = {"closed", "reassigned"}
"""Evidence that the conversation is no longer Handoff's to assign."""


class Finished(Exception):
    """Unwinds the step interpreter when the escalation has nothing left to do."""

    def __init__(self, outcome: Outcome, detail: str):
        self.outcome = outcome
        self.detail = detail


CallFailure = ActivityError | ApplicationError
"""How a respond.io call fails in workflow code: an activity's error wraps the cause; a local activity's may be it."""
CALL_FAILURES = (ActivityError, ApplicationError)
"""``CallFailure`` as ``except`` takes it."""


def _cause(error: CallFailure) -> BaseException | None:
    return error.cause if isinstance(error, ActivityError) else error


def ending_for(error: CallFailure) -> Finished:
    """The outcome of a respond.io call that failed for good, in words."""
    cause = _cause(error)
    if isinstance(cause, ApplicationError) and cause.type == CONVERSATION_CLOSED:
        return Finished(Outcome.CLOSED, "the conversation was closed")
    if isinstance(cause, ApplicationError) and cause.type == TAKEN_BY_A_PERSON:
        return Finished(Outcome.REASSIGNED_BY_HUMAN, f"{cause.message}; left as it is")
    reason = cause.message if isinstance(cause, ApplicationError) else str(cause or error)
    return Finished(Outcome.FAILED, f"respond.io refused a call for good: {reason}")


def refused_token(error: CallFailure) -> bool:
    cause = _cause(error)
    return isinstance(cause, ApplicationError) and cause.type == UNAUTHORIZED
