"""The sandbox serves its routes' documentation, and every route the README's sandbox section uses exists."""

import re
from pathlib import Path

import httpx

README = Path(__file__).resolve().parents[2] / "README.md"


async def test_every_route_the_readme_uses_is_documented_by_the_sandbox(sandbox):
    section = README.read_text().split("## Trying it with the sandbox", 1)[1].split("\n## ", 1)[0]
    used = {re.sub(r"/\d+", "/{id}", path) for path in re.findall(r"\$S(/[\w/-]+)", section)}
    async with httpx.AsyncClient(base_url=sandbox) as http:
        assert (await http.get("/docs")).status_code == 200
        served = {re.sub(r"\{\w+\}", "{id}", path) for path in (await http.get("/openapi.json")).json()["paths"]}
    assert len(used) >= 7
    assert {f"/sandbox{path}" for path in used} <= served
