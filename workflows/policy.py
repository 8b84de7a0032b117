"""The escalation policy: what operators write in YAML and what the workflow interprets.

The models mirror respond.io's workflow builder (Assign To, Wait, Branch, Add Comment, Send a Message, Close
Conversation, Add Tag, Remove Tag) so a policy reads like the builder's flow. Every model forbids unknown fields, so
a typo is an error with its path rather than a silently ignored setting.
"""

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    ModelWrapValidatorHandler,
    Tag,
    field_validator,
    model_validator,
)

from models.durations import Duration
from workflows.calendars import Calendar
from workflows.policy_conditions import Condition
from workflows.policy_templates import (
    COMMENT_MAX_CHARS,
    KNOWN_CALENDARS,
    MESSAGE_MAX_CHARS,
    CalendarName,
    checked_template,
)

Source = Literal["user", "contact", "workflow", "api", "zapier", "make", "ctc_ads"]
"""Who opened a conversation, as respond.io reports it."""

REPEAT_MAX_TIMES = 20


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
    within_hours: CalendarName | None = Field(
        default=None, description="a calendar: outside its hours, wait until it opens"
    )
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


class BusinessWait(_Model):
    """A wait that counts only the open hours of one of the policy's calendars."""

    for_: Duration = Field(alias="for")
    calendar: CalendarName

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True)


class Close(_Model):
    """Close the conversation, as respond.io's Close Conversation step (category and summary optional)."""

    category: str | None = Field(default=None, min_length=1, max_length=128)
    summary: str | None = Field(default=None, min_length=1, max_length=512)


class Repeat(_Model):
    """Run ``steps`` ``times`` times in a row: reminders and on-call style ladders."""

    times: int = Field(ge=1, le=REPEAT_MAX_TIMES)
    steps: list["Step"] = Field(min_length=1)


WAIT_FORMS = ("duration", "business_time")
"""The forms of ``wait``, as validation errors name them after ``wait`` in a field's path."""


def _wait_form(value: object) -> str:
    return WAIT_FORMS[1] if isinstance(value, dict | BusinessWait) else WAIT_FORMS[0]


Wait = Annotated[
    Annotated[Duration, Tag(WAIT_FORMS[0])] | Annotated[BusinessWait, Tag(WAIT_FORMS[1])], Discriminator(_wait_form)
]
"""``wait: 15m``, or ``wait: {for: 15m, calendar: NAME}`` to count business time only."""

STEP_KINDS = ("assign", "wait", "branch", "comment", "message", "close", "add_tag", "remove_tag", "repeat")


class Step(_Model):
    """One step of a policy: exactly one of the ``STEP_KINDS``."""

    assign: Assign | None = None
    wait: Wait | None = None
    branch: Branch | None = None
    comment: str | None = Field(default=None, min_length=1, max_length=COMMENT_MAX_CHARS)
    message: str | None = Field(default=None, min_length=1, max_length=MESSAGE_MAX_CHARS)
    close: Close | None = None
    add_tag: list[str] | None = Field(default=None, min_length=1, max_length=10)
    remove_tag: list[str] | None = Field(default=None, min_length=1, max_length=10)
    repeat: Repeat | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "Step":
        kinds = [kind for kind in STEP_KINDS if getattr(self, kind) is not None]
        if len(kinds) != 1:
            raise ValueError(f"a step is exactly one of {', '.join(kind + ':' for kind in STEP_KINDS)}")
        return self

    @property
    def kind(self) -> str:
        """Which of the ``STEP_KINDS`` this step is."""
        return next(kind for kind in STEP_KINDS if getattr(self, kind) is not None)

    @field_validator("wait")
    @classmethod
    def _positive_wait(cls, value: timedelta | BusinessWait | None) -> timedelta | BusinessWait | None:
        length = value.for_ if isinstance(value, BusinessWait) else value
        if length is not None and length <= timedelta(0):
            raise ValueError("a wait must be longer than zero")
        return value

    @field_validator("comment", "message")
    @classmethod
    def _known_variables(cls, text: str | None) -> str | None:
        return None if text is None else checked_template(text)

    @field_validator("close", mode="before")
    @classmethod
    def _close_true(cls, value: object) -> object:
        """``close: true`` closes without a category or summary."""
        return {} if value is True else value

    @field_validator("add_tag", "remove_tag", mode="before")
    @classmethod
    def _one_or_many_tags(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("add_tag", "remove_tag")
    @classmethod
    def _tag_names(cls, tags: list[str] | None) -> list[str] | None:
        if tags is not None and any(not tag.strip() or len(tag) > 255 for tag in tags):
            raise ValueError("a tag is a name of 1 to 255 characters")
        return tags

    @property
    def wait_for(self) -> timedelta:
        """The wait's length (business time when it names a calendar)."""
        return self.wait.for_ if isinstance(self.wait, BusinessWait) else self.wait or timedelta(0)

    @property
    def wait_calendar(self) -> str | None:
        return self.wait.calendar if isinstance(self.wait, BusinessWait) else None


class RequeueWhenOffline(_Model):
    """When an agent goes offline (explicitly or by inactivity), move their conversations that have no reply since
    the assignment to an online agent: of the same team (``teams``) or of the workspace (``workspace: true``)."""

    teams: list[str] | None = Field(default=None, min_length=1)
    workspace: bool = False
    logic: Literal["round_robin", "least_open"] = "round_robin"
    max_open: int | None = Field(default=None, ge=1)
    comment: str = Field(
        default="{previous_assignee} went offline without replying; moved to {assignee} ({reason}).",
        min_length=1,
        max_length=COMMENT_MAX_CHARS,
    )

    @model_validator(mode="after")
    def _teams_or_workspace(self) -> "RequeueWhenOffline":
        if (self.teams is None) == (not self.workspace):
            raise ValueError("say teams: [...] or workspace: true")
        return self

    @field_validator("comment")
    @classmethod
    def _known_variables(cls, text: str) -> str:
        return checked_template(text)

    def covers(self, team: str | None) -> bool:
        """Whether an agent of ``team`` (None: no team) has their conversations moved."""
        return self.workspace or (team is not None and team in (self.teams or []))


class Policy(_Model):
    """A named escalation flow: which conversations it applies to and the steps it runs."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.-]*$")
    trigger: Trigger = Field(default_factory=Trigger)
    applies_to: Literal["first_assignment", "every_assignment"] = Field(
        default="first_assignment",
        description="every_assignment: a person's or a rule's reassignment restarts the flow for the new assignee",
    )
    calendars: dict[str, Calendar] = Field(default_factory=dict)
    requeue_when_offline: RequeueWhenOffline | None = None
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="wrap")
    @classmethod
    def _calendars_in_scope(cls, data: Any, handler: ModelWrapValidatorHandler["Policy"]) -> "Policy":
        """Steps that name a calendar are checked against the calendars this policy defines, at their own path."""
        names = data.get("calendars") if isinstance(data, dict) else None
        token = KNOWN_CALENDARS.set(frozenset(names) if isinstance(names, dict) else frozenset())
        try:
            return handler(data)
        finally:
            KNOWN_CALENDARS.reset(token)

    @property
    def every_assignment(self) -> bool:
        return self.applies_to == "every_assignment"

    @property
    def first_assign(self) -> int | None:
        """The index of the first top-level assign step: ``every_assignment`` runs the steps after it again for each
        new assignee (all the steps when there is none)."""
        return next((index for index, step in enumerate(self.steps) if step.assign is not None), None)

    @property
    def new_assignee_starts_at(self) -> int:
        """The index of the first step ``every_assignment`` runs again for a new assignee."""
        first = self.first_assign
        return 0 if first is None else first + 1


AssignTimeout.model_rebuild()
Branch.model_rebuild()
Repeat.model_rebuild()
