"""Keeping ``handoff up``'s children up: a child that exits is started again, with the same command,
environment and log, after a pause that doubles while it keeps exiting quickly; one that exits too often
to be worth it stops the stack (``ChildFailed``, with its last output)."""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import NoReturn

from starter.processes import Child, ChildFailed, exit_reason

log = logging.getLogger("handoff.up")

ReadyCheck = Callable[[], Awaitable[bool]]


@dataclass(frozen=True)
class RestartPolicy:
    first_pause: float = 1
    longest_pause: float = 30
    most_restarts: int = 5
    """A child that needs more restarts than this within ``window`` seconds cannot stay up."""
    window: float = 60
    """Also how long a run must last to count as staying up, which starts the pauses over."""


class Restarts:
    """One child's restarts so far, and so when to restart it next. Times are seconds on any one clock."""

    def __init__(self, policy: RestartPolicy):
        self.policy = policy
        self._pause: float | None = None
        self._recent: deque[float] = deque()
        """When each restart within the last window happened."""

    def after_exit(self, now: float, ran_for: float) -> float | None:
        """The pause before restarting a child that exited at ``now`` after running ``ran_for``; None when
        it cannot stay up."""
        policy = self.policy
        while self._recent and now - self._recent[0] > policy.window:
            self._recent.popleft()
        if len(self._recent) >= policy.most_restarts:
            return None
        stayed_up = ran_for >= policy.window
        pause = policy.first_pause if stayed_up or self._pause is None else min(self._pause * 2, policy.longest_pause)
        self._pause = pause
        self._recent.append(now + pause)
        return pause

    @property
    def within_window(self) -> int:
        return len(self._recent)


@dataclass
class Supervised:
    """A child with the check that says it is ready, used as it starts and after every restart."""

    child: Child
    ready: ReadyCheck
    ready_timeout: float = 60

    async def start(self) -> None:
        await self.child.start()
        await self.child.ready(self.ready, self.ready_timeout)

    async def keep_up(self, policy: RestartPolicy) -> NoReturn:
        """Restart the child whenever it exits, until cancelled; raise ChildFailed once it cannot stay up."""
        child, clock, restarts = self.child, asyncio.get_running_loop().time, Restarts(policy)
        started = clock()
        while True:
            how = exit_reason(await child.wait())
            now = clock()
            pause = restarts.after_exit(now, ran_for=now - started)
            if pause is None:
                raise child.failure(
                    f"cannot stay up: it exited again after {restarts.within_window} restarts within "
                    f"{policy.window:g} s, so `handoff up` stops"
                )
            log.warning("%s exited (%s); restarting it in %g s", child.name, how, pause)
            await asyncio.sleep(pause)
            started = clock()
            await child.restart(f"it exited ({how})")
            try:
                await child.ready(self.ready, self.ready_timeout)
            except ChildFailed:
                if not child.exited:
                    log.warning("%s was not ready within %g s; stopping it", child.name, self.ready_timeout)
                    await child.stop()
                continue  # its exit is counted like any other
            log.info("%s is up again", child.name)
