"""``POST /v2/contact/list``'s body, validated strictly (``StrictBody``, the base of every ``/v2`` body), and its
filter as SQL over the contacts table.

respond.io's filter is ``{"$and" | "$or": [{category, field, operator, value}]}`` (field names as respond.io's
TypeScript SDK uses them). The sandbox answers the fields and operators Handoff's filters are built from (the
assignee and the status; ``isEqualTo`` and ``isNotEqualTo``; ``$and`` or ``$or``) and refuses every other shape
with a 400 that names it, so a request the sandbox accepts is one it really answers.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class StrictBody(BaseModel):
    """A ``/v2`` request body as strict as respond.io's documentation: an unknown field, or a JSON type other than
    the documented one (``"1"`` for an integer), fails validation, which ``sandbox.errors`` answers 400 naming it."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Condition(StrictBody):
    category: Literal["contactField"]
    field: Literal["assigneeUserId", "status"]
    operator: Literal["isEqualTo", "isNotEqualTo"]
    value: str
    """A string even for a user id, as respond.io takes it."""

    @model_validator(mode="after")
    def _value_fits_the_field(self) -> "Condition":
        if self.field == "status" and self.value not in ("open", "close"):
            raise ValueError("a status condition's value is 'open' or 'close'")
        if self.field == "assigneeUserId" and not self.value.isdigit():
            raise ValueError("an assigneeUserId condition's value is a user id as a string of digits, such as '101'")
        return self

    def sql(self) -> tuple[str, int]:
        """A clause over ``contacts`` and its one parameter; ``IS`` so an unassigned contact compares too."""
        negation = " NOT" if self.operator == "isNotEqualTo" else ""
        if self.field == "status":  # a contact's conversation is open while it has one
            return f"(conversation_id IS NOT NULL) IS{negation} ?", int(self.value == "open")
        return f"assignee_id IS{negation} ?", int(self.value)


class ContactFilter(StrictBody):
    all_of: list[Condition] | None = Field(default=None, alias="$and")
    any_of: list[Condition] | None = Field(default=None, alias="$or")

    @model_validator(mode="after")
    def _one_group(self) -> "ContactFilter":
        if (self.all_of is None) == (self.any_of is None):
            raise ValueError('send exactly one of "$and" and "$or", a list of conditions (empty: every contact)')
        return self

    def sql(self) -> tuple[str, tuple[int, ...]]:
        """A ``WHERE`` clause and its parameters; an empty group matches every contact."""
        conditions, joiner = (self.all_of, " AND ") if self.all_of is not None else (self.any_of or [], " OR ")
        if not conditions:
            return "1", ()
        clauses = [condition.sql() for condition in conditions]
        return joiner.join(f"({clause})" for clause, _ in clauses), tuple(value for _, value in clauses)


class ContactListBody(StrictBody):
    search: str
    timezone: str = Field(min_length=1)
    filter: ContactFilter

    @field_validator("search")
    @classmethod
    def _no_search(cls, search: str) -> str:
        if search:
            raise ValueError("the sandbox does not search contacts by text; send an empty search and a filter")
        return search
