"""Connecting to Temporal with the settings Temporal's own tools read, or to the local `handoff up`."""

import json
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.envconfig import ClientConfig
from temporalio.runtime import Runtime

from worker.settings import Settings

DEFAULT_ADDRESS = "localhost:7233"
STACK_FILE = "stack.json"
"""Written by `handoff up` into its data folder while it runs: where its Temporal listens."""


class TemporalUnreachable(Exception):
    """The Temporal server could not be reached; the message says where we looked."""


def record_local_stack(data_dir: Path, temporal_address: str) -> Path:
    """Let other `handoff` commands run from the same folder find this stack's Temporal."""
    path = data_dir / STACK_FILE
    path.write_text(json.dumps({"temporal_address": temporal_address}))
    return path


def local_stack_address(data_dir: Path) -> str | None:
    """The Temporal address a running `handoff up` recorded in ``data_dir``, if any."""
    try:
        return str(json.loads((data_dir / STACK_FILE).read_text())["temporal_address"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """Connect with TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS and profiles; without an
    address, to the `handoff up` running from ``settings.data_dir``, else to localhost:7233. ``runtime``: one
    serving metrics (``worker.metrics``), else the SDK's default."""
    config = ClientConfig.load_client_connect_config()
    found = "TEMPORAL_ADDRESS or the profile"
    if "target_host" not in config:
        recorded = local_stack_address(settings.data_dir)
        found = f"{settings.data_dir / STACK_FILE}, written by `handoff up`" if recorded else "the default"
        config["target_host"] = recorded or DEFAULT_ADDRESS
    try:
        return await Client.connect(**config, data_converter=pydantic_data_converter, runtime=runtime)
    except RuntimeError as error:
        raise TemporalUnreachable(
            f"cannot reach Temporal at {config['target_host']} (from {found}; namespace "
            f"{config.get('namespace', 'default')}): {error}. Start it with `handoff up`, or set TEMPORAL_ADDRESS "
            "to your server."
        ) from error
