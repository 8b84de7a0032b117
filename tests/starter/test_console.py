"""The CLI's console: a terminal keeps its own width; piped output is not wrapped at 80 columns."""

import io

from starter.console import PIPED_WIDTH, width_for


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_output_is_wide_unless_columns_says_otherwise():
    assert width_for(io.StringIO(), {}) == PIPED_WIDTH > 200
    assert width_for(io.StringIO(), {"COLUMNS": "132"}) is None  # rich reads COLUMNS itself
    assert width_for(Terminal(), {}) is None
