"""The roster alone with stand-in escalations (``OfferRecorder``), and what its history says it offered."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from models.agents import Choice, ChoiceRequest
from models.ids import escalation_workflow_id
from roster.client import RosterClient
from roster.state import RosterConfig
from roster.workflow import Roster
from tests.routing.offer_recorder import OfferRecorder
from tests.routing.world import (
    SUPPORT,
    TEAM,
    fresh_queue,
    list_agents_returning,
    open_conversations_returning,
    running_roster,
)
from worker.build import workflow_runner

STARTS_AT_ONCE = 50
"""Stand-ins started concurrently: enough to be quick, few enough not to swamp a small machine."""


@dataclass
class RosterAlone:
    """A task queue served by the roster and the stand-ins, and its roster's handle."""

    client: Client
    queue: str
    handle: WorkflowHandle
    roster: RosterClient

    async def stand_in_for(self, contacts: list[int]) -> None:
        """Start a recorder under each contact's escalation id; they end by themselves within the hour."""
        for at in range(0, len(contacts), STARTS_AT_ONCE):
            await asyncio.gather(
                *(
                    self.client.start_workflow(
                        OfferRecorder.run,
                        id=escalation_workflow_id(contact_id),
                        task_queue=self.queue,
                        execution_timeout=timedelta(hours=1),
                    )
                    for contact_id in contacts[at : at + STARTS_AT_ONCE]
                )
            )

    async def offers_to(self, contact_id: int) -> list[Choice]:
        return await self.client.get_workflow_handle(escalation_workflow_id(contact_id)).query(OfferRecorder.offers)

    async def histories(self) -> list[list]:
        """The events of each run of the roster so far, following continue-as-new from the first run."""
        runs, run_id = [], self.handle.first_execution_run_id
        while run_id:
            events = (await self.client.get_workflow_handle(self.handle.id, run_id=run_id).fetch_history()).events
            runs.append(events)
            last = events[-1]
            continued = last.HasField("workflow_execution_continued_as_new_event_attributes")
            run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id if continued else ""
        return runs

    async def offers_made(self) -> list[tuple[int, int]]:
        """(contact, agent) of every ``offered`` signal the roster sent, in the order it sent them."""
        made = []
        for events in await self.histories():
            for event in events:
                if event.HasField("signal_external_workflow_execution_initiated_event_attributes"):
                    sent = event.signal_external_workflow_execution_initiated_event_attributes
                    (choice,) = pydantic_data_converter.payload_converter.from_payloads(sent.input.payloads, [Choice])
                    contact_id = int(sent.workflow_execution.workflow_id.rsplit("-", 1)[1])
                    made.append((contact_id, choice.agent.id))
        return made


@asynccontextmanager
async def roster_alone(
    env, config: RosterConfig, assigned: dict[int, list[int]] | None = None
) -> AsyncIterator[RosterAlone]:
    """A worker running the roster (agents: ``SUPPORT``; respond.io's open conversations: ``assigned``) and the
    stand-ins, and a roster started with ``config``, known agents and all; cancelled afterwards."""
    queue = fresh_queue("alone")
    activities = [list_agents_returning(SUPPORT), open_conversations_returning({} if assigned is None else assigned)]
    async with (
        Worker(
            env.client,
            task_queue=queue,
            workflows=[Roster, OfferRecorder],
            activities=activities,
            workflow_runner=workflow_runner(),
        ),
        running_roster(env.client, queue, config) as handle,
    ):
        yield RosterAlone(env.client, queue, handle, RosterClient(env.client, queue, config))


def ask(contact_id: int, **options: object) -> ChoiceRequest:
    """A queueing request for the team's online agents, as the escalation's take makes it."""
    return ChoiceRequest(contact_id=contact_id, team=TEAM, only_online=True, queue=True, **options)
