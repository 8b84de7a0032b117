"""The templates a policy writes text with (comments, messages to the customer) and the variables they may use."""

from contextvars import ContextVar
from string import Formatter
from typing import Annotated

from pydantic import AfterValidator

COMMENT_MAX_CHARS = 1000
"""respond.io's limit for an internal comment."""

MESSAGE_MAX_CHARS = 4096
"""The longest text message a policy may send (assumed: respond.io does not document one; WhatsApp's is 4,096)."""

TEMPLATE_VARIABLES = {
    "contact_id": "the contact's respond.io id",
    "contact_name": "the contact's first and last name",
    "previous_assignee": "the agent the conversation was taken from",
    "previous_assignee_mention": "a respond.io mention of that agent",
    "assignee": "the agent the conversation is assigned to now",
    "assignee_mention": "a respond.io mention ({{@user.ID}}) of the agent assigned now",
    "waited": "how long the assignee had since the assignment, e.g. 15 min or 1 h 5 min (never less than the wait); "
    "after escalate-now, how long the wait lasted and (cut short by an operator: REASON)",
    "level": "how many times Handoff has reassigned this conversation",
    "reason": "why the routing chose the assignee",
}
"""What ``{name}`` a comment or message may contain."""

KNOWN_CALENDARS: ContextVar[frozenset[str] | None] = ContextVar("known_calendars", default=None)
"""While a policy validates: the names of its calendars, so a step naming an unknown one fails at its own path."""


def template_variables(text: str) -> set[str]:
    """The ``{name}``s a template uses (a ValueError if its braces are malformed)."""
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def checked_template(text: str) -> str:
    """The template itself if every ``{name}`` in it is known and its braces are well formed."""
    try:
        fields = template_variables(text)
    except ValueError as error:
        raise ValueError(f"the template is malformed ({error}); write a literal brace as {{{{ or }}}}") from error
    unknown = sorted(fields - TEMPLATE_VARIABLES.keys())
    if unknown:
        raise ValueError(f"unknown variable {{{unknown[0]}}}; known: {', '.join(sorted(TEMPLATE_VARIABLES))}")
    return text


def render_template(template: str, variables: dict[str, object], limit: int = COMMENT_MAX_CHARS) -> str:
    """Fill a template (its variables were checked when the policy loaded) within ``limit`` characters (respond.io's
    limit for a comment, by default)."""
    text = template.format_map(variables)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def checked_calendar(name: str) -> str:
    """The calendar name itself if the policy being validated defines it (outside a policy: unchecked)."""
    known = KNOWN_CALENDARS.get()
    if known is not None and name not in known:
        defined = f"the policy defines {', '.join(sorted(known))}" if known else "the policy defines no calendars"
        raise ValueError(f"unknown calendar {name!r}; {defined} (add it under calendars:)")
    return name


CalendarName = Annotated[str, AfterValidator(checked_calendar)]
"""A step's or condition's reference to one of the policy's calendars."""
