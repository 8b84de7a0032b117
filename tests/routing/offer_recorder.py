"""A stand-in for an escalation waiting in the roster's queue: it records every ``offered`` signal.

Its own small module, as the workflow sandbox imports a workflow's module again for every run.
"""

from temporalio import workflow

from models.agents import Choice


@workflow.defn
class OfferRecorder:
    def __init__(self) -> None:
        self._offers: list[Choice] = []

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.signal
    def offered(self, choice: Choice) -> None:
        self._offers.append(choice)

    @workflow.query
    def offers(self) -> list[Choice]:
        return self._offers
