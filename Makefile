# Two commands for a new user on a fresh machine; each sets itself up.
#   make run   - the bot (no TELEGRAM_BOT_TOKEN: the local sandbox with the demo province)
#   make test  - ruff, mypy and the whole test suite (browser tests use Debian's chromium)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot run

# The browser test needs chromium; as root on Debian we install it, elsewhere it is skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
		|| echo "chromium not installed: browser tests will be skipped"; }

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

test: $(STAMP) browser lint
	$(PY) -m pytest

# Both benchmarks. The figures bench generates its databases once into data/bench (20 million
# sessions: ~7 GB and a while); FIGURES_ARGS="--large-sessions 2000000" for a quicker run.
FIGURES_ARGS ?=
bench: $(STAMP)
	$(PY) -m tests.perf.bench_sandbox
	$(PY) -m tests.perf.bench_figures --keep data/bench $(FIGURES_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
