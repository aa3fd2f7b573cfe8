"""Where a routing decision's time goes: the cost of one forward pass, and of grounding's beam fallback.

    python benchmarks/pass_profile.py --run runs/NAME [--rows 160] [--engine torch|llama.cpp] [--out FILE.json]

The numbers docs/runtime.md "Speed" explains the latency with, measured on the run's router (bf16 where
the CPU has it, as served), each the median of repeated calls:

- `pass_1_token_ms` / `prefill_ms`: one decoding pass of 1 token, and the prefill of a ~24-token query,
  after the cached system prefix (what a decision costs is passes x these);
- `head_*`: the 49k-vocabulary LM head on the last position of an 8-token row and of 68 rows x 90 tokens
  (a beam prefill), given transformers' strided view `hidden[:, -1:, :]` versus a fresh contiguous copy
  (what `models/loading.contiguous_head_input` does);
- `linear_gflops_batch`: a bf16 576 x 1536 linear over 16 x 9 tokens (a batch pass is FLOP-bound);
- `route_input_s` / `beams_s`: routing the first `--rows` CLINC150 rows in batches of 16, and the part
  of it spent in grounding's beam candidates (`Router.spec_candidates_batch`).

With `--engine llama.cpp` (routers/llamacpp.py) the same decision costs are measured on llama.cpp
instead: `pass_1_token_ms`, `pass_3_tokens_all_logits_ms` (a token and a 2-token draft, logits at each),
`prefill_ms`, and `prefill_batch16_ms` (16 copies of the query's suffix as 16 sequences: a batch's first
pass); the head and linear figures are torch's own and are left out; the beam share is that of the
engine's beams. Writes JSON with machine info (default RUN/eval/pass_profile.json, or
pass_profile_llamacpp.json). Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from latency import heldout_rows, machine_info  # noqa: E402



def median_ms(fn, n: int = 12) -> float:
    fn()  # warm-up
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return sorted(times)[n // 2]


def engine_passes(router, suffix: list[int]) -> dict:
    """The llama.cpp engine's pass costs, on sequence 1 after the cached prefix (sequence 0)."""
    eng, P = router.engine, len(router.prefix.ids)

    def feed(rows: list[tuple[int, list[int], int]], pos: int):
        for seq, _t, _o in rows:
            eng.ctx.kv_cache_seq_rm(seq, -1, -1)
            eng.ctx.kv_cache_seq_cp(0, seq, 0, P)
        eng._feed(rows, pos)

    out = {"prefill_tokens": len(suffix),
           "pass_1_token_ms": median_ms(lambda: feed([(1, suffix[:1], 0)], P)),
           "pass_3_tokens_all_logits_ms": median_ms(lambda: feed([(1, suffix[:3], 0)], P)),
           "prefill_ms": median_ms(lambda: feed([(1, suffix, len(suffix) - 1)], P)),
           "prefill_batch16_ms": median_ms(lambda: feed([(s, suffix, len(suffix) - 1) for s in range(1, 17)], P), 5)}
    eng._forget()  # the engine's own calls start from the prefix alone
    return out


def measure(run: Path, n_rows: int, engine: str = "torch") -> dict:
    import torch

    from routerforge.evaluate.benchmarks import load_benchmark
    from routerforge.routers.generated import Router

    router = Router.from_run(run, engine=engine)
    model, dtype = router.model, router.model.dtype
    query = "Schedule Alice (2hr) and Bob (1hr), no overlap please today"
    suffix = router.prefix.suffix(query)
    if router.engine is not None:
        out = {"engine": engine, **engine_passes(router, suffix)}
        return {**out, **route_share(router, load_benchmark("clinc150"), n_rows, router.engine)}

    def forward(tokens: list[int]):
        ids, attn, pos, cache = router.prefix.inputs([tokens])
        with torch.no_grad():
            model(input_ids=ids, attention_mask=attn, position_ids=pos, past_key_values=cache, use_cache=True,
                  logits_to_keep=1)

    weight = model.get_output_embeddings().weight
    hidden = model.config.hidden_size
    out = {"dtype": str(dtype).removeprefix("torch."), "prefill_tokens": len(suffix),
           "pass_1_token_ms": median_ms(lambda: forward(suffix[:1])),
           "prefill_ms": median_ms(lambda: forward(suffix))}
    with torch.no_grad():
        for name, shape in (("row", (1, 8)), ("beams", (68, 90))):
            h = torch.randn(*shape, hidden, dtype=dtype)
            n = 3 if name == "beams" else 12
            out[f"head_{name}_strided_view_ms"] = median_ms(lambda: torch.nn.functional.linear(h[:, -1:, :], weight), n)
            out[f"head_{name}_contiguous_ms"] = median_ms(
                lambda: torch.nn.functional.linear(h[:, -1:, :].clone(memory_format=torch.contiguous_format), weight), n)
        x, w = torch.randn(16, 9, 576, dtype=dtype), torch.randn(1536, 576, dtype=dtype)
        ms = median_ms(lambda: torch.nn.functional.linear(x, w), 50)
        out["linear_gflops_batch"] = 2 * 16 * 9 * 576 * 1536 / (ms / 1000) / 1e9

    return {**out, **route_share(router, load_benchmark("clinc150"), n_rows, router)}


def route_share(router, rows: list[dict], n_rows: int, searcher) -> dict:
    """Route the first `n_rows` rows in batches of 16; how much of it went to grounding's beams."""
    queries = [r["query"] for r in rows][:n_rows]
    beams = [0.0]
    inner = searcher.spec_candidates_batch

    def timed(*a, **kw):
        t0 = time.perf_counter()
        try:
            return inner(*a, **kw)
        finally:
            beams[0] += time.perf_counter() - t0

    searcher.spec_candidates_batch = timed
    router.route_batch(queries[:4])  # warm-up
    beams[0] = 0.0
    t0 = time.perf_counter()
    for i in range(0, len(queries), 16):
        router.route_batch(queries[i:i + 16])
    return {"route_input_rows": len(queries), "route_input_s": time.perf_counter() - t0, "beams_s": beams[0]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", type=Path, required=True, help="trained run directory")
    p.add_argument("--rows", type=int, default=160, help="CLINC150 rows routed for the beam share (default 160)")
    p.add_argument("--engine", default="torch", choices=["torch", "llama.cpp"], help="what runs the passes (default torch)")
    p.add_argument("--out", type=Path, help="JSON output (default RUN/eval/pass_profile.json)")
    args = p.parse_args(argv)
    if args.rows < 1:
        p.error("--rows must be at least 1")
    from routerforge.io import atomic_write_json

    if heldout_rows(args.run) is None:
        return 2
    report = {"run": str(args.run), "machine": machine_info(), **measure(args.run, args.rows, args.engine)}
    name = "pass_profile.json" if args.engine == "torch" else "pass_profile_llamacpp.json"
    out = args.out or Path(args.run) / "eval" / name
    atomic_write_json(out, report)
    print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in report.items() if k != "machine"},
                     indent=1))
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
