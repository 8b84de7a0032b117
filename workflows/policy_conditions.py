"""A branch's conditions, in respond.io's vocabulary: each tests one thing, checked when the branch runs."""

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from models.durations import Duration
from workflows.policy_templates import CalendarName


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeSince(_Model):
    """How long ago something happened: ``more_than`` or ``less_than`` a duration (exactly one)."""

    more_than: Duration | None = None
    less_than: Duration | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> "TimeSince":
        if (self.more_than is None) == (self.less_than is None):
            raise ValueError("say exactly one of more_than: or less_than:, e.g. {more_than: 10m}")
        bound = self.more_than if self.more_than is not None else self.less_than
        if bound is not None and bound <= timedelta(0):
            raise ValueError("the duration must be longer than zero")
        return self

    def holds(self, elapsed: timedelta) -> bool:
        return elapsed > self.more_than if self.more_than is not None else elapsed < (self.less_than or timedelta(0))


class AnyAllNone(_Model):
    """A list test: ``any_of``, ``all_of`` or ``none_of`` the given values (exactly one)."""

    any_of: list[str] | None = Field(default=None, min_length=1, max_length=50)
    all_of: list[str] | None = Field(default=None, min_length=1, max_length=50)
    none_of: list[str] | None = Field(default=None, min_length=1, max_length=50)

    @model_validator(mode="after")
    def _one_test(self) -> "AnyAllNone":
        if [self.any_of, self.all_of, self.none_of].count(None) != 2:
            raise ValueError("say exactly one of any_of:, all_of: or none_of:")
        return self

    @field_validator("any_of", "all_of", "none_of", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        """One value may stand alone; a number (a channel id) is compared as its digits."""
        values = [value] if isinstance(value, str | int) else value
        if isinstance(values, list):
            return [str(item) if isinstance(item, int) and not isinstance(item, bool) else item for item in values]
        return values

    @field_validator("any_of", "all_of", "none_of")
    @classmethod
    def _not_blank(cls, values: list[str] | None) -> list[str] | None:
        if values is not None and any(not value.strip() for value in values):
            raise ValueError("a value must not be empty")
        return values

    def holds(self, present: set[str]) -> bool:
        """Whether the values present (compared case-insensitively, as respond.io compares tags) pass the test."""
        have = {value.casefold() for value in present}
        if self.any_of is not None:
            return any(value.casefold() in have for value in self.any_of)
        if self.all_of is not None:
            return all(value.casefold() in have for value in self.all_of)
        return not any(value.casefold() in have for value in self.none_of or [])


CONDITION_KINDS = (
    "conversation_status",
    "no_reply_since_assignment",
    "within_hours",
    "last_incoming_message",
    "contact_tag",
    "channel",
    "assignee_online",
)


class Condition(_Model):
    """One test of the conversation, checked against the respond.io API (or the roster, or a calendar) when the
    branch runs."""

    conversation_status: Literal["open", "closed"] | None = None
    no_reply_since_assignment: bool | None = None
    within_hours: CalendarName | None = Field(default=None, description="a calendar of the policy: true while open")
    last_incoming_message: TimeSince | None = Field(
        default=None, description="time since the customer's latest message; a conversation without one fails it"
    )
    contact_tag: AnyAllNone | None = None
    channel: AnyAllNone | None = Field(
        default=None, description="the channel of the customer's latest message, by name, source or id"
    )
    assignee_online: bool | None = Field(default=None, description="whether the roster counts the assignee online")

    @model_validator(mode="after")
    def _exactly_one(self) -> "Condition":
        if [getattr(self, kind) for kind in CONDITION_KINDS].count(None) != len(CONDITION_KINDS) - 1:
            raise ValueError(f"a condition tests exactly one thing: one of {', '.join(CONDITION_KINDS)}")
        return self

    @property
    def kind(self) -> str:
        return next(kind for kind in CONDITION_KINDS if getattr(self, kind) is not None)

    @property
    def needs_incoming(self) -> bool:
        """Whether checking it needs the customer's latest message (a costlier read)."""
        return self.last_incoming_message is not None or self.channel is not None
