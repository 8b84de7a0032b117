"""A stand-in for the roster's client (``models.agents.Routing``): scripted answers, and a record of every call."""

from models.agents import Choice, ChoiceRequest


class FakeRouting:
    def __init__(self, answer: Choice, online: frozenset[int] = frozenset()):
        self.answer = answer
        self.online = online
        """The agents ``is_online`` counts as online."""
        self.chosen: list[tuple[ChoiceRequest, str]] = []
        """Each ``choose`` call: the request and its request id."""
        self.withdrawn: list[int] = []

    async def choose(self, request: ChoiceRequest, request_id: str) -> Choice:
        self.chosen.append((request, request_id))
        return self.answer

    async def withdraw(self, contact_id: int) -> None:
        self.withdrawn.append(contact_id)

    async def is_online(self, agent_id: int) -> bool:
        return agent_id in self.online
