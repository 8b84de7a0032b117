"""The short policy the integration tests run: Alice → wait → (open, no reply) Tier 2 round robin → comment."""

from workflows.policy import Policy

COMMENT = "No reply from {previous_assignee} in {waited}; reassigned to {assignee}."


def quick_policy(name: str, wait: str, comment: str = COMMENT) -> Policy:
    return Policy.model_validate(
        {
            "name": name,
            "steps": [
                {"assign": {"user": "alice@example.com"}},
                {"wait": wait},
                {
                    "branch": {
                        "all": [{"conversation_status": "open"}, {"no_reply_since_assignment": True}],
                        "then": [
                            {"assign": {"team": "Tier 2", "only_online": True}},
                            {"comment": comment},
                        ],
                    }
                },
            ],
        }
    )
