# dulieumo — `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(HOME)/.local/bin:$(PATH)
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
# a byte-code cache: without it every `dulieumo` subprocess compiles Prefect, GX and pandas again
export PYTHONDONTWRITEBYTECODE :=

UV ?= uv
VENV := .venv
BIN := $(VENV)/bin

.PHONY: help install install-worker portal demo test test-unit test-scale test-fresh lint bench clean

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36mmake %-11s\033[0m %s\n", $$1, $$2}'

install: ## Install system needs (uv, PostgreSQL, Redis if absent) and the .venv with `dulieumo`
	@bash portal/provision.sh
	@# byte-code compiled once per lock change (a stamp): fast starts even where the
	@# environment sets PYTHONDONTWRITEBYTECODE=1; compiling everything on every sync costs ~20 s
	@if [ -f $(VENV)/.bytecode ] && [ $(VENV)/.bytecode -nt uv.lock ]; then \
	  $(UV) sync --frozen --quiet; \
	else \
	  $(UV) sync --frozen --quiet --compile-bytecode && touch $(VENV)/.bytecode; \
	fi
	@$(BIN)/python -m compileall -q app flows dulieumo publish pull validate notify portal >/dev/null
	@$(BIN)/dulieumo --help >/dev/null && echo "installed: $(BIN)/dulieumo"

install-worker: ## A Prefect worker machine: uv and the .venv without the dev tools (no portal)
	@bash portal/provision.sh worker
	@$(UV) sync --frozen --no-dev --quiet
	@$(BIN)/prefect version >/dev/null && echo "installed: $(BIN)/prefect (start: $(BIN)/prefect worker start --pool dulieumo)"

portal: install ## Start the local CKAN portal (installs CKAN into .portal/venv on first run)
	@$(BIN)/dulieumo portal up

demo: portal ## Install, start the portal, publish the sample catalogue, print where to look
	@$(BIN)/dulieumo demo

test: portal ## Run the whole test suite against the real local portal
	@$(BIN)/python -m pytest -q

test-unit: install ## The fast layer: no portal, no Prefect server, no CLI subprocess (< 3 min)
	@$(BIN)/python -m pytest -q -m "not portal and not slow"

test-scale: portal ## Several machines on one: Prefect server, two workers, a killed worker (~6 min; also in make test)
	@$(BIN)/python -m pytest -q -m scale

test-fresh: ## As root: `make demo` + `make test` in a fresh Debian 12 chroot (slow; not in CI)
	@bash portal/fresh-debian-check.sh

lint: install ## ruff, ruff format --check, mypy (CKAN extension included), the import contracts
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy
	@$(BIN)/lint-imports
	@$(BIN)/python tools/check_private_imports.py

bench: install ## Validation benchmark against frictionless and GX (1,000,000 rows)
	@$(BIN)/python bench/validate

clean: ## Stop the portal and remove local state (.portal, .venv)
	-@$(BIN)/dulieumo portal down 2>/dev/null
	rm -rf .portal .venv .prefect
