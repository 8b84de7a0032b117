"""The respond.io webhook receiver: signed events start and signal escalations in Temporal.

An event is acknowledged (200) only after Temporal has accepted the start or the signal.
Any other answer makes respond.io deliver it again, so nothing is lost while Temporal is
down, and duplicate deliveries are absorbed by ``starter.escalations``. Every request's work
with Temporal, connecting included, is bounded by ``HANDOFF_TEMPORAL_TIMEOUT``: a Temporal that
is down, stopped or frozen costs the sender a 503 within that time, never a hang.
"""

import asyncio
import hmac
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.client import Client
from temporalio.common import MetricMeter
from temporalio.runtime import Runtime
from temporalio.service import RPCError, RPCStatusCode

from models.ids import escalation_workflow_id
from roster.client import RosterClient, RosterNews
from starter import webhook_metrics
from starter.escalations import signal_escalation, start_escalation
from starter.logs import about_contact
from starter.policy_file import describe_error
from starter.serving import serving
from starter.signatures import signature_matches
from starter.webhook_events import Action, Ignore, InvalidEvent, SignalEscalation, StartEscalation, action_for
from worker import connection
from worker.metrics import metrics_runtime
from worker.settings import Settings
from workflows.policy import Policy

log = logging.getLogger("handoff.receiver")

WEBHOOK_PATH = "/webhooks/respondio"
RETRY_AFTER_SECONDS = 5
_UNREACHABLE_STATUSES = {RPCStatusCode.UNAVAILABLE, RPCStatusCode.RESOURCE_EXHAUSTED}
_KEYS_HINT = "check that HANDOFF_WEBHOOK_KEYS holds the signing key of this webhook subscription in respond.io"


class MissingWebhookKeys(Exception):
    """The receiver cannot verify any event without at least one signing key."""


class _TemporalLink:
    """One Temporal client for the app, connected on first use and again after a failed connect.

    Connecting lazily lets the receiver start, and answer 503, while Temporal is still down. A connect
    that hangs (a black-holed address) holds the others behind the lock only until each one's own
    bound (``HANDOFF_TEMPORAL_TIMEOUT``) runs out, which also cancels the connect, so the next one tries again.
    """

    def __init__(self, connect: Callable[[], Awaitable[Client]]):
        self._connect = connect
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        async with self._lock:
            if self._client is None:
                self._client = await self._connect()
        return self._client


def _unreachable(error: BaseException) -> bool:
    """Whether an error means Temporal could not take the request now (worth retrying), not that it refused it."""
    if isinstance(error, RPCError):
        return error.status in _UNREACHABLE_STATUSES
    return isinstance(error, connection.TemporalUnreachable | ConnectionError)


def _too_slow(error: BaseException) -> bool:
    """Whether Temporal did not answer in time: our own bound ran out, or the call's deadline did."""
    return isinstance(error, TimeoutError) or (
        isinstance(error, RPCError) and error.status == RPCStatusCode.DEADLINE_EXCEEDED
    )


def create_receiver(
    settings: Settings,
    policy: Policy,
    connect: Callable[[], Awaitable[Client]] | None = None,
    runtime: Runtime | None = None,
) -> FastAPI:
    """The FastAPI app: ``POST /webhooks/respondio`` for events and ``GET /health``; ``runtime`` serves metrics
    (``worker.metrics``), and connects the default ``connect``."""
    if not settings.webhook_keys:
        raise MissingWebhookKeys(
            "no webhook signing keys: set HANDOFF_WEBHOOK_KEYS to the signing keys of your respond.io "
            "webhook subscriptions, comma-separated"
        )
    roster_config = settings.roster()  # checked now: a bad setting is an error at start, not on every event
    temporal = _TemporalLink(connect or (lambda: connection.connect(settings, runtime)))
    bound = timedelta(seconds=settings.temporal_timeout)

    async def roster() -> RosterClient:
        return RosterClient(await temporal.client(), settings.task_queue, roster_config, rpc_timeout=bound)

    app = FastAPI(title="Handoff webhook receiver", docs_url=None, redoc_url=None, openapi_url=None)
    meter = runtime.metric_meter if runtime else MetricMeter.noop
    app.middleware("http")(webhook_metrics.WebhookMetrics(meter, WEBHOOK_PATH))

    @app.exception_handler(StarletteHTTPException)
    async def _as_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": error.detail}, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        """Keep the JSON error shape; the server still logs the traceback."""
        return JSONResponse({"error": "internal error; the request was not processed, see the receiver's log"}, 500)

    @app.post(WEBHOOK_PATH)
    async def receive(request: Request) -> dict[str, Any]:
        body = await _read_body(request, settings.max_body_bytes)
        _verify(body, request.headers.get("X-Webhook-Signature"), settings)
        payload = _parse(body)
        webhook_metrics.note_event(request, payload)
        action = _decode(payload, policy)
        if isinstance(action, Ignore):
            log.info("Ignored an event: %s", action.why)
            return {"result": "ignored", "why": action.why}
        async with _temporal_errors(settings.temporal_timeout):
            return await _carry_out(action, await temporal.client(), settings.task_queue, policy, await roster(), bound)

    @app.put("/agents/{agent_id}/presence")
    async def presence(agent_id: int, request: Request) -> dict[str, Any]:
        """Set an agent online or offline for routing: respond.io's API has no presence to read."""
        _authorize(request.headers.get("Authorization"), settings)
        body = await _read_body(request, settings.max_body_bytes)
        try:
            change = PresenceBody.model_validate_json(body)
        except ValidationError as error:
            raise HTTPException(400, "; ".join(describe_error(item) for item in error.errors())) from error
        async with _temporal_errors(settings.temporal_timeout):
            await (await roster()).tell(RosterNews.presence(agent_id, change.online))
        log.info("Agent %s is now %s", agent_id, "online" if change.online else "offline")
        return {"agent_id": agent_id, "online": change.online}

    @app.get("/health")
    async def health() -> JSONResponse:
        """200 when Temporal answers a health check within the receiver's timeout, else 503: it says whether
        webhooks can be taken now."""
        try:
            async with asyncio.timeout(settings.temporal_timeout):
                client = await temporal.client()
                healthy = await client.service_client.check_health(timeout=bound)
        except (RPCError, connection.TemporalUnreachable, ConnectionError, TimeoutError):
            healthy = False
        if healthy:
            return JSONResponse({"status": "ok", "temporal": "reachable"})
        return JSONResponse({"status": "degraded", "temporal": "unreachable"}, status_code=503)

    return app


def _is_json(content_type: str | None) -> bool:
    """No content type, ``application/json`` or a ``+json`` type (any parameters, such as a charset)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media in ("", "application/json") or media.endswith("+json")


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 415 unless it is declared as JSON (or not declared) and 413 above ``limit``."""
    if not _is_json(request.headers.get("Content-Type")):
        declared = request.headers.get("Content-Type")
        raise HTTPException(415, f"the body must be JSON (Content-Type: application/json), not {declared}")
    too_large = HTTPException(
        413, f"the body is larger than {limit} bytes, the receiver's limit (HANDOFF_MAX_BODY_BYTES)"
    )
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


def _verify(body: bytes, signature: str | None, settings: Settings) -> None:
    if signature is None:
        log.warning("Refused an event without X-Webhook-Signature")
        raise HTTPException(401, f"the X-Webhook-Signature header is missing; {_KEYS_HINT}")
    if not signature_matches(body, signature, settings.webhook_keys):
        log.warning("Refused an event whose X-Webhook-Signature matches none of the configured keys")
        raise HTTPException(401, f"X-Webhook-Signature matches none of the configured keys; {_KEYS_HINT}")


class PresenceBody(BaseModel):
    online: bool


def _authorize(header: str | None, settings: Settings) -> None:
    if settings.api_token is None:
        raise HTTPException(
            403, "presence updates over HTTP are off; set HANDOFF_API_TOKEN and send it as a Bearer token"
        )
    expected = f"Bearer {settings.api_token.get_secret_value()}".encode()
    if header is None or not hmac.compare_digest(header.encode(), expected):
        raise HTTPException(401, "send HANDOFF_API_TOKEN as `Authorization: Bearer <token>`")


def _parse(body: bytes) -> object:
    try:
        return from_json(body, allow_inf_nan=False)
    except ValueError as error:
        raise HTTPException(400, f"the body is not valid JSON: {error}") from error


def _decode(payload: object, policy: Policy) -> Action:
    try:
        return action_for(payload, policy, datetime.now(UTC))
    except InvalidEvent as error:
        raise HTTPException(400, f"the event is not one Handoff can read: {error}") from error


@asynccontextmanager
async def _temporal_errors(timeout: float) -> AsyncIterator[None]:
    """Bound the work with Temporal to ``timeout`` seconds, and turn its failures into answers that make the
    sender retry.

    A call cut off by the bound (a frozen or overloaded Temporal) may still be applied after the answer.
    The retry is safe because everything the receiver asks is idempotent: an opening is a signal-with-start
    on the contact's workflow id that recognises the same opening again (``starter.escalations``), an
    escalation's signals only wake it to ask respond.io's API, and a roster signal states a fact (presence,
    activity at a time, an assignment, a closing) that reads the same when applied twice.
    """
    try:
        async with asyncio.timeout(timeout):
            yield
    except Exception as error:
        if _too_slow(error):
            log.warning("Temporal did not answer within %s s, answered 503: %r", timeout, error)
            raise _retry_later(
                f"Temporal did not answer within {timeout:g} s (HANDOFF_TEMPORAL_TIMEOUT); retry later: "
                "the event may or may not have been taken, and taking it again is safe"
            ) from error
        if _unreachable(error):
            log.warning("Temporal is unreachable, answered 503: %s", error)
            raise _retry_later("Temporal is unreachable; the event was not processed, retry later") from error
        if isinstance(error, RPCError):
            log.error("Temporal refused the request: %s", error)
            message = (
                f"Temporal refused the request ({error.status.name}: {error.message}); the event was not processed"
            )
            raise HTTPException(500, message) from error
        raise


def _retry_later(message: str) -> HTTPException:
    return HTTPException(503, message, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


async def _carry_out(
    action: StartEscalation | SignalEscalation,
    client: Client,
    task_queue: str,
    policy: Policy,
    roster: RosterClient,
    rpc_timeout: timedelta,
) -> dict[str, Any]:
    """Start or signal; ``rpc_timeout`` is each call's gRPC deadline too, so the SDK stops retrying a call, and a
    server that is only slow stops working on it, once the sender has its 503."""
    workflow_id = escalation_workflow_id(action.contact_id)
    if isinstance(action, StartEscalation):
        result = await start_escalation(
            client, task_queue, policy, action.contact_id, action.opening, action.opened_at, rpc_timeout
        )
        log.info("Opening %s: %s", action.opening, result.detail, extra=about_contact(action.contact_id))
        return {
            "result": "started" if result.started else ("delivered" if result.handle else "duplicate"),
            "workflow_id": workflow_id,
            "detail": result.detail,
        }
    name = action.signal.__name__
    running = await signal_escalation(client, action.contact_id, action.signal, action.event, rpc_timeout)
    if action.roster is not None:
        await roster.tell(action.roster)
    if not running:
        log.info("No escalation running: %s not sent", name, extra=about_contact(action.contact_id))
        return {"result": "no escalation running", "workflow_id": workflow_id}
    log.info("Signalled %s", name, extra=about_contact(action.contact_id))
    return {"result": "signalled", "workflow_id": workflow_id, "signal": name}


async def run_receiver(settings: Settings, policy: Policy) -> None:
    """Serve the receiver on ``receiver_host:receiver_port`` until SIGINT or SIGTERM."""
    runtime = metrics_runtime(settings, webhook_metrics.ALL)  # serves /metrics even while Temporal is down
    app = create_receiver(settings, policy, runtime=runtime)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with serving(app, port=settings.receiver_port, host=settings.receiver_host) as url:
        log.info("Receiving respond.io webhooks at %s%s (policy %r)", url, WEBHOOK_PATH, policy.name)
        await stop.wait()
        log.info("Stopping the receiver")
