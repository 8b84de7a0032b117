"""Child processes of ``handoff up``: started with a log file each, stopped politely, watched for exits."""

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

STOP_GRACE_SECONDS = 15


class ChildFailed(Exception):
    """A child process exited (or never became ready); the message points at its log."""


@dataclass
class Child:
    name: str
    argv: list[str]
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    process: asyncio.subprocess.Process | None = None
    started_at: datetime | None = None
    """When the latest process started (wall clock, as Temporal's records are)."""

    async def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.started_at = datetime.now(UTC)
            self.process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                env={**os.environ, **self.env},
                start_new_session=True,  # Ctrl-C reaches only the supervisor, which stops children in order
            )

    async def restart(self, why: str) -> None:
        """Start the same command with the same environment again, its output appended to the same log
        after a line that says why."""
        with self.log.open("a") as log:
            log.write(
                f"\n--- handoff up: restarting {self.name} at {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC: {why} ---\n"
            )
        await self.start()

    async def ready(self, check: Callable[[], Awaitable[bool]], timeout: float = 60) -> None:
        """Wait until ``check`` passes; fail early, with the log's tail, if the process dies."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if self.exited:
                raise self.failure("exited while starting")
            try:
                if await check():
                    return
            except Exception:  # not answering yet
                pass
            await asyncio.sleep(0.2)
        raise self.failure(f"did not become ready within {timeout:.0f} s")

    @property
    def exited(self) -> bool:
        return self.process is not None and self.process.returncode is not None

    async def wait(self) -> int:
        assert self.process is not None
        return await self.process.wait()

    async def stop(self) -> None:
        if self.process is None or self.exited:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), STOP_GRACE_SECONDS)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def failure(self, what: str) -> ChildFailed:
        code = self.process.returncode if self.process else None
        tail = self.log.read_text(errors="replace").splitlines()[-15:] if self.log.exists() else []
        lines = "\n  ".join(tail) or "(empty)"
        return ChildFailed(f"{self.name} {what} ({exit_reason(code)}); the end of {self.log}:\n  {lines}")


def exit_reason(code: int | None) -> str:
    """How a process ended, as a person reads it: ``exit code 1``, ``killed by SIGKILL``."""
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            pass
    return f"exit code {code}"
