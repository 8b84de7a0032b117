"""Imports run one way: starter → worker → workflows, roster → models, and activities → models.

Workflow code reaches activities only inside ``workflow.unsafe.imports_passed_through()``, and no
production module imports the development tools (the sandbox, the demo) or the tests.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = ["models", "activities", "workflows", "roster", "worker", "starter"]
MAY_IMPORT = {
    "models": {"models"},
    "activities": {"models", "activities"},
    "workflows": {"models", "workflows"},
    "roster": {"models", "roster"},
    "worker": {"models", "activities", "workflows", "roster", "worker"},
    "starter": {"models", "activities", "workflows", "roster", "worker", "starter"},
}
PASSED_THROUGH = {"activities", "roster"}
"""What workflow code may name inside ``imports_passed_through`` (activity classes, for their method names)."""
KNOWN = {*PRODUCTION, "sandbox", "demo", "bench", "tests"}


def _imports(tree: ast.Module) -> list[tuple[str, bool]]:
    """Every project package a module imports, and whether the import is inside ``imports_passed_through``."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, passed_through: bool) -> None:
        if isinstance(node, ast.With):
            passed_through = passed_through or any("imports_passed_through" in ast.unparse(item) for item in node.items)
        if isinstance(node, ast.Import):
            found.extend((alias.name.split(".")[0], passed_through) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module.split(".")[0], passed_through))
        for child in ast.iter_child_nodes(node):
            visit(child, passed_through)

    visit(tree, False)
    return [(package, through) for package, through in found if package in KNOWN]


@pytest.mark.parametrize("package", PRODUCTION)
def test_imports_run_one_way(package):
    wrong = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for imported, passed_through in _imports(ast.parse(path.read_text())):
            allowed = MAY_IMPORT[package] | (
                PASSED_THROUGH if passed_through and package in ("workflows", "roster") else set()
            )
            if imported not in allowed:
                wrong.append(f"{path.relative_to(ROOT)} imports {imported}")
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_a_wrong_import():
    tree = ast.parse(
        "from sandbox.server import serving\nwith workflow.unsafe.imports_passed_through():\n    import roster\n"
    )
    assert _imports(tree) == [("sandbox", False), ("roster", True)]
