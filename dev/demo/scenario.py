"""The demo's story: twelve customers, and what each conversation's agents do."""

from dataclasses import dataclass
from enum import StrEnum

from workflows.escalation_types import Outcome


class Behaviour(StrEnum):
    REPLIES = "the assigned agent replies within the wait"
    SILENT = "nobody replies"
    CUSTOMER_CLOSES = "the customer closes the conversation during the wait"
    BOT_ONLY = "only an automated message is sent (it does not count)"
    HUMAN_REASSIGNS = "a supervisor reassigns it by hand during the wait"
    GOES_OFFLINE = "the assigned agent goes offline before replying"


EXPECTED = {
    Behaviour.REPLIES: Outcome.REPLIED,
    Behaviour.SILENT: Outcome.ESCALATED,
    Behaviour.CUSTOMER_CLOSES: Outcome.CLOSED,
    Behaviour.BOT_ONLY: Outcome.ESCALATED,
    Behaviour.HUMAN_REASSIGNS: Outcome.REASSIGNED_BY_HUMAN,
    Behaviour.GOES_OFFLINE: Outcome.ESCALATED,
}


@dataclass(frozen=True)
class Customer:
    contact_id: int
    first_name: str
    last_name: str
    behaviour: Behaviour

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def expected(self) -> Outcome:
        return EXPECTED[self.behaviour]


# Round robin gives Tier 1's Alice the even places and Bob the odd ones. Alice answers Maya, Lena and Ines, then
# goes offline (Mei's part): Handoff moves Ada and Mei, still unanswered, to Bob, and her answered ones stay.
CUSTOMERS = [
    Customer(1001, "Maya", "Cohen", Behaviour.REPLIES),
    Customer(1002, "Omar", "Haddad", Behaviour.SILENT),
    Customer(1003, "Lena", "Fischer", Behaviour.REPLIES),
    Customer(1004, "Raj", "Patel", Behaviour.SILENT),
    Customer(1005, "Sofia", "Rossi", Behaviour.CUSTOMER_CLOSES),
    Customer(1006, "Tom", "Becker", Behaviour.BOT_ONLY),
    Customer(1007, "Ines", "Duarte", Behaviour.REPLIES),
    Customer(1008, "Ken", "Sato", Behaviour.HUMAN_REASSIGNS),
    Customer(1009, "Ada", "Okoye", Behaviour.SILENT),
    Customer(1010, "Luis", "Garcia", Behaviour.SILENT),
    Customer(1011, "Mei", "Lin", Behaviour.GOES_OFFLINE),
    Customer(1012, "Noah", "Wright", Behaviour.SILENT),
]

SUPERVISOR_ID = 301
"""Sam, who reassigns a conversation by hand."""
HAND_PICKED_ID = 202
"""Dave, whom Sam picks."""
ABSENT_AGENT_ID = 203
"""Erin is offline for the whole demo: routing must skip her."""
