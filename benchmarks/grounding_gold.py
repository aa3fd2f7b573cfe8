"""How often grounded decoding refuses a *right* spec: every gold spec of a run's data, through `grounded()`.

    python benchmarks/grounding_gold.py --run runs/s10d [--splits train,val,test] [--at COMMIT] [--show 5]

The generator's specs are right by construction (each was executed when it was written), so every refusal
is a false one: it sends a row to the beam candidates for nothing, or to a wrong candidate that passes.
Prints, per expert class, how many gold specs were checked and refused, and the most common reasons with an
example. `--at COMMIT` scores `routers/grounding.py` as it was at that commit (read with `git show`, run
against today's experts), to compare before and after a change. Chat rows are skipped (nothing to check).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _grounded_at(commit: str | None):
    if commit is None:
        from routerforge.routers.grounding import grounded

        return grounded
    try:
        text = subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:src/routerforge/routers/grounding.py"],
                              check=True, capture_output=True, text=True).stdout
    except subprocess.CalledProcessError as e:
        raise SystemExit(f"error: cannot read grounding.py at {commit!r}: {e.stderr.strip()}") from None
    path = Path(tempfile.mkdtemp()) / "grounding_at.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("grounding_at", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.grounded


def refusals(rows: list[dict], grounded) -> tuple[Counter, Counter, Counter, dict]:
    """(checked per class, refused per class, refusals per (class, reason head), an example of each)."""
    checked, refused, reasons, examples = Counter(), Counter(), Counter(), {}
    for r in rows:
        if r["expert"] == "chat":
            continue
        checked[r["expert_class"]] += 1
        ok, why = grounded(r["query"], r["expert"], r["spec"])
        if not ok:
            refused[r["expert_class"]] += 1
            key = (r["expert_class"], " ".join(why.split()[:3]))
            reasons[key] += 1
            examples.setdefault(key, (r["query"], r["spec"], why))
    return checked, refused, reasons, examples


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True, help="a run directory with data/{split}.jsonl")
    ap.add_argument("--splits", default="train,val,test")
    ap.add_argument("--at", default=None, help="score grounding.py as it was at this git commit")
    ap.add_argument("--show", type=int, default=5, help="reasons to print, most common first")
    args = ap.parse_args(argv)
    rows = []
    for split in args.splits.split(","):
        path = Path(args.run) / "data" / f"{split}.jsonl"
        if not path.is_file():
            print(f"error: {path} not found", file=sys.stderr)
            return 2
        rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    checked, refused, reasons, examples = refusals(rows, _grounded_at(args.at))
    print(f"{sum(refused.values())} of {sum(checked.values())} gold specs refused "
          f"({args.run}, {args.splits}, grounding at {args.at or 'the working tree'})")
    for cls in sorted(checked):
        print(f"  {cls}: {refused[cls]} of {checked[cls]}")
    for (cls, head), n in reasons.most_common(args.show):
        q, s, why = examples[(cls, head)]
        print(f"  {n} x {cls}: {why} | e.g. {q!r} -> {s!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
