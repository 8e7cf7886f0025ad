# Velox: the one entry point. `make run` and `make test` install what they need first.
SHELL := /bin/bash
PYTHON ?= python3
TOOLS := .velox/tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
export UV_PYTHON ?= $(PYTHON)
export UV_PYTHON_DOWNLOADS ?= never
RUN := $(UV) run --frozen --no-sync
PACKAGES := velox_shared velox_gateway velox_billing velox_commerce velox_analytics \
	velox_automation velox_price_intel velox_vin_intel velox_trading velox_devstack
MYPY_PACKAGES := $(addprefix -p ,$(PACKAGES) tests $(if $(wildcard bench/__init__.py),bench))

# `make test` runs the suite in two passes: everything but the end-to-end tests spread
# over TEST_WORKERS processes (pytest-xdist; each has its own database, Redis database and
# apps), then the end-to-end tests one at a time, alone on the machine (they start whole
# stacks and time things like a rate limit's refill). PYTEST_ARGS goes to both passes; a
# pass it leaves with no test (exit 5) is skipped only in the second. E2E_TESTS narrows
# the second pass to some end-to-end tests (CI's second run of the suite, see .ci/run).
TEST_WORKERS ?= 3
PYTEST_ARGS ?=
E2E_TESTS ?=

.PHONY: run test lint format bench migrate clean clean-data install

$(TOOLS)/bin/uv:
	@echo "velox | bootstrapping uv into $(TOOLS)"
	@$(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv>=0.5"

# Bytecode is compiled at install (dependencies) and before every run (our own sources,
# only what changed): where PYTHONDONTWRITEBYTECODE is set, nothing writes .pyc files
# otherwise, and every process (each service, test worker and end-to-end stack) would
# compile every module it imports from source again, taking seconds each.
.venv/.velox-synced: $(UV) uv.lock pyproject.toml $(wildcard */pyproject.toml services/*/pyproject.toml deploy/local/pyproject.toml)
	@$(UV) sync --frozen --all-packages --quiet --compile-bytecode
	@touch $@

install: .venv/.velox-synced
	@$(RUN) python -m compileall -q -j 0 shared gateway services deploy tests bench > /dev/null

run: install
	@$(RUN) python -m velox_devstack run

migrate: install
	@$(RUN) python -m velox_devstack migrate

test: install
	@$(RUN) pytest -n $(TEST_WORKERS) -m "not e2e" $(PYTEST_ARGS)
	@$(RUN) pytest -m e2e $(E2E_TESTS) $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: install
	$(RUN) ruff format --check .
	$(RUN) ruff check .
	$(RUN) mypy $(MYPY_PACKAGES)
	$(RUN) lint-imports

format: install
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

bench: install
	@$(RUN) python -m bench.events
	@$(RUN) python -m bench.gateway
	@$(RUN) python -m bench.billing
	@$(RUN) python -m bench.vin
	@$(RUN) python -m bench.vin_packages
	@$(RUN) python -m bench.commerce
	@$(RUN) python -m bench.commerce_search

clean:
	rm -rf .venv $(TOOLS) .mypy_cache .ruff_cache .pytest_cache bench/results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

clean-data:
	rm -rf .velox/postgres .velox/redis .velox/identity
