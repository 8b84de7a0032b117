"""Rendering a policy's comment template into respond.io's internal comment."""

from workflows.policy import COMMENT_MAX_CHARS


def render_comment(template: str, variables: dict[str, object]) -> str:
    """Fill the template (its variables were checked when the policy loaded) within respond.io's limit."""
    text = template.format_map(variables)
    if len(text) > COMMENT_MAX_CHARS:
        text = text[: COMMENT_MAX_CHARS - 1] + "…"
    return text
