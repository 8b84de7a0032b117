"""A stand-in for the roster's client (``models.agents.Routing``): one scripted answer, and a record of every call."""

from models.agents import Choice, ChoiceRequest


class FakeRouting:
    def __init__(self, answer: Choice):
        self.answer = answer
        self.chosen: list[tuple[ChoiceRequest, str]] = []
        """Each ``choose`` call: the request and its request id."""
        self.withdrawn: list[int] = []

    async def choose(self, request: ChoiceRequest, request_id: str) -> Choice:
        self.chosen.append((request, request_id))
        return self.answer

    async def withdraw(self, contact_id: int) -> None:
        self.withdrawn.append(contact_id)
