"""`handoff bench --quick` runs both flows end to end and reports figures; timings are printed, never asserted."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration


def test_the_quick_run_reports_both_flows_with_nothing_lost():
    run = subprocess.run(
        [sys.executable, "-m", "starter", "bench", "--quick", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)

    rates = {row["flow"]: row for row in report["rates"]}
    assert set(rates) == {"handoff", "bare"}
    for row in rates.values():
        assert row["opened"] > 0 and row["failed_openings"] == 0
        assert row["finished"] == row["opened"] and row["lost"] == 0
        assert row["duplicate_comments"] == 0
        assert row["lateness"] is not None and row["events_per_escalation"] > 0
        assert row["activities_per_escalation"] > 0 and row["worker_rss_mb"] > 0 and row["server_rss_mb"] > 0
    assert rates["handoff"]["webhook"] is not None

    holds = {row["flow"]: row for row in report["holds"]}
    assert set(holds) == {"handoff", "bare"}
    for row in holds.values():
        assert row["running"] == row["assigned"] == row["held"] > 0 and row["lost"] == 0
