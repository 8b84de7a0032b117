"""respond.io API calls counted by endpoint and status, through the running activity's metric meter."""

import re

from temporalio import activity

from models.metrics import Metric

API_CALLS = Metric(
    "handoff_api_calls",
    "counter",
    "respond.io API calls; status is the HTTP status or `network`, retry is whether the activity was retrying",
    ("endpoint", "status", "retry"),
)
ALL = (API_CALLS,)
NETWORK_FAILURE = "network"
"""The status of a call that got no answer (refused, timed out, cut off)."""

_IDENTIFIER = re.compile(r"/(\w+):[^/]+")
"""respond.io names a contact in the path as ``id:123``, ``email:...`` or ``phone:...``."""
_TEMPLATE = r"/\1:{\1}"


def endpoint(method: str, path: str) -> str:
    """A stable label for a call, never carrying an id: ``GET /contact/id:{id}/message/list``."""
    return f"{method} {_IDENTIFIER.sub(_TEMPLATE, path)}"


def count_api_call(method: str, path: str, status: str) -> None:
    """Count one call made by an activity; outside an activity (scripts, tests) nothing is recorded."""
    if not activity.in_activity():
        return
    retry = activity.info().attempt > 1
    API_CALLS.counter(activity.metric_meter()).add(
        1, {"endpoint": endpoint(method, path), "status": status, "retry": str(retry).lower()}
    )
