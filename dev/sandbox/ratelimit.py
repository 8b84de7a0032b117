"""respond.io-style rate limiting: so many requests per second for each method and route."""

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int
    """Whole seconds to wait before trying again (at least 1); 0 when allowed."""

    def headers(self) -> dict[str, str]:
        headers = {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining)}
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


class RateLimiter:
    """A sliding one-second window per key; refused requests do not count."""

    def __init__(self, per_second: int, clock: Callable[[], float] = time.monotonic):
        self.per_second = per_second
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> Verdict:
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - 1:
            hits.popleft()
        if len(hits) >= self.per_second:
            wait = max(1, math.ceil(hits[0] + 1 - now))
            return Verdict(False, self.per_second, 0, wait)
        hits.append(now)
        return Verdict(True, self.per_second, self.per_second - len(hits), 0)
