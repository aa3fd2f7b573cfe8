"""Which SFT recipe learns specs: train each recipe on one class's rows of a run's data, score held out.

    python benchmarks/sft_recipes.py --run runs/NAME [--classes word_problem] [--epochs 2] [--train-rows N]
        [--recipe 'NAME={"lora_layers": 16, "lora_r": 64, "lora_alpha": 128, "lr": 0.002}' ...] [--out FILE.json]

A quick way to compare recipes before paying for a full `make demo`: each recipe is the demo's cached
SFT (`train.sft_cached`, minimal prompt, numbers read as digits) on the run's train rows of the given
classes only (505 word problems in the demo data: about 2 minutes a recipe on 2 cores), then the
constrained router (no grounding, no abstention) routes those classes' held-out test rows and 48 of the
training rows. Reports the exact-spec share and the answer share (the result the expert computes
equals the labelled one) on both: a recipe that cannot even fit its training rows is underfitting.
Default recipes: the old demo recipe and the variations the current one was chosen from. `--run` may
also be a dataset directory (`routerforge data generate --out DIR`), and `--train-rows N` trains on
the first N of its rows of those classes: with a large generated set, how held-out answers grow with
the rows trained on (docs/training.md). Run it on an idle machine: two torch processes slow each other 3-5x.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency import machine_info  # noqa: E402

BASE = dict(method="lora", lora_r=16, lora_alpha=32, lora_dropout=0.0, lora_layers=8, cache_frozen=True,
            batch_size=16, lr=1e-3, save_steps=10**6)
R64 = dict(lora_r=64, lora_alpha=128)
RECIPES = {
    "l8_r16_lr1e-3": {},
    "l8_r64_lr2e-3": dict(R64, lr=2e-3),
    "l8_r64_lr4e-3": dict(R64, lr=4e-3),
    "l12_r16_lr1e-3": dict(lora_layers=12),
    "l12_r64_lr2e-3": dict(R64, lora_layers=12, lr=2e-3),
    "l16_r64_lr2e-3": dict(R64, lora_layers=16, lr=2e-3),
    "l16_r64_lr4e-3": dict(R64, lora_layers=16, lr=4e-3),
    "l20_r64_lr3e-3": dict(R64, lora_layers=20, lr=3e-3),
}


def _recipe(text: str) -> tuple[str, dict]:
    name, sep, body = text.partition("=")
    if not sep:
        raise SystemExit(f"error: --recipe {text!r}: expected NAME=JSON, e.g. 'big={{\"lora_r\": 64}}'")
    try:
        kw = json.loads(body)
    except json.JSONDecodeError as e:
        raise SystemExit(f"error: --recipe {name}: not JSON ({e})") from None
    if not isinstance(kw, dict):
        raise SystemExit(f"error: --recipe {name}: expected a JSON object of sft.* settings")
    return name, kw


def score(router, rows: list[dict]) -> tuple[float, float]:
    from routerforge.evaluate.metrics import results_equal

    outs = router.route_batch([r["query"] for r in rows])
    exact = sum(o.spec == r["spec"] for r, o in zip(rows, outs))
    right = sum(results_equal(r["expert"], o.result, r["result"]) for r, o in zip(rows, outs))
    return exact / len(rows), right / len(rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", required=True, help="a run whose data/ to use (e.g. runs/demo)")
    p.add_argument("--classes", default="word_problem", help="comma-separated expert classes")
    p.add_argument("--epochs", type=float, default=2)
    p.add_argument("--train-rows", type=int, help="train on the first N rows of the classes (default: all)")
    p.add_argument("--model", default="smollm2-135m")
    p.add_argument("--recipe", action="append", default=[], metavar="NAME=JSON",
                   help="sft.* settings over the old demo recipe (repeatable; default: the built-in set)")
    p.add_argument("--out", help="write results JSON here")
    args = p.parse_args(argv)
    data = Path(args.run) / "data"
    if not (data / "train.jsonl").is_file() and (Path(args.run) / "train.jsonl").is_file():
        data = Path(args.run)  # a dataset directory itself
    if args.train_rows is not None and args.train_rows <= 0:
        print(f"error: --train-rows must be positive, got {args.train_rows}", file=sys.stderr)
        return 2
    if not (data / "train.jsonl").is_file() or not (data / "test.jsonl").is_file():
        print(f"error: {data} has no train.jsonl/test.jsonl (a run made by `routerforge train`)", file=sys.stderr)
        return 2
    recipes = dict(map(_recipe, args.recipe)) if args.recipe else RECIPES

    from rich.console import Console

    from routerforge.io import atomic_write_json, read_jsonl
    from routerforge.models.build import load_policy
    from routerforge.models.prompts import model_rows, system_prompt
    from routerforge.routers.generated import Router
    from routerforge.train.config import SFTConfig
    from routerforge.train.sft import sft_examples
    from routerforge.train.sft_cached import train_sft_cached

    console = Console(stderr=True)
    classes = set(args.classes.split(","))
    train = [r for r in read_jsonl(data / "train.jsonl") if r["expert_class"] in classes][:args.train_rows]
    test = [r for r in read_jsonl(data / "test.jsonl") if r["expert_class"] in classes]
    if not train or not test:
        print(f"error: no rows of class {args.classes} in {data}", file=sys.stderr)
        return 2
    seen = random.Random(0).sample(train, min(48, len(train)))
    system = system_prompt(style="minimal")
    examples = sft_examples(model_rows(train, True), system)
    results = []
    for name, kw in recipes.items():
        cfg = SFTConfig(**{**BASE, "epochs": args.epochs, **kw})
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.time()
            final = train_sft_cached(cfg, model_ref=args.model, examples=examples, out_dir=Path(tmp) / "sft",
                                     console=console)
            train_s = time.time() - t0
            model, tok = load_policy(args.model, cfg, final)
            router = Router(model, tok, system=system, read_numbers=True, grounding=False)
            (te, ta), (se, sa) = score(router, test), score(router, seen)
            shutil.rmtree(tmp, ignore_errors=True)
        row = {"recipe": name, **kw, "train_rows": len(train), "test_rows": len(test), "train_s": round(train_s),
               "test_exact": round(te, 3), "test_answer": round(ta, 3), "seen_exact": round(se, 3),
               "seen_answer": round(sa, 3)}
        results.append(row)
        console.print(json.dumps(row))
    if args.out:
        atomic_write_json(args.out, {"machine": machine_info(), "args": vars(args), "results": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
