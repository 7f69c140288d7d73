# omgevingskaart: two commands do all the set-up.
#   make run    the app on the embedded Winterswijk demo (creates .venv when missing)
#   make test   the whole test suite (creates or updates .venv)
# Both install the exact versions (and hashes) of requirements.lock; `make lock` refreshes it.
# --no-deps: the lock is the whole closure (uv --universal), so pip resolves nothing; pip 23 re-resolved
# dask-geopandas's `dask[dataframe]` extra to a newer, unhashed dask and refused the install. `pip check` confirms.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
# The lock is resolved from PyPI only (--no-config: no uv.toml, and uv never reads pip's config)
# for every platform (--universal) and the oldest supported Python; the tool is pinned here.
UV_VERSION := 0.13.9
UV_COMPILE := $(VENV)/bin/uv pip compile pyproject.toml --all-extras --universal \
	--python-version 3.11 --generate-hashes --no-config --default-index https://pypi.org/simple \
	--custom-compile-command 'make lock' --quiet --output-file $(LOCK)

.PHONY: run test typecheck lint bench demo serve venv lock lock-upgrade

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml $(LOCK) | $(PY)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip check
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

# Refresh the lock after changing the dependencies in pyproject.toml: keeps the pinned versions
# that still fit and resolves what is new. `make lock-upgrade` moves everything to the newest.
lock: | $(PY)
	$(PY) -m pip install --quiet 'uv==$(UV_VERSION)'
	$(UV_COMPILE) $(UV_FLAGS)

lock-upgrade: UV_FLAGS := --upgrade
lock-upgrade: lock

run: $(STAMP)
	$(VENV)/bin/streamlit run streamlit_app.py --server.address 127.0.0.1 --server.port 8501 \
		--server.headless true --browser.gatherUsageStats false

test: $(STAMP)
	bash scripts/ensure-test-deps.sh
	$(VENV)/bin/ruff check .
	$(PY) -m mypy
	$(PY) -m pytest

typecheck: $(STAMP)
	$(PY) -m mypy

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

demo: $(STAMP)
	$(VENV)/bin/omgevingskaart demo build

serve: $(STAMP)
	$(VENV)/bin/omgevingskaart serve --host 127.0.0.1 --port 8000
