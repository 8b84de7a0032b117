"""``handoff agent``: set an agent's presence and see the roster (presence, load, the queue)."""

from collections import Counter

import typer
from rich.table import Table
from temporalio.client import Client

from roster.client import RosterClient, RosterNews
from roster.state import RosterSnapshot
from starter.cli_client import run_with_client
from starter.console import console
from worker.settings import settings

app = typer.Typer(help="Agents' presence and load, and the queue, as routing sees them.", no_args_is_help=True)

QUEUE_ROWS = 20
"""The queue's first contacts listed one by one; the rest are counted per pool."""


def _roster(client: Client) -> RosterClient:
    current = settings()
    return RosterClient(client, current.task_queue, current.roster())


@app.command()
def online(agent_id: int = typer.Argument(..., help="respond.io user id")) -> None:
    """Mark an agent online until they are marked offline."""
    _set(agent_id, True)


@app.command()
def offline(agent_id: int = typer.Argument(..., help="respond.io user id")) -> None:
    """Mark an agent offline: "only online" routing skips them."""
    _set(agent_id, False)


def _set(agent_id: int, is_online: bool) -> None:
    run_with_client(lambda client: _roster(client).tell(RosterNews.presence(agent_id, is_online)))
    console.print(f"Agent {agent_id} is now {'online' if is_online else 'offline'} for routing.")


@app.command("list")
def list_() -> None:
    """Every agent with team, presence and load, then the conversations queued for an agent, as the roster sees them."""
    snapshot = run_with_client(lambda client: _roster(client).snapshot())
    if snapshot is None:
        console.print("No roster yet: it starts with the first assignment or presence update.")
        return
    table = Table("id", "name", "team", "presence", "open", "held", title=f"Roster at {snapshot.as_of:%H:%M:%S} UTC")
    for status in snapshot.agents:
        agent = status.agent
        presence = "online" if status.online else "offline"
        table.add_row(str(agent.id), agent.name, agent.team or "-", presence, str(status.open), str(status.held))
    console.print(table)
    console.print("held: chosen by Handoff, not yet confirmed by respond.io; counted in the load.", highlight=False)
    if not any(status.online for status in snapshot.agents):
        console.print(
            "Nobody is online, so every `only_online` assign step waits for an agent. An agent counts as online "
            "once marked online (`handoff agent online AGENT_ID`) or for HANDOFF_INACTIVITY_TIMEOUT after a message.",
            highlight=False,
        )
    _print_queue(snapshot)


def _print_queue(snapshot: RosterSnapshot) -> None:
    """The queue in arrival order, each contact's place in its pool, and how many wait per pool."""
    if not snapshot.queue:
        console.print("Queue: empty, nobody waits for an agent.", highlight=False)
        return
    per_pool = ", ".join(f"{pool} {count}" for pool, count in Counter(q.pool for q in snapshot.queue).items())
    title = f"Queue: {len(snapshot.queue)} waiting ({per_pool})"
    table = Table("#", "contact", "pool", "place in pool", "waiting since", title=title)
    for position, queued in enumerate(snapshot.queue[:QUEUE_ROWS], start=1):
        since = f"{queued.since:%H:%M:%S} UTC"
        table.add_row(str(position), str(queued.contact_id), queued.pool, str(queued.place), since)
    console.print(table)
    if len(snapshot.queue) > QUEUE_ROWS:
        console.print(f"... and {len(snapshot.queue) - QUEUE_ROWS} more, served in arrival order.", highlight=False)
