"""The escalation policy: what operators write in YAML and what the workflow interprets.

The models mirror respond.io's workflow builder (Assign To, Wait, Branch, Add Comment) so a
policy reads like the builder's flow. Every model forbids unknown fields, so a typo is an
error with its path rather than a silently ignored setting.
"""

from datetime import timedelta
from string import Formatter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from models.durations import Duration

Source = Literal["user", "contact", "workflow", "api", "zapier", "make", "ctc_ads"]
"""Who opened a conversation, as respond.io reports it."""

COMMENT_MAX_CHARS = 1000
"""respond.io's limit for an internal comment."""

COMMENT_VARIABLES = {
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


def _contact_only() -> list[Source]:
    return ["contact"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Trigger(_Model):
    """Which opened conversations get an escalation."""

    event: Literal["conversation.opened"] = "conversation.opened"
    sources: list[Source] = Field(default_factory=_contact_only, min_length=1)


class AssignTimeout(_Model):
    """How long an assign step may look for an eligible agent, and what runs when it gives up."""

    after: Duration = timedelta(days=7)
    steps: list["Step"] = Field(default_factory=list)

    @field_validator("after")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("the timeout must be longer than zero")
        return value


class Assign(_Model):
    """Assign the conversation to one user, or to a user of a team or of the whole workspace."""

    user: str | int | None = Field(default=None, description="email or respond.io user id")
    team: str | None = None
    workspace: bool = False
    logic: Literal["round_robin", "least_open"] | None = Field(default=None, description="default round_robin")
    only_online: bool = False
    max_open: int | None = Field(default=None, ge=1)
    timeout: AssignTimeout = Field(default_factory=AssignTimeout)

    @model_validator(mode="after")
    def _one_target(self) -> "Assign":
        targets = [name for name in ("user", "team", "workspace") if getattr(self, name)]
        if len(targets) != 1:
            raise ValueError("say exactly one of user, team or workspace: true")
        if self.user is not None:
            pool_options = [n for n in ("logic", "only_online", "max_open") if getattr(self, n) not in (None, False)]
            if pool_options:
                raise ValueError(f"{', '.join(pool_options)} apply to a team or the workspace, not to one user")
        return self

    @property
    def strategy(self) -> str:
        return self.logic or "round_robin"

    def describe(self) -> str:
        if self.user is not None:
            return f"user {self.user}"
        return f"team {self.team}" if self.team else "the workspace"


class Condition(_Model):
    """One test of the conversation, checked against the respond.io API when the branch runs."""

    conversation_status: Literal["open", "closed"] | None = None
    no_reply_since_assignment: bool | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "Condition":
        if [self.conversation_status, self.no_reply_since_assignment].count(None) != 1:
            raise ValueError("a condition tests one thing: conversation_status or no_reply_since_assignment")
        return self


class Branch(_Model):
    """Run ``then`` when all (or any) conditions hold, ``else`` otherwise."""

    all: list[Condition] | None = Field(default=None, min_length=1, max_length=10)
    any: list[Condition] | None = Field(default=None, min_length=1, max_length=10)
    then: list["Step"] = Field(default_factory=list)
    else_: list["Step"] = Field(default_factory=list, alias="else")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True)

    @model_validator(mode="after")
    def _all_or_any(self) -> "Branch":
        if (self.all is None) == (self.any is None):
            raise ValueError("a branch has either all: or any: conditions, not both and not neither")
        return self

    @property
    def conditions(self) -> list[Condition]:
        return self.all if self.all is not None else self.any or []


class Step(_Model):
    """One step of a policy: exactly one of assign, wait, branch or comment."""

    assign: Assign | None = None
    wait: Duration | None = None
    branch: Branch | None = None
    comment: str | None = Field(default=None, min_length=1, max_length=COMMENT_MAX_CHARS)

    @model_validator(mode="after")
    def _exactly_one(self) -> "Step":
        kinds = [kind for kind in ("assign", "wait", "branch", "comment") if getattr(self, kind) is not None]
        if len(kinds) != 1:
            raise ValueError("a step is exactly one of assign:, wait:, branch: or comment:")
        return self

    @field_validator("wait")
    @classmethod
    def _positive_wait(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value <= timedelta(0):
            raise ValueError("a wait must be longer than zero")
        return value

    @field_validator("comment")
    @classmethod
    def _known_variables(cls, text: str | None) -> str | None:
        if text is None:
            return None
        try:
            fields = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
        except ValueError as error:
            raise ValueError(
                f"the comment template is malformed ({error}); write a literal brace as {{{{ or }}}}"
            ) from error
        unknown = sorted(fields - COMMENT_VARIABLES.keys())
        if unknown:
            raise ValueError(f"unknown variable {{{unknown[0]}}}; known: {', '.join(sorted(COMMENT_VARIABLES))}")
        return text


class Policy(_Model):
    """A named escalation flow: which conversations it applies to and the steps it runs."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.-]*$")
    trigger: Trigger = Field(default_factory=Trigger)
    steps: list[Step] = Field(min_length=1)


AssignTimeout.model_rebuild()
Branch.model_rebuild()
