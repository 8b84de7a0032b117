"""The README's settings table is the settings model's: every variable, its default and its meaning."""

from datetime import timedelta
from pathlib import Path

from models.durations import format_duration
from worker.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
START, END = "<!-- settings table: checked by tests/docs/test_readme_settings.py -->", "<!-- end of settings table -->"


def shown(default: object) -> str:
    if default is None:
        return "(unset)"
    if default == []:
        return "(none)"
    if isinstance(default, timedelta):
        return format_duration(default)
    if isinstance(default, Path) and default.is_absolute():
        return str(default.relative_to(ROOT))
    return str(default)


def expected_table() -> str:
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = shown(field.get_default(call_default_factory=True))
        rows.append(f"| `HANDOFF_{name.upper()}` | `{default}` | {field.description} |")
    return "\n".join(rows)


def test_the_readme_lists_every_setting_with_its_default():
    readme = (ROOT / "README.md").read_text()
    assert START in readme and END in readme, f"the README needs the settings table between {START} and {END}"
    table = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == expected_table(), f"put this table in the README:\n{expected_table()}"


def test_every_setting_says_what_it_is_for():
    assert all(field.description for field in Settings.model_fields.values())
