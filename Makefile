# ddanalysis: every set-up step lives here, so a fresh machine with only Python 3.11 needs nothing else.
#   make dashboards   set up, then serve the Voila dashboards on http://127.0.0.1:8866 (bundled data)
#   make test         set up, then run the whole test suite
#   make help         every target, one line each
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8866
PYTEST_ARGS ?=

.PHONY: help install system-deps js-deps test test-fast lint format typecheck hooks dashboards lab data datalog export notebooks bench strip clean

help:
	@grep -E '^[a-z-]+:.*## ' Makefile | sed -E 's/:.*## /\t/'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv (if missing) and install the package with its test tools

system-deps: ## Debian's chromium, LibreOffice (calc), poppler, npm; axe-core and plotly.js's finance bundle pinned in package-lock.json (npm ci)
	@bash scripts/system_deps.sh

js-deps: ## npm (Debian's, when missing) and the JavaScript pinned in package-lock.json (npm ci)
	@bash scripts/system_deps.sh --js

# The whole suite in two runs: every test but the load tests on two pytest-xdist workers, then the
# load tests alone in one process, so that no other test shares the cores with their many viewers.
# A run that selects no test (exit status 5, e.g. with PYTEST_ARGS="-k ...") is not a failure.
test: install system-deps ## run the whole test suite (two workers, then the load tests alone)
	$(PY) -m pytest -n 2 --dist worksteal -m "not load" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(PY) -m pytest -m load $(PYTEST_ARGS) || [ $$? -eq 5 ]

test-fast: install ## the suite without browser, LibreOffice and notebook tests
	$(PY) -m pytest -m "not browser and not libreoffice and not notebooks" $(PYTEST_ARGS)

lint: install ## ruff: lint rules (incl. a complexity limit) and formatting, checked without changing files
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## ruff: sort imports and format the code in place
	$(VENV)/bin/ruff check --fix --select I .
	$(VENV)/bin/ruff format .

typecheck: install ## mypy on the package (settings in pyproject.toml)
	$(VENV)/bin/mypy

hooks: install ## install the pre-commit hooks (.pre-commit-config.yaml) in this clone's .git
	$(VENV)/bin/pre-commit install

dashboards: install js-deps ## serve dashboards/ with Voila on 127.0.0.1:$(PORT) (WORKSPACES="folder ..." beside the bundled projects)
	$(PY) -m ddanalysis.dashboard.serve $(WORKSPACES) --port $(PORT)

lab: install ## open JupyterLab on the project (the package importable)
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root)

data: install ## rebuild data/official (extract, code lookup, class medians, data log) from every RS, RSX and RA file (.xls/.xlsx/.ods/.csv) in ../shared/data/official
	$(PY) -m ddanalysis.sources.build

datalog: install ## regenerate the data log: the table in data/assumptions/README.md and impact_rank.csv
	$(PY) -m ddanalysis.datalog

export: install ## write the programme workbook to output/ddanalysis_programme.xlsx
	@mkdir -p output
	$(PY) -m ddanalysis export --all -o output/ddanalysis_programme.xlsx

notebooks: install ## run the options-appraisal template for every project (or PROJECTS="id-or-workspace-folder ...") into output/notebooks
	$(PY) -m ddanalysis.notebook_runner $(foreach p,$(PROJECTS),-p $(p))

bench: install system-deps ## benchmarks, each against a baseline in the same run
	$(PY) -m pytest benchmarks -p no:xdist --benchmark-only --benchmark-columns=min,median,mean,rounds

strip: install ## strip outputs from every committed notebook
	$(VENV)/bin/nbstripout notebooks/*.ipynb dashboards/*.ipynb

clean:
	rm -rf output .pytest_cache build *.egg-info
