# Two commands for a new user on a fresh machine; each sets itself up.
#   make run   - the bot (no TELEGRAM_BOT_TOKEN: the local sandbox with the demo province)
#   make test  - ruff, mypy and the whole test suite (browser tests use Debian's chromium)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: run test lint bench bench-quick bench-profile bench-intake bench-sandbox bench-figures browser clean

# The exact, hash-checked versions of requirements-dev.lock, then the project itself (editable).
$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
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
	$(VENV)/bin/lint-imports

test: $(STAMP) browser lint
	$(PY) -m pytest

# The benchmarks print figures (docs/performance.md); extra flags: make bench BENCH_ARGS="...".
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	touch $(BENCH_STAMP)

# The update path: this bot's logging flows beside bare PTB and aiogram echo bots (~4 min).
bench: $(BENCH_STAMP)
	$(PY) -m tests.perf.bench_update_path $(BENCH_ARGS)

bench-quick: $(BENCH_STAMP)
	$(PY) -m tests.perf.bench_update_path --quick $(BENCH_ARGS)

# Where the bot's CPU goes under load: py-spy on its saturation phases, summed by library.
bench-profile: $(BENCH_STAMP)
	$(PY) -m tests.perf.bench_update_path --profile --bots this-bot $(BENCH_ARGS)

# Fairness: a 50,000-update backlog and a 35,000-member fan-out, newcomers' answer times (~8 min).
bench-intake: $(STAMP)
	$(PY) -m tests.perf.bench_intake $(BENCH_ARGS)

# Registry import, logging and broadcast through the product sandbox.
bench-sandbox: $(STAMP)
	$(PY) -m tests.perf.bench_sandbox $(BENCH_ARGS)

# Figures over years: digests, /stats, reminders and /export on a large generated province.
# It generates its databases once into data/bench (20 million sessions: ~7 GB and a while);
# FIGURES_ARGS="--large-sessions 2000000" for a quicker run.
FIGURES_ARGS ?=
bench-figures: $(STAMP)
	$(PY) -m tests.perf.bench_figures --keep data/bench $(FIGURES_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
