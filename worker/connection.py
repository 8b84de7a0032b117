"""Connecting to Temporal with the settings Temporal's own tools read."""

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.envconfig import ClientConfig


class TemporalUnreachable(Exception):
    """The Temporal server could not be reached; the message says where we looked."""


async def connect() -> Client:
    """Connect using TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS and profiles."""
    config = ClientConfig.load_client_connect_config()
    config.setdefault("target_host", "localhost:7233")
    try:
        return await Client.connect(**config, data_converter=pydantic_data_converter)
    except RuntimeError as error:
        raise TemporalUnreachable(
            f"cannot reach Temporal at {config['target_host']} (namespace {config.get('namespace', 'default')}): "
            f"{error}. Start it with `handoff up`, or set TEMPORAL_ADDRESS to your server."
        ) from error
