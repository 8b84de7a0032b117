"""Reading a /metrics page as Prometheus does: samples with their names, labels and values."""

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from models.metrics import Metric
from starter import webhook_metrics
from worker.metrics import WORKER_METRICS

HANDOFF_METRICS: tuple[Metric, ...] = (*WORKER_METRICS, *webhook_metrics.ALL)
"""Every metric Handoff defines: the worker's and the receiver's."""

_SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][\w:]*)(?:\{(?P<labels>.*)\})?\s+(?P<value>\S+)(?:\s+-?\d+)?$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float


def parse(text: str) -> list[Sample]:
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        assert match, f"not a Prometheus sample line: {line!r}"
        labels = dict(_LABEL.findall(match["labels"] or ""))
        samples.append(Sample(match["name"], labels, float(match["value"])))
    return samples


def total(samples: list[Sample], name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    return sum(s.value for s in samples if s.name == name and labels.items() <= s.labels.items())


async def scrape(url: str) -> list[Sample]:
    async with httpx.AsyncClient(timeout=5) as http:
        answer = await http.get(url)
    answer.raise_for_status()
    return parse(answer.text)


async def until(url: str, shows: Callable[[list[Sample]], bool], deadline: float = 60) -> list[Sample]:
    """Scrape ``url`` until ``shows`` holds for its samples; fail with what it showed last."""
    samples: list[Sample] = []
    try:
        async with asyncio.timeout(deadline):
            while not shows(samples := await scrape(url)):
                await asyncio.sleep(0.2)
    except TimeoutError:
        handoff = sorted({f"{s.name}{s.labels} {s.value}" for s in samples if s.name.startswith("handoff_")})
        raise AssertionError(f"{url} never showed what the test waits for; it shows:\n" + "\n".join(handoff)) from None
    return samples
