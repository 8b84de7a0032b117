"""A stand-in for an escalation whose agent may go offline: it records every ``assignee_offline`` signal.

Its own small module, as the workflow sandbox imports a workflow's module again for every run.
"""

from datetime import datetime

from temporalio import workflow

from models.agents import AgentWentOffline
from models.base import Frozen


class Heard(Frozen):
    """An ``assignee_offline`` signal and when, on the workflow clock, the stand-in received it."""

    news: AgentWentOffline
    received_at: datetime


@workflow.defn
class OfflineRecorder:
    def __init__(self) -> None:
        self._heard: list[Heard] = []

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.signal
    def assignee_offline(self, news: AgentWentOffline) -> None:
        self._heard.append(Heard(news=news, received_at=workflow.now()))

    @workflow.query
    def heard(self) -> list[Heard]:
        return self._heard
