"""What one ``handoff bench`` measures: the rates and how long each runs, the wait, how many to hold."""

from dataclasses import dataclass

DEFAULT_RATES = (3.0, 5.0, 8.0, 12.0, 16.0, 20.0)
DEFAULT_SECONDS = 20.0
DEFAULT_WAIT = 5
QUICK_RATES = (2.0,)
QUICK_SECONDS = 3.0
QUICK_WAIT = 2
QUICK_HOLD = 10
HOLD_WAIT_SECONDS = 3600
"""Held conversations wait an hour: far longer than any measurement."""


class PlanError(ValueError):
    """An option the benchmark cannot run with; the message names it."""


@dataclass(frozen=True)
class Plan:
    rates: tuple[float, ...]
    """Openings per second, lowest first, measured up to the first one not sustained; empty: none."""
    seconds: float
    wait: int
    hold: int
    """Conversations to hold waiting; 0: no hold measurement."""

    @staticmethod
    def choose(rates: str | None, seconds: float | None, wait: int | None, hold: int | None, quick: bool) -> "Plan":
        """The options given, else the defaults: ``--quick`` measures one low rate briefly and holds a few;
        ``--hold`` alone holds only; otherwise the rates are measured."""
        if quick:
            plan = Plan(
                _rates(rates) if rates is not None else QUICK_RATES,
                QUICK_SECONDS if seconds is None else seconds,
                QUICK_WAIT if wait is None else wait,
                QUICK_HOLD if hold is None else hold,
            )
        else:
            plan = Plan(
                _rates(rates) if rates is not None else (() if hold else DEFAULT_RATES),
                DEFAULT_SECONDS if seconds is None else seconds,
                DEFAULT_WAIT if wait is None else wait,
                hold or 0,
            )
        if plan.seconds <= 0:
            raise PlanError("--seconds must be more than 0")
        if plan.wait < 1:
            raise PlanError("--wait must be at least 1 (whole seconds, as a policy writes it)")
        if plan.hold < 0:
            raise PlanError("--hold must be 0 or more")
        return plan

    def count(self, rate: float) -> int:
        """Openings at ``rate`` over ``seconds`` (at least one)."""
        return max(1, round(rate * self.seconds))


def _rates(text: str) -> tuple[float, ...]:
    try:
        rates = tuple(sorted(float(part) for part in text.split(",") if part.strip()))
    except ValueError as error:
        raise PlanError(f"--rates takes numbers separated by commas, e.g. 5,10,15 (not {text!r})") from error
    if not rates or rates[0] <= 0:
        raise PlanError(f"--rates takes openings per second above 0, e.g. 5,10,15 (not {text!r})")
    return rates
