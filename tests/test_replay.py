"""Recorded histories replay against today's workflow code: a change that would break running
workflows (non-determinism) fails here, so it must go behind ``workflow.patched``."""

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from tests.conftest import HISTORIES
from worker.build import WORKFLOWS, workflow_runner

RECORDED = sorted(HISTORIES.glob("*.json"))


def test_histories_are_recorded():
    kinds = {
        workflow.__name__: sum(f'"{workflow.__name__}"' in path.read_text() for path in RECORDED)
        for workflow in WORKFLOWS
    }
    assert all(count >= 3 for count in kinds.values()), f"record histories of every workflow: {kinds}"


@pytest.mark.parametrize("path", RECORDED, ids=lambda path: path.stem)
async def test_recorded_history_replays(path):
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter, workflow_runner=workflow_runner())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
