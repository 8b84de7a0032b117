"""Custom search attributes: how operators filter escalations in the Temporal UI and CLI.

Every place that starts a Temporal server registers ``ALL`` (dev server, tests, compose);
an unregistered attribute would make workflow tasks retry forever.
"""

from typing import Any

from temporalio.common import SearchAttributeKey, SearchAttributePair, SearchAttributeUpdate, TypedSearchAttributes

from workflows.escalation_types import Status

CONTACT_ID = SearchAttributeKey.for_int("HandoffContactId")
ASSIGNEE = SearchAttributeKey.for_keyword("HandoffAssignee")
STATUS = SearchAttributeKey.for_keyword("HandoffStatus")
LEVEL = SearchAttributeKey.for_int("HandoffLevel")
POLICY = SearchAttributeKey.for_keyword("HandoffPolicy")
DEADLINE = SearchAttributeKey.for_datetime("HandoffDeadline")
"""When the latest wait ends (or routing is asked again); current only while ``HandoffStatus`` is one of
``TIMED_STATUSES``. Written when a wait starts and never unset, so it costs no upsert of its own."""

ALL: list[SearchAttributeKey[Any]] = [CONTACT_ID, ASSIGNEE, STATUS, LEVEL, POLICY, DEADLINE]
_BY_NAME = {key.name: key for key in ALL}


def cli_type(key: SearchAttributeKey[Any]) -> str:
    """The type name the ``temporal`` CLI uses for a key, e.g. ``Int`` or ``Keyword``."""
    return key.indexed_value_type.name.title().replace("_", "")


def initial_values(status: str) -> dict[str, Any]:
    """The values ``initial`` sets that a run changes later, by attribute name."""
    return {STATUS.name: status, LEVEL.name: 0}


def update(name: str, value: Any) -> SearchAttributeUpdate[Any]:
    """Set the attribute called ``name`` to ``value``, or unset it for None."""
    key = _BY_NAME[name]
    return key.value_unset() if value is None else key.value_set(value)


def initial(contact_id: int, policy: str) -> TypedSearchAttributes:
    """Set at start so an escalation is findable before its first workflow task runs."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(CONTACT_ID, contact_id),
            SearchAttributePair(POLICY, policy),
            *(SearchAttributePair(_BY_NAME[name], value) for name, value in initial_values(Status.STARTING).items()),
        ]
    )
