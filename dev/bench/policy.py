"""The benchmark's policy: the article's flow with teams on both levels and a wait of the benchmark's choosing."""

from pathlib import Path
from typing import Any

import yaml

from workflows.policy import Policy


def write_bench_policy(path: Path, wait_seconds: int) -> Path:
    """Tier 1 round robin → wait → branch (open, no reply) → Tier 2 round robin → comment, as a policy file."""
    document: dict[str, Any] = {
        "name": "bench",
        "trigger": {"event": "conversation.opened", "sources": ["contact"]},
        "steps": [
            {"assign": {"team": "Tier 1", "logic": "round_robin", "only_online": True}},
            {"wait": f"{wait_seconds}s"},
            {
                "branch": {
                    "all": [{"conversation_status": "open"}, {"no_reply_since_assignment": True}],
                    "then": [
                        {"assign": {"team": "Tier 2", "logic": "round_robin", "only_online": True}},
                        {"comment": "No reply from {previous_assignee} in {waited}; reassigned to {assignee_mention}."},
                    ],
                }
            },
        ],
    }
    Policy.model_validate(document)  # a mistake here is the benchmark's bug: fail before starting anything
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path
