"""``handoff up --sandbox``: routing starts from the sandbox's presence, not from "everyone offline".

The sandbox's agents start online, while the roster counts an agent nobody reported on as offline
(respond.io's API has no presence). The sandbox forwards every later change to the receiver itself;
this passes on where it stands when the stack starts, over HTTP like any client of the two.
"""

from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class AgentsOnline:
    online: int
    total: int


async def pass_on_sandbox_presence(sandbox_url: str, receiver_url: str, api_token: str) -> AgentsOnline:
    """Tell the receiver (``PUT /agents/{id}/presence``) each sandbox agent's presence."""
    async with httpx.AsyncClient(timeout=10) as http:
        state = await http.get(f"{sandbox_url}/sandbox/state")
        agents = state.raise_for_status().json()["agents"]
        for agent in agents:
            answer = await http.put(
                f"{receiver_url}/agents/{agent['id']}/presence",
                json={"online": agent["online"]},
                headers={"Authorization": f"Bearer {api_token}"},
            )
            answer.raise_for_status()
    return AgentsOnline(online=sum(1 for agent in agents if agent["online"]), total=len(agents))
