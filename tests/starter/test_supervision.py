"""`handoff up` keeps its children up: a child that dies comes back with the same command, environment and log,
after a pause that doubles while it keeps dying, and one that cannot stay up ends with its last output."""

import asyncio
import os
import signal
import sys

import pytest

from bench.ports import free_port
from starter.processes import Child, ChildFailed
from starter.stack import http_ok
from starter.supervision import RestartPolicy, Restarts, Supervised

pytestmark = pytest.mark.integration

FAST = RestartPolicy(first_pause=0.1, longest_pause=0.4, most_restarts=3, window=60)

WEB = """
import http.server, os, sys
print("serving for", os.environ["SUPERVISED_BY"], flush=True)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), http.server.SimpleHTTPRequestHandler).serve_forever()
"""


def test_the_pause_doubles_while_a_child_keeps_dying_and_starts_over_once_it_stayed_up():
    restarts = Restarts(RestartPolicy(first_pause=1, longest_pause=30, most_restarts=100, window=60))
    pauses = [restarts.after_exit(now=100.0 * n, ran_for=5) for n in range(7)]
    assert pauses == [1, 2, 4, 8, 16, 30, 30]
    assert restarts.after_exit(now=800, ran_for=60) == 1, "it stayed up a whole window"
    assert restarts.after_exit(now=900, ran_for=5) == 2


def test_more_restarts_than_the_policy_allows_within_the_window_is_giving_up():
    restarts = Restarts(RestartPolicy(first_pause=1, longest_pause=30, most_restarts=5, window=60))
    now = 0.0
    for _ in range(5):
        pause = restarts.after_exit(now, ran_for=0.5)
        assert pause is not None
        now += pause + 0.5
    assert restarts.after_exit(now, ran_for=0.5) is None
    assert Restarts(restarts.policy).after_exit(now, ran_for=0.5) == 1, "each child counts its own restarts"


def test_restarts_older_than_the_window_no_longer_count():
    restarts = Restarts(RestartPolicy(first_pause=1, longest_pause=1, most_restarts=2, window=60))
    assert [restarts.after_exit(now, ran_for=1) for now in (0, 10, 20)] == [1, 1, None]
    assert restarts.after_exit(now=75, ran_for=1) == 1


async def test_a_killed_child_comes_back_with_its_command_environment_and_log(tmp_path, caplog):
    caplog.set_level("INFO", logger="handoff.up")
    port = free_port()
    web = Child("web", [sys.executable, "-c", WEB, str(port)], tmp_path / "web.log", {"SUPERVISED_BY": "the test"})
    supervised = Supervised(web, lambda: http_ok(f"http://127.0.0.1:{port}/"), ready_timeout=30)
    await supervised.start()
    keeper = asyncio.create_task(supervised.keep_up(FAST))
    try:
        first = web.process.pid
        os.kill(first, signal.SIGKILL)
        async with asyncio.timeout(30):
            while "web is up again" not in caplog.text:
                assert not keeper.done(), keeper
                await asyncio.sleep(0.05)
        assert web.process.pid != first
        assert await http_ok(f"http://127.0.0.1:{port}/")
        log = web.log.read_text()
        assert log.count("serving for the test") == 2, log
        assert "--- handoff up: restarting web at " in log and "it exited (killed by SIGKILL) ---" in log
        assert "web exited (killed by SIGKILL); restarting it in 0.1 s" in caplog.text
    finally:
        keeper.cancel()
        await web.stop()


async def test_a_child_that_cannot_stay_up_ends_with_its_last_output(tmp_path):
    broken = Child(
        "broken", [sys.executable, "-c", "print('no config here'); raise SystemExit(3)"], tmp_path / "broken.log"
    )
    await broken.start()
    with pytest.raises(ChildFailed) as failed:
        await Supervised(broken, lambda: http_ok("http://127.0.0.1:9/")).keep_up(FAST)
    message = str(failed.value)
    assert "broken cannot stay up: it exited again after 3 restarts within 60 s" in message
    assert "(exit code 3)" in message and message.rstrip().endswith("no config here")
    assert broken.log.read_text().count("no config here") == 4
