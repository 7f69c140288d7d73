# omgevingskaart: two commands do all the set-up.
#   make run    the app on the embedded Winterswijk demo (creates .venv when missing)
#   make test   the whole test suite (creates or updates .venv)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench demo serve venv

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/streamlit run streamlit_app.py --server.address 127.0.0.1 --server.port 8501 \
		--server.headless true --browser.gatherUsageStats false

test: $(STAMP)
	bash scripts/ensure-test-deps.sh
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

demo: $(STAMP)
	$(VENV)/bin/omgevingskaart demo build

serve: $(STAMP)
	$(VENV)/bin/omgevingskaart serve --host 127.0.0.1 --port 8000
