"""How many decisions two routers' outputs share: same expert, and same expert and spec.

    python benchmarks/compare_decisions.py A.jsonl B.jsonl [--out FILE.md]

A and B are JSONL rows with `expert` and `spec` in the same order, as `routerforge route --input
--output` and `routerforge eval` (`REPORT/predictions/ROUTER.jsonl`) write them. Prints the two counts
and the rows that differ (query, A's decision, B's), e.g. for the torch and llama.cpp engines, or a run
scored without and with its chat gate. With `routerforge eval`'s predictions (which carry the gold) it
also counts B's decode paths and the rows each side has the expert class right, and names each
differing row's gold class; `--out` writes the same as a markdown file.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("a", type=Path)
    p.add_argument("b", type=Path)
    p.add_argument("--out", type=Path, help="also write the comparison to this file")
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
    lines = [f"{len(a)} rows: same expert {same_expert}, same expert and spec {sum(same)}"]
    if all("class_ok" in x for x in a + b):  # eval predictions: the gold is there
        paths = collections.Counter(y.get("decode_path", "?") for y in b)
        right_a, right_b = (sum(bool(r["class_ok"]) for r in rows) for rows in (a, b))
        lines += ["B's decode paths: " + ", ".join(f"{k} {v}" for k, v in paths.most_common()),
                  f"expert class right: A {right_a}, B {right_b}"]
    mark = lambda r: "" if "class_ok" not in r else (" (right)" if r["class_ok"] else " (wrong)")  # noqa: E731
    for x, y, ok in zip(a, b, same):
        if not ok:
            gold = (x.get("truth") or {}).get("expert_class")
            lines.append(f"- {x.get('query')!r}" + (f", gold {gold}" if gold else "")
                         + f"\n    A {x.get('expert')}: {x.get('spec')}{mark(x)}"
                         + f"\n    B {y.get('expert')}: {y.get('spec')}{mark(y)} [{y.get('decode_path', '?')}]")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if args.out:
        args.out.write_text(text if args.out.suffix != ".md" else f"```\n{text}```\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
