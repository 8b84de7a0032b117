"""Business hours in an escalation, on the time-skipping server (so calendars run inside the worker's workflow
sandbox): waits count open hours only, a branch asks whether the team is in, an assign step waits for its hours."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.workflows.fake_inbox import AGENTS, FakeInbox
from tests.workflows.test_escalation import running, until_waiting
from workflows.escalation_types import Outcome
from workflows.policy import Policy

BERLIN = ZoneInfo("Europe/Berlin")
ALICE, CAROL, DAVE = AGENTS
CALENDARS = {"support-eu": {"timezone": "Europe/Berlin", "hours": {"mon-fri": "09:00-18:00"}}}


def _policy(*steps: dict) -> Policy:
    return Policy.model_validate({"name": "office-hours", "calendars": CALENDARS, "steps": list(steps)})


ESCALATE_IN_BUSINESS_TIME = _policy(
    {"assign": {"user": ALICE.email}},
    {"wait": {"for": "15m", "calendar": "support-eu"}},
    {
        "branch": {
            "all": [{"conversation_status": "open"}, {"no_reply_since_assignment": True}],
            "then": [
                {"assign": {"team": "Tier 2"}},
                {"comment": "No reply from {previous_assignee} in {waited}; reassigned to {assignee}."},
            ],
        }
    },
)


async def _skip_to_next(env, weekday: int, at: time) -> datetime:
    """Let the test server's clock run to the next ``weekday`` (0 = Monday) at ``at`` in Berlin; the time it is."""
    now = (await env.get_current_time()).astimezone(BERLIN)
    days = (weekday - now.weekday()) % 7 or 7
    target = datetime.combine(now.date() + timedelta(days=days), at, tzinfo=BERLIN)
    await env.sleep(target - now)
    return (await env.get_current_time()).astimezone(BERLIN)


async def test_a_friday_evening_opening_escalates_on_monday_morning(time_skipping_env, record_history):
    env = time_skipping_env
    inbox = FakeInbox()
    async with running(env, inbox, ESCALATE_IN_BUSINESS_TIME) as start:
        opened = await _skip_to_next(env, weekday=4, at=time(17, 55))
        handle = await start()
        result = await handle.result()
        await record_history(handle)
    assert result.outcome == Outcome.ESCALATED, result.detail
    assert inbox.assignments == [ALICE.id, CAROL.id]
    reassigned = result.history[1].assigned_at.astimezone(BERLIN)
    monday = opened.date() + timedelta(days=3)
    assert (reassigned.date(), reassigned.time().replace(microsecond=0)) >= (monday, time(9, 10)), reassigned
    assert reassigned < datetime.combine(monday, time(9, 11), tzinfo=BERLIN), "at 09:10, not at 18:10 on Friday"
    assert inbox.comments == ["No reply from Alice Ng in 15 min of support-eu's hours; reassigned to Carol Diaz."], (
        "the comment speaks of business time"
    )


async def test_a_branch_asks_whether_the_team_is_in(time_skipping_env):
    env = time_skipping_env
    after_hours = _policy(
        {"assign": {"user": ALICE.email}},
        {
            "branch": {
                "all": [{"within_hours": "support-eu"}],
                "then": [{"comment": "in hours"}],
                "else": [{"message": "Thanks {contact_name}, we answer from 09:00 tomorrow."}],
            }
        },
    )
    inbox = FakeInbox()
    async with running(env, inbox, after_hours) as start:
        await _skip_to_next(env, weekday=2, at=time(20, 0))
        result = await (await start()).result()
    assert result.outcome == Outcome.COMPLETED, result.detail
    assert (inbox.comments, inbox.sent) == ([], ["Thanks Pat Lee, we answer from 09:00 tomorrow."])


async def test_an_assign_step_limited_to_hours_waits_for_them_to_open(time_skipping_env):
    env = time_skipping_env
    policy = _policy({"assign": {"team": "Tier 2", "within_hours": "support-eu"}})
    inbox = FakeInbox()
    async with running(env, inbox, policy) as start:
        saturday = await _skip_to_next(env, weekday=5, at=time(11, 0))
        result = await (await start()).result()
    assigned = result.history[0].assigned_at.astimezone(BERLIN)
    monday_nine = datetime.combine(saturday.date() + timedelta(days=2), time(9, 0), tzinfo=BERLIN)
    assert monday_nine <= assigned < monday_nine + timedelta(minutes=1), assigned
    assert inbox.assignments == [CAROL.id]


async def test_a_person_who_assigns_the_conversation_while_the_step_waits_for_the_hours_keeps_it(time_skipping_env):
    env = time_skipping_env
    policy = _policy({"assign": {"team": "Tier 2", "within_hours": "support-eu"}}, {"wait": "15m"})
    inbox = FakeInbox()
    async with running(env, inbox, policy) as start:
        await _skip_to_next(env, weekday=5, at=time(11, 0))
        handle = await start()
        await until_waiting(handle, "outside support-eu's hours")
        inbox.assignee = DAVE  # a supervisor gives it to Dave on Saturday
        result = await handle.result()
    assert result.outcome == Outcome.REASSIGNED_BY_HUMAN, result.detail
    assert inbox.assignments == [], "Monday's assign step leaves Dave's conversation to him"


async def test_a_business_wait_that_opens_during_the_hours_ends_the_same_day(time_skipping_env):
    env = time_skipping_env
    inbox = FakeInbox()
    async with running(env, inbox, ESCALATE_IN_BUSINESS_TIME) as start:
        opened = await _skip_to_next(env, weekday=1, at=time(10, 0))
        result = await (await start()).result()
    reassigned = result.history[1].assigned_at.astimezone(BERLIN)
    assert opened + timedelta(minutes=15) <= reassigned < opened + timedelta(minutes=16)


async def test_a_calendar_that_never_opens_ends_the_escalation_as_failed_with_the_reason(time_skipping_env):
    closed_for_years = {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": "09:00-18:00"},
        "closures": [{"from": "2000-01-01 00:00", "to": "2100-01-01 00:00"}],
    }
    policy = Policy.model_validate(
        {
            "name": "never-open",
            "calendars": {"shut": closed_for_years},
            "steps": [{"assign": {"user": ALICE.email}}, {"wait": {"for": "15m", "calendar": "shut"}}],
        }
    )
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox, policy) as start:
        result = await (await start()).result()
    assert result.outcome == Outcome.FAILED
    assert result.detail.startswith("calendar shut: "), result.detail
