"""A worker in its own OS process: the real workflows, take activity and roster client over a fake respond.io.

Run as ``python -m tests.routing.worker_process ADDRESS NAMESPACE TASK_QUEUE``; prints ``ready``
once polling and stops gracefully on SIGTERM.
"""

import asyncio
import os
import signal
import sys

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from activities.conversation import ConversationActivities
from roster.client import RosterClient
from roster.state import RosterConfig
from tests.routing.world import SUPPORT, OpenInbox, list_agents_returning
from worker.build import build_worker
from worker.settings import Settings


async def serve(address: str, namespace: str, task_queue: str) -> None:
    client = await Client.connect(address, namespace=namespace, data_converter=pydantic_data_converter)
    conversation = ConversationActivities(OpenInbox(), routing=RosterClient(client, task_queue, RosterConfig()))
    activities = [conversation.take_conversation, list_agents_returning(SUPPORT)]
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with build_worker(client, Settings(task_queue=task_queue), activities):
        print("ready", flush=True)
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(serve(*sys.argv[1:4]))
    os._exit(0)  # skip interpreter teardown, where the SDK's threads can abort the process (sdk-python#300)
