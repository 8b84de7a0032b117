"""How the activities' failures reach Temporal: respond.io errors as retryable or not, and the two endings the
escalation workflow tells apart (``models.api_errors``)."""

import functools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import ParamSpec, TypeVar

import httpx
from temporalio.exceptions import ApplicationError

from activities.respondio import RespondIOError
from models.agents import Agent
from models.api_errors import CONVERSATION_CLOSED, TAKEN_BY_A_PERSON

_P = ParamSpec("_P")
_R = TypeVar("_R")


def as_application_errors(call: Callable[_P, Awaitable[_R]]) -> Callable[_P, Awaitable[_R]]:
    """Turn respond.io failures into ``ApplicationError``s that tell Temporal whether and when to retry."""

    @functools.wraps(call)
    async def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return await call(*args, **kwargs)
        except RespondIOError as error:
            raise ApplicationError(
                str(error),
                type=type(error).__name__,
                non_retryable=not error.retryable,
                next_retry_delay=timedelta(seconds=error.retry_after) if error.retry_after is not None else None,
            ) from error
        except httpx.TransportError as error:
            raise ApplicationError(
                f"Could not reach respond.io ({type(error).__name__}: {str(error) or 'no details'}). Check"
                " HANDOFF_RESPONDIO_BASE_URL, HANDOFF_RESPONDIO_TIMEOUT and the network; the activity is retried.",
                type="RespondIOUnreachable",
            ) from error

    return wrapper


def conversation_closed() -> ApplicationError:
    return ApplicationError("the conversation was closed", type=CONVERSATION_CLOSED, non_retryable=True)


def taken_by_a_person(assignee: Agent) -> ApplicationError:
    who = assignee.name or f"user {assignee.id}"
    return ApplicationError(f"a person assigned it to {who}", type=TAKEN_BY_A_PERSON, non_retryable=True)
