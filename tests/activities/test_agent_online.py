"""agent_online: the roster's word on an agent's presence, since respond.io's API has none."""

import pytest
from temporalio.testing import ActivityEnvironment

from activities.conversation import ConversationActivities
from models.agents import Choice
from tests.activities.fake_routing import FakeRouting

NOBODY = Choice(agent=None, candidates=[], reason="unused")


async def test_asks_routing_whether_the_agent_is_online(client):
    activities = ConversationActivities(client, FakeRouting(NOBODY, online=frozenset({101})))

    assert await ActivityEnvironment().run(activities.agent_online, 101) is True
    assert await ActivityEnvironment().run(activities.agent_online, 102) is False


async def test_without_routing_it_says_what_to_build(client):
    with pytest.raises(RuntimeError, match="agent_online needs routing"):
        await ActivityEnvironment().run(ConversationActivities(client).agent_online, 101)
