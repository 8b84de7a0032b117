"""Webhook answers counted by event and status, with how long the receiver took to give them."""

import time
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from temporalio.common import MetricMeter

from models.metrics import Metric
from starter.webhook_events import HANDLED_EVENTS

WEBHOOKS = Metric(
    "handoff_webhooks",
    "counter",
    "webhook answers; event is respond.io's event type (`unread` before the body was verified and read)",
    ("event", "status"),
)
WEBHOOK_SECONDS = Metric(
    "handoff_webhook_seconds",
    "histogram",
    "how long the receiver took to answer a webhook",
    ("event", "status"),
    (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ALL = (WEBHOOKS, WEBHOOK_SECONDS)
UNREAD = "unread"
OTHER = "other"


def event_label(payload: object) -> str:
    """The payload's event type when Handoff acts on it, else ``other``: a label's values must stay few."""
    event = payload.get("event_type") if isinstance(payload, dict) else None
    return event if isinstance(event, str) and event in HANDLED_EVENTS else OTHER


def note_event(request: Request, payload: object) -> None:
    """Tell the middleware which event the request carried (call once the signature is verified)."""
    request.state.webhook_event = event_label(payload)


class WebhookMetrics:
    """HTTP middleware: records every answer to ``path``, whatever produced it (the route, an error handler)."""

    def __init__(self, meter: MetricMeter, path: str):
        self._path = path
        self._answers = WEBHOOKS.counter(meter)
        self._seconds = WEBHOOK_SECONDS.histogram(meter)

    async def __call__(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path != self._path:
            return await call_next(request)
        started = time.perf_counter()
        status = 500  # an unexpected error passes through here and becomes a 500 further out
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            labels = {"event": getattr(request.state, "webhook_event", UNREAD), "status": str(status)}
            self._answers.add(1, labels)
            self._seconds.record(time.perf_counter() - started, labels)
