"""The Grafana dashboard docker-compose.yml provisions, and the metric names its queries use."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "handoff-dashboard.json"
_METRIC = re.compile(r"\b(?:handoff|temporal)_[a-z0-9_]+\b")


def queries() -> list[str]:
    """Every PromQL expression of the dashboard: its panels' and its variables'."""
    board = json.loads(DASHBOARD.read_text())
    panels = [target["expr"] for panel in board["panels"] for target in panel.get("targets", [])]
    variables = [variable["definition"] for variable in board.get("templating", {}).get("list", [])]
    return panels + variables


def metric_names() -> set[str]:
    """The sample names the dashboard reads (``..._bucket`` of a histogram, ``..._total`` of a counter)."""
    return {name for query in queries() for name in _METRIC.findall(query)}
