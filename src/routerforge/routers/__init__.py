"""Routers: everything that turns a query into a decision (`expert`, `spec`), in one package.

- `base.py`: the `BaseRouter` protocol, the `Routed` record and `finish()` (executes the chosen expert);
- `registry.py`: the `ROUTERS` name -> factory registry with every built-in router, and `build_routers()`;
- `generated.py`: the trained (or few-shot) language-model router — prefix KV cache, constrained decoding;
- `prefill.py`: the batched prompt prefill over a cached system prefix, shared by the generated router,
  the probe and calibration;
- `constrained.py`: the decoding constraints (expert-name trie, spec charsets read from the experts);
- `probe.py`: hidden-state probe routing (a linear head over the prefill);
- `calibration.py`: temperature scaling and abstention thresholds (pure functions + name scores);
- `rules.py`, `embedding.py`: the regex/keyword and MiniLM-kNN baselines.

Evaluation, the CLI and the HTTP server all build routers through `registry.build_routers`.
"""
