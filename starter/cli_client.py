"""Running one CLI action against Temporal, with failures turned into messages that say what to do."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import FailureError
from temporalio.service import RPCError

from starter.console import fail
from worker.connection import TemporalUnreachable, connect
from worker.settings import settings

T = TypeVar("T")


class Refused(Exception):
    """The action cannot be done; the message says why, and what to do instead."""


def run_with_client(action: Callable[[Client], Awaitable[T]]) -> T:
    """Connect, run the action, and turn the usual failures into messages that say what to do."""

    async def go() -> T:
        return await action(await connect(settings()))

    try:
        return asyncio.run(go())
    except (TemporalUnreachable, Refused) as error:
        raise fail(str(error)) from error
    except RPCError as error:
        raise fail(f"Temporal refused the request ({error.status.name}): {error.message}") from error
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        raise fail(str(cause.message if isinstance(cause, FailureError) else error)) from error
