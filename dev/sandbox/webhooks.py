"""Webhook delivery from the outbox: signed like respond.io, in order per subscription, retried with backoff.

Deliveries are rows written with the change that caused them, so a delivery is never lost, even
across a restart, and may arrive more than once (at-least-once, as receivers must expect).
"""

import asyncio
import base64
import hashlib
import hmac
import logging
import time
from sqlite3 import Row

import httpx

from sandbox.settings import SandboxSettings
from sandbox.store import Store

log = logging.getLogger(__name__)


def sign(signing_key: str, body: bytes) -> str:
    """``X-Webhook-Signature``: base64 of the HMAC-SHA256 of the raw body under the subscription's key."""
    digest = hmac.new(signing_key.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return None


class Deliverer:
    """Drains the outbox: one task per subscription with pending deliveries, oldest first."""

    def __init__(self, store: Store, client: httpx.AsyncClient, settings: SandboxSettings):
        self._store = store
        self._client = client
        self._settings = settings
        self._wake = asyncio.Event()
        self._drains: dict[int, asyncio.Task[None]] = {}

    def notify(self) -> None:
        """Look at the outbox again (called after new deliveries are committed)."""
        self._wake.set()

    async def run(self) -> None:
        """Start a drain for every subscription with pending deliveries, each time there may be new ones."""
        try:
            while True:
                for subscription_id in self._store.pending_subscriptions():
                    drain = self._drains.get(subscription_id)
                    if drain is None or drain.done():
                        self._drains[subscription_id] = asyncio.create_task(self._drain(subscription_id))
                await self._wake.wait()
                self._wake.clear()
        finally:
            for drain in self._drains.values():
                drain.cancel()
            await asyncio.gather(*self._drains.values(), return_exceptions=True)

    async def _drain(self, subscription_id: int) -> None:
        while (delivery := self._store.next_delivery(subscription_id)) is not None:
            wait = delivery["next_attempt_at"] - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
                continue  # look again: the subscription may have been removed meanwhile
            await self._attempt(delivery)

    async def _attempt(self, delivery: Row) -> None:
        """POST one delivery and record the outcome: delivered, retry later, or failed for good."""
        body = delivery["body"].encode()
        headers = {"Content-Type": "application/json", "X-Webhook-Signature": sign(delivery["signing_key"], body)}
        retry_after = None
        try:
            response = await self._client.post(delivery["url"], content=body, headers=headers)
        except httpx.HTTPError as error:
            status, problem = None, f"{type(error).__name__}: {error}"
        else:
            if response.is_success:
                with self._store.transaction():
                    self._store.record_attempt(delivery["id"], "delivered", response.status_code, None)
                return
            status, problem, retry_after = response.status_code, f"HTTP {response.status_code}", _retry_after(response)
        settings = self._settings
        attempts = delivery["attempts"] + 1
        if attempts >= settings.max_attempts:
            log.warning(
                "webhook %s to %s failed after %d attempts: %s", delivery["event"], delivery["url"], attempts, problem
            )
            with self._store.transaction():
                self._store.record_attempt(delivery["id"], "failed", status, problem)
            return
        backoff = settings.retry_initial * 2 ** min(attempts - 1, 32) if retry_after is None else retry_after
        with self._store.transaction():
            self._store.record_attempt(
                delivery["id"], "pending", status, problem, time.time() + min(backoff, settings.retry_max)
            )
