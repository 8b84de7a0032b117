"""The fault suite: its selected cases run at once (``tests.faults.cases``), and the run ends with a line each."""

from collections.abc import AsyncIterator

import pytest

from tests.faults.cases import SUMMARIES, Cases


@pytest.fixture(scope="session")
async def fault_cases(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cases]:
    selected = [getattr(item, "module", None) for item in request.session.items if item.get_closest_marker("faults")]
    cases = Cases(
        list(dict.fromkeys(module.CASE for module in selected if hasattr(module, "CASE"))),
        tmp_path_factory.mktemp("faults"),
    )
    yield cases
    await cases.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SUMMARIES:
        terminalreporter.section("fault cases")
        for line in SUMMARIES:
            terminalreporter.write_line(line)
