"""Rendering a policy's template into respond.io's internal comment (or a message to the customer)."""

from workflows.policy_templates import COMMENT_MAX_CHARS


def render_comment(template: str, variables: dict[str, object], limit: int = COMMENT_MAX_CHARS) -> str:
    """Fill the template (its variables were checked when the policy loaded) within respond.io's limit."""
    text = template.format_map(variables)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
