"""Custom search attributes: how operators filter escalations in the Temporal UI and CLI.

Every place that starts a Temporal server registers ``ALL`` (dev server, tests, compose);
an unregistered attribute would make workflow tasks retry forever.
"""

from typing import Any

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

CONTACT_ID = SearchAttributeKey.for_int("HandoffContactId")
ASSIGNEE = SearchAttributeKey.for_keyword("HandoffAssignee")
STATUS = SearchAttributeKey.for_keyword("HandoffStatus")
LEVEL = SearchAttributeKey.for_int("HandoffLevel")
POLICY = SearchAttributeKey.for_keyword("HandoffPolicy")

ALL: list[SearchAttributeKey[Any]] = [CONTACT_ID, ASSIGNEE, STATUS, LEVEL, POLICY]


def cli_type(key: SearchAttributeKey[Any]) -> str:
    """The type name the ``temporal`` CLI uses for a key, e.g. ``Int`` or ``Keyword``."""
    return key.indexed_value_type.name.title().replace("_", "")


def initial(contact_id: int, policy: str) -> TypedSearchAttributes:
    """Set at start so an escalation is findable before its first workflow task runs."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(CONTACT_ID, contact_id),
            SearchAttributePair(POLICY, policy),
            SearchAttributePair(STATUS, "starting"),
            SearchAttributePair(LEVEL, 0),
        ]
    )
