"""Faults the sandbox can inject into its respond.io API (``/v2``), off unless asked for.

Set at start (``HANDOFF_SANDBOX_FAULTS`` as JSON, or ``HANDOFF_SANDBOX_FAULTS__FAILURE_RATE`` and the like)
and switched at run time with ``PUT /sandbox/faults``. Every fault answers before the request is handled,
so a refused or failed call has no effect, as a retry must be able to assume.
"""

import asyncio
import random
from enum import IntEnum

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from sandbox.errors import ApiError


class BurstStatus(IntEnum):
    """A burst's answer; an enum, not a Literal, so ``HANDOFF_SANDBOX_FAULTS__BURST_STATUS=449`` parses."""

    TOO_MANY_REQUESTS = 429
    QUEUED = 449


class Faults(BaseModel):
    """What goes wrong on ``/v2``; the defaults are a healthy API."""

    model_config = ConfigDict(extra="forbid")

    failure_rate: float = Field(0.0, ge=0, le=1)
    """The fraction of requests answered 500 (respond.io failing on its side)."""
    throttle_burst: int = Field(0, ge=0)
    """The next N requests are answered ``burst_status``, whatever the rate limit."""
    burst_status: BurstStatus = BurstStatus.TOO_MANY_REQUESTS
    """A burst's answer: 429 (too many requests) or 449 (request queued, retry later)."""
    retry_after: int | None = Field(None, ge=1)
    """A burst's ``Retry-After`` seconds: a 429 says 1 unless set; a 449 says none unless set, as respond.io
    documents ``Retry-After`` on 429 only."""
    stall_seconds: float = Field(0.0, ge=0, le=120)
    """How long a stalled request waits before it is handled."""
    stall_rate: float = Field(1.0, ge=0, le=1)
    """The fraction of requests stalled (when ``stall_seconds`` is set)."""
    revoked: bool = False
    """The token is revoked: every request is answered 401 until this is false again."""
    token: SecretStr | None = None
    """A rotated token: ``/v2`` accepts this one instead of ``HANDOFF_SANDBOX_TOKEN``, which now answers 401."""
    seed: int | None = None
    """Seeds the draws of ``failure_rate`` and ``stall_rate``, so a run repeats; unset draws at random."""


class FaultInjector:
    """The faults in force, the 429s left in the current burst, and the seeded draws."""

    def __init__(self, faults: Faults):
        self.set(faults)

    def set(self, faults: Faults) -> None:
        """Replace every fault (what is not given is off again); a burst starts over, the draws from ``seed``."""
        self._faults = faults
        self._burst_left = faults.throttle_burst
        self._random = random.Random(faults.seed)

    @property
    def faults(self) -> Faults:
        """The faults in force, with ``throttle_burst`` as the burst's answers still to come."""
        return self._faults.model_copy(update={"throttle_burst": self._burst_left})

    @property
    def revoked(self) -> bool:
        return self._faults.revoked

    @property
    def token(self) -> str | None:
        """The rotated token, if there is one."""
        return self._faults.token.get_secret_value() if self._faults.token else None

    async def before_request(self) -> None:
        """Stall, then answer 429 or 449 while a burst lasts, or 500 at ``failure_rate``; else let the request through.

        After a stall, the faults in force then decide (they may have been switched meanwhile)."""
        if self._faults.stall_seconds and self._random.random() < self._faults.stall_rate:
            await asyncio.sleep(self._faults.stall_seconds)
        faults = self._faults
        if self._burst_left:
            self._burst_left -= 1
            raise _burst_answer(faults)
        if faults.failure_rate and self._random.random() < faults.failure_rate:
            raise ApiError(500, "Internal server error (a fault injected by the sandbox); retry later.")


def _burst_answer(faults: Faults) -> ApiError:
    """A 429 with ``Retry-After`` (1 s unless set) and no requests remaining; or a 449, with ``Retry-After`` only
    when set, so a client must also cope without one."""
    throttled = faults.burst_status == BurstStatus.TOO_MANY_REQUESTS
    seconds = faults.retry_after or (1 if throttled else None)
    headers = {"Retry-After": str(seconds)} if seconds else {}
    when = f"retry after {seconds} s" if seconds else "retry later"
    if throttled:
        return ApiError(429, f"Too many requests; {when}.", headers | {"X-RateLimit-Remaining": "0"})
    return ApiError(449, f"Request queued; {when}.", headers)
