"""``handoff agent``: set an agent's presence and see the roster (presence, load, turns)."""

import typer
from rich.table import Table
from temporalio.client import Client

from roster.client import RosterClient, RosterNews
from starter.cli_client import run_with_client
from starter.console import console
from worker.settings import settings

app = typer.Typer(help="Agents' presence and load, as routing sees them.", no_args_is_help=True)


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
    """Every agent with team, presence and open conversations, as the roster sees them."""
    snapshot = run_with_client(lambda client: _roster(client).snapshot())
    if snapshot is None:
        console.print("No roster yet: it starts with the first assignment or presence update.")
        return
    table = Table("id", "name", "team", "presence", "open", title=f"Roster at {snapshot.as_of:%H:%M:%S} UTC")
    for status in snapshot.agents:
        agent = status.agent
        table.add_row(
            str(agent.id), agent.name, agent.team or "-", "online" if status.online else "offline", str(status.open)
        )
    console.print(table)
    if not any(status.online for status in snapshot.agents):
        console.print(
            "Nobody is online, so every `only_online` assign step waits for an agent. An agent counts as online "
            "once marked online (`handoff agent online AGENT_ID`) or for HANDOFF_INACTIVITY_TIMEOUT after a message.",
            highlight=False,
        )
