"""The benchmark's arithmetic: percentiles, the sustainable rate and the ratio, and the plan from the options."""

import pytest

from bench.figures import BARE, HANDOFF, RateFigures, Report, Spread, percentile
from bench.plan import DEFAULT_RATES, QUICK_RATES, Plan, PlanError


def row(flow: str, rate: float, p99: float, finished: int = 10) -> RateFigures:
    return RateFigures(
        flow=flow,
        rate=rate,
        opened_per_s=rate,
        opened=10,
        failed_openings=0,
        webhook=None,
        lateness=Spread(p99 / 2, p99, p99),
        finished=finished,
        duplicate_comments=0,
        events_per_escalation=None,
        activities_per_escalation=None,
        worker_rss_mb=0,
        server_rss_mb=0,
        worker_hwm_mb=0,
        server_hwm_mb=0,
        drained=True,
    )


def test_percentile_is_the_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile([3.0], 99) == 3.0


def test_the_sustainable_rate_keeps_the_bound_and_loses_nothing():
    report = Report(
        5,
        20,
        [
            row(HANDOFF, 5, 0.3),
            row(HANDOFF, 10, 0.9),
            row(BARE, 5, 0.2),
            row(BARE, 10, 0.4),
            row(BARE, 15, 0.4, finished=9),
        ],
        [],
    )
    assert report.sustainable(HANDOFF) == 5
    assert report.sustainable(BARE) == 10
    assert report.ratio == 0.5


def test_no_ratio_without_a_sustained_rate():
    assert Report(5, 20, [row(HANDOFF, 5, 0.3), row(BARE, 5, 0.6)], []).ratio is None


def test_the_plan_follows_the_options():
    assert Plan.choose(None, None, None, None, quick=False).rates == DEFAULT_RATES
    assert Plan.choose(None, None, None, 500, quick=False).rates == ()
    quick = Plan.choose(None, None, None, None, quick=True)
    assert quick.rates == QUICK_RATES and quick.hold > 0
    assert Plan.choose("10, 2.5", 4, 3, None, quick=False).rates == (2.5, 10.0)
    with pytest.raises(PlanError, match="--rates"):
        Plan.choose("fast", None, None, None, quick=False)
    with pytest.raises(PlanError, match="--wait"):
        Plan.choose(None, None, 0, None, quick=False)
