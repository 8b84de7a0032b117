"""What the benchmark needs of a flow under test, whichever it is (Handoff, or the bare Temporal flow)."""

from typing import Protocol

from temporalio.client import Client

from bench.inbox import BenchInbox


class Flow(Protocol):
    """A flow running on its own Temporal dev server and sandbox inbox, ready to take conversations."""

    name: str
    workflow_type: str
    """The workflow type of its escalations, to count the running ones."""
    client: Client
    inbox: BenchInbox
    pids: dict[str, int]
    """The processes whose memory is reported: ``worker`` and ``server``."""

    async def open(self, contact_id: int) -> float | None:
        """A customer opens a conversation and the flow is told; the seconds its timed answer took, if any."""
        ...

    def workflow_id(self, contact_id: int) -> str: ...

    async def lateness(self, contact_id: int) -> float | None:
        """Seconds the reassignment came after the wait ended; None unless the run ended reassigned."""
        ...
