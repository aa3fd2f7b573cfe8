"""How many decisions two routers' outputs share: same expert, and same expert and spec.

    python benchmarks/compare_decisions.py A.jsonl B.jsonl

A and B are JSONL rows with `expert` and `spec` in the same order, as `routerforge route --input
--output` and `routerforge eval` (`REPORT/predictions/ROUTER.jsonl`) write them. Prints the two counts
and the rows that differ (query, A's decision, B's), e.g. for the torch and llama.cpp engines.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("a", type=Path)
    p.add_argument("b", type=Path)
    args = p.parse_args(argv)
    try:
        a, b = ([json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
                for f in (args.a, args.b))
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if len(a) != len(b) or any(x.get("query") != y.get("query") for x, y in zip(a, b)):
        print(f"error: {args.a} and {args.b} do not hold the same queries in the same order", file=sys.stderr)
        return 2
    same_expert = sum(x.get("expert") == y.get("expert") for x, y in zip(a, b))
    same = [(x.get("expert"), x.get("spec")) == (y.get("expert"), y.get("spec")) for x, y in zip(a, b)]
    print(f"{len(a)} rows: same expert {same_expert}, same expert and spec {sum(same)}")
    for x, y, ok in zip(a, b, same):
        if not ok:
            print(f"- {x.get('query')!r}\n    {x.get('expert')}: {x.get('spec')}\n    {y.get('expert')}: {y.get('spec')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
