"""The README's metrics table is Handoff's metric definitions: every name, its type, labels and meaning."""

from pathlib import Path

from tests.metrics.scrape import HANDOFF_METRICS

ROOT = Path(__file__).resolve().parents[2]
START, END = "<!-- metrics table: checked by tests/docs/test_readme_metrics.py -->", "<!-- end of metrics table -->"


def expected_table() -> str:
    rows = ["| metric | type | labels | meaning |", "|---|---|---|---|"]
    for metric in HANDOFF_METRICS:
        labels = ", ".join(f"`{label}`" for label in metric.labels)
        rows.append(f"| `{metric.exported}` | {metric.kind} | {labels} | {metric.description} |")
    return "\n".join(rows)


def test_the_readme_lists_every_metric():
    readme = (ROOT / "README.md").read_text()
    assert START in readme and END in readme, f"the README needs the metrics table between {START} and {END}"
    table = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == expected_table(), f"put this table in the README:\n{expected_table()}"
