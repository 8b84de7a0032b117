"""What operators filter by follows what happened: a person's reassignment moves ``HandoffAssignee``."""

import pytest

from tests.integration.test_decisions import POLICY, opened_by_customer
from tests.integration.wired import new_contact, wired
from workflows import search_attributes as sa
from workflows.escalation_types import Outcome

pytestmark = pytest.mark.integration
DAVE, SAM = 202, 301


async def test_a_persons_reassignment_is_what_handoff_assignee_shows(dev_server, tmp_path):
    async with wired(dev_server, tmp_path, POLICY) as stack:
        contact_id = new_contact()
        await opened_by_customer(stack, contact_id)
        await stack.assigned(contact_id)
        await stack.post(f"/sandbox/contacts/{contact_id}/assign", userId=DAVE, byUserId=SAM)
        result = await stack.handle(contact_id).result()
        attributes = (await stack.handle(contact_id).describe()).typed_search_attributes

    assert result.outcome == Outcome.REASSIGNED_BY_HUMAN, result.detail
    assert attributes.get(sa.STATUS) == Outcome.REASSIGNED_BY_HUMAN.value
    assert attributes.get(sa.ASSIGNEE) == "dave@example.com"
