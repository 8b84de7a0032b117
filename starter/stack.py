"""``handoff up``: the Temporal dev server, the worker, the webhook receiver and (optionally) the
sandbox inbox, run as one supervised group whose state lives in one data folder: a child that dies is
restarted (``starter.supervision``), and the group ends when asked or when a child cannot stay up."""

import asyncio
import json
import secrets
import signal
import sys
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, TypedDict, Unpack

import httpx
from google.protobuf.duration_pb2 import Duration
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.namespace.v1 import NamespaceConfig
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest, UpdateNamespaceRequest
from temporalio.client import Client

from starter.binaries import temporal_binary
from starter.processes import Child, ChildFailed
from starter.sandbox_presence import AgentsOnline, pass_on_sandbox_presence
from starter.supervision import ReadyCheck, RestartPolicy, Supervised
from worker.connection import STACK_FILE, record_local_stack
from worker.settings import Settings
from workflows import search_attributes as sa

WEBHOOK_EVENTS = ["conversation.opened", "conversation.closed", "message.sent", "contact.assignee.updated"]
COMMANDS_GROUP = "handoff.commands"
"""Entry points that add commands to `handoff`; the development tools add `demo` and `sandbox`."""
SANDBOX_COMMAND = "sandbox"


def has_command(name: str) -> bool:
    """Whether an installed package adds ``handoff NAME`` (the sandbox is one, in development installs)."""
    return any(entry.name == name for entry in entry_points(group=COMMANDS_GROUP))


class StackOverrides(TypedDict, total=False):
    """What the command line may set instead of the settings; None keeps the setting."""

    data_dir: Path | None
    policy: Path | None
    temporal_port: int | None
    ui_port: int | None
    receiver_port: int | None
    sandbox_port: int | None
    worker_metrics_port: int | None
    receiver_metrics_port: int | None
    temporal_http_port: int | None
    temporal_metrics_port: int | None


@dataclass(frozen=True)
class StackConfig:
    data_dir: Path
    sandbox: bool
    policy: Path
    task_queue: str
    temporal_port: int
    ui_port: int
    receiver_port: int
    sandbox_port: int
    worker_metrics_port: int
    receiver_metrics_port: int
    sandbox_events: tuple[str, ...] = tuple(WEBHOOK_EVENTS)
    """The events the sandbox sends to the receiver (the benchmark sends conversation.opened itself)."""
    sandbox_rate_limit: int | None = None
    """Requests per second the sandbox answers per route before 429 (0: unlimited); None keeps its default."""
    retention: timedelta | None = None
    """How long Temporal keeps finished workflows; None keeps the dev server's own (1 day)."""
    temporal_http_port: int | None = None
    temporal_metrics_port: int | None = None
    """The dev server's HTTP API and metrics ports; None lets it pick free ones as it starts (a test or benchmark
    that picks every port itself passes them, so the server's pick cannot take a port meant for another child)."""
    restarts: RestartPolicy = field(default_factory=RestartPolicy)
    """When a child that died is started again, and when the stack gives up on it."""

    @staticmethod
    def from_settings(settings: Settings, sandbox: bool = False, **overrides: Unpack[StackOverrides]) -> "StackConfig":
        """The settings' values, with every override that is not None (the command line's options)."""
        config = StackConfig(
            settings.data_dir,
            sandbox,
            settings.policy,
            settings.task_queue,
            settings.temporal_port,
            settings.ui_port,
            settings.receiver_port,
            settings.sandbox_port,
            settings.worker_metrics_port,
            settings.receiver_metrics_port,
            retention=settings.retention,
        )
        chosen: dict[str, Any] = {name: value for name, value in overrides.items() if value is not None}
        return replace(config, **chosen)

    @property
    def temporal_address(self) -> str:
        return f"127.0.0.1:{self.temporal_port}"

    @property
    def receiver_url(self) -> str:
        return f"http://127.0.0.1:{self.receiver_port}"

    @property
    def sandbox_url(self) -> str:
        return f"http://127.0.0.1:{self.sandbox_port}"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.ui_port}"

    @property
    def worker_metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.worker_metrics_port}/metrics"

    @property
    def receiver_metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.receiver_metrics_port}/metrics"


class Stack:
    """Starts the group in dependency order, keeps every child up while it runs, stops it in reverse."""

    def __init__(self, config: StackConfig):
        self.config = config
        self.children: list[Child] = []
        self._supervised: list[Supervised] = []
        self.secrets: dict[str, Any] = {}
        """With the sandbox: its API token, the webhook signing keys and the receiver's API token."""
        self.agents_online: AgentsOnline | None = None
        """With the sandbox: how many of its agents routing counts as online at the start."""

    async def __aenter__(self) -> "Stack":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start every child and wait until each is ready; on any failure, stop what was started."""
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        (self.config.data_dir / STACK_FILE).unlink(missing_ok=True)
        for child in reversed(self.children):
            await child.stop()

    async def run_until_stopped(self) -> None:
        """Restart any child that exits (``config.restarts``); return on SIGINT or SIGTERM, and raise ChildFailed,
        with its last output, when a child cannot stay up."""
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stopping.set)
        keepers = [asyncio.create_task(supervised.keep_up(self.config.restarts)) for supervised in self._supervised]
        stop = asyncio.create_task(stopping.wait())
        try:
            done, _ = await asyncio.wait([*keepers, stop], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (*keepers, stop):
                task.cancel()
            await asyncio.gather(*keepers, stop, return_exceptions=True)
        for task in done - {stop}:
            task.result()  # keep_up only ends by raising: the child cannot stay up

    async def _start(self) -> None:
        config = self.config
        config.data_dir.mkdir(parents=True, exist_ok=True)
        env = {
            "TEMPORAL_ADDRESS": config.temporal_address,
            "TEMPORAL_NAMESPACE": "default",
            "HANDOFF_POLICY": str(config.policy.resolve()),
            "HANDOFF_TASK_QUEUE": config.task_queue,
        }

        temporal = self._child(
            "temporal",
            [
                temporal_binary("temporal"),
                *dev_server_args(
                    config.temporal_port,
                    config.ui_port,
                    config.data_dir,
                    http_port=config.temporal_http_port,
                    metrics_port=config.temporal_metrics_port,
                ),
            ],
            env,
        )
        await self._launch(temporal, lambda: temporal_answers(config.temporal_address))
        if config.retention is not None:
            await keep_finished_workflows(config.temporal_address, config.retention)
        record_local_stack(config.data_dir, config.temporal_address)

        if config.sandbox:
            self.secrets = secrets_ = _sandbox_secrets(config.data_dir / "sandbox-secrets.json")
            keys = secrets_["webhook_keys"]
            env |= {
                "HANDOFF_RESPONDIO_BASE_URL": f"{config.sandbox_url}/v2",
                "HANDOFF_RESPONDIO_TOKEN": secrets_["sandbox_token"],
                "HANDOFF_WEBHOOK_KEYS": ",".join(keys.values()),
                "HANDOFF_API_TOKEN": secrets_["api_token"],
            }
            subscriptions = [
                {"event": event, "url": f"{config.receiver_url}/webhooks/respondio", "signing_key": key}
                for event, key in keys.items()
                if event in config.sandbox_events
            ]
            sandbox_env = env | {
                "HANDOFF_SANDBOX_DB": str((config.data_dir / "sandbox.db").resolve()),
                "HANDOFF_SANDBOX_PORT": str(config.sandbox_port),
                "HANDOFF_SANDBOX_TOKEN": secrets_["sandbox_token"],
                "HANDOFF_SANDBOX_WEBHOOKS": json.dumps(subscriptions),
                "HANDOFF_SANDBOX_PRESENCE_URL": f"{config.receiver_url}/agents",
                "HANDOFF_SANDBOX_PRESENCE_TOKEN": secrets_["api_token"],
            }
            if config.sandbox_rate_limit is not None:
                sandbox_env["HANDOFF_SANDBOX_RATE_LIMIT"] = str(config.sandbox_rate_limit)
            sandbox = self._child("sandbox", [*_handoff(), SANDBOX_COMMAND], sandbox_env)
            await self._launch(sandbox, lambda: http_ok(f"{config.sandbox_url}/sandbox/webhooks"))

        worker = self._child(
            "worker",
            [*_handoff(), "worker"],
            env | {"HANDOFF_METRICS_ADDRESS": f"127.0.0.1:{config.worker_metrics_port}"},
        )
        # A poll since this process started: Temporal lists an earlier (dead) worker's polls for minutes.
        await self._launch(worker, lambda: has_pollers(config.temporal_address, config.task_queue, worker.started_at))

        receiver = self._child(
            "receiver",
            [*_handoff(), "receiver"],
            env
            | {
                "HANDOFF_RECEIVER_PORT": str(config.receiver_port),
                "HANDOFF_METRICS_ADDRESS": f"127.0.0.1:{config.receiver_metrics_port}",
            },
        )
        await self._launch(receiver, lambda: http_ok(f"{config.receiver_url}/health"))
        if config.sandbox:
            try:
                self.agents_online = await pass_on_sandbox_presence(
                    config.sandbox_url, config.receiver_url, self.secrets["api_token"]
                )
            except httpx.HTTPError as error:
                raise ChildFailed(
                    f"routing did not take the sandbox agents' presence ({error}); see {config.data_dir}/logs/"
                ) from error

    def _child(self, name: str, argv: list[str], env: dict[str, str]) -> Child:
        child = Child(name, argv, self.config.data_dir / "logs" / f"{name}.log", dict(env))
        self.children.append(child)
        return child

    async def _launch(self, child: Child, ready: ReadyCheck) -> None:
        """Start a child and wait until ``ready`` passes; the same check tells when it is back after a restart."""
        supervised = Supervised(child, ready)
        await supervised.start()
        self._supervised.append(supervised)


def dev_server_args(
    temporal_port: int, ui_port: int, data_dir: Path, http_port: int | None = None, metrics_port: int | None = None
) -> list[str]:
    """``temporal server start-dev`` as Handoff runs it: SQLite in ``data_dir``, WAL, the search attributes (and the
    HTTP API and metrics ports when given; otherwise the server picks free ones)."""
    args = [
        "server",
        "start-dev",
        "--ip",
        "127.0.0.1",
        "--port",
        str(temporal_port),
        "--ui-port",
        str(ui_port),
        "--ui-disable-news-fetch",
        "--db-filename",
        str((data_dir / "temporal.db").resolve()),
        # WAL with synchronous=normal: about 2.4x faster here, and still safe if a process crashes.
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--log-level",
        "warn",
    ]
    for key in sa.ALL:
        args += ["--search-attribute", f"{key.name}={sa.cli_type(key)}"]
    for option, port in (("--http-port", http_port), ("--metrics-port", metrics_port)):
        if port is not None:
            args += [option, str(port)]
    return args


def _handoff() -> list[str]:
    """This same installation's ``handoff`` command, whatever the PATH says."""
    return [sys.executable, "-m", "starter"]


def _sandbox_secrets(path: Path) -> dict[str, Any]:
    """The sandbox's API token, one signing key per webhook subscription (as respond.io does) and the
    receiver's API token, made once and kept, so restarts keep working."""
    kept = json.loads(path.read_text()) if path.exists() else {}
    made = {
        "sandbox_token": secrets.token_urlsafe(32),
        "webhook_keys": {event: secrets.token_urlsafe(32) for event in WEBHOOK_EVENTS},
        "api_token": secrets.token_urlsafe(32),
    } | kept
    if made != kept:
        path.write_text(json.dumps(made, indent=2))
        path.chmod(0o600)
    return made


async def temporal_answers(address: str) -> bool:
    """Whether Temporal at ``address`` takes connections (raises while it does not)."""
    await Client.connect(address)
    return True


async def keep_finished_workflows(address: str, retention: timedelta) -> None:
    """Set the ``default`` namespace's retention: the dev server's is 1 day, and `handoff report` sees no further."""
    ttl = Duration()
    ttl.FromTimedelta(retention)
    client = await Client.connect(address)
    await client.workflow_service.update_namespace(
        UpdateNamespaceRequest(namespace="default", config=NamespaceConfig(workflow_execution_retention_ttl=ttl))
    )


async def has_pollers(address: str, task_queue: str, since: datetime | None = None) -> bool:
    """Whether a worker polls ``task_queue``'s workflow tasks on the ``default`` namespace (and did at or after
    ``since``)."""
    client = await Client.connect(address)
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace="default",
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return any(since is None or poller.last_access_time.ToDatetime(UTC) >= since for poller in response.pollers)


async def http_ok(url: str) -> bool:
    """Whether ``url`` answers a GET with a 2xx (raises while nothing listens)."""
    async with httpx.AsyncClient(timeout=2) as http:
        return (await http.get(url)).is_success
