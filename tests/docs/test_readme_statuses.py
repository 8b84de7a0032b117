"""The README lists every status an escalation can have (`HandoffStatus`, `handoff escalation list --status`)."""

from pathlib import Path

from workflows.escalation_types import STATUSES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_status():
    statuses = README.read_text().split("`HandoffStatus` (`--status`", 1)[1].split("\n\n", 2)[1]
    missing = [status for status in STATUSES if f"`{status}`" not in statuses]
    assert not missing, f"add these statuses to the README's status table: {missing}"
