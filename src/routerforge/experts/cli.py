"""`routerforge experts`: run one decision through its expert, or list the registered experts.

    routerforge experts run "multiply: 256 * 4"
    {"expert": "multiply", "spec": "256 * 4", "result": "1024", "ok": true, "error": null}

`run` prints exactly one JSON object on stdout. It exits 0 when the expert succeeded, and 2 (with
the error also on stderr) when the decision is malformed, the expert is unknown or execution failed.
A `-> result` already in the decision is ignored: the expert computes its own.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("experts", help="run or list the executable experts",
                                   description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="experts_command", metavar="ACTION")
    run = sub.add_parser("run", help="execute one decision 'expert: spec' and print a JSON object")
    run.add_argument("decision", help="e.g. 'multiply: 256 * 4'; '-' reads it from stdin")
    run.set_defaults(func=_run)
    lst = sub.add_parser("list", help="list the registered experts")
    lst.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    lst.set_defaults(func=_list)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _run(args: argparse.Namespace) -> int:
    from routerforge.experts import run_decision

    text = sys.stdin.read() if args.decision == "-" else args.decision
    decision, result = run_decision(text)
    record = {
        "expert": decision.expert if decision else None,
        "spec": decision.spec if decision else None,
        "result": result.value,
        "ok": result.ok,
        "error": result.error,
    }
    print(json.dumps(record, ensure_ascii=False))
    if not result.ok:
        print(f"error: {result.error}", file=sys.stderr)
        return 2
    return 0


def _list(args: argparse.Namespace) -> int:
    from routerforge.experts import all_experts

    rows = [{"name": e.name, "class": e.label, "description": e.description} for e in all_experts()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    # plain aligned lines (no table borders) so the output is easy to read and to grep
    width = [max(len(r[k]) for r in rows + [{"name": "name", "class": "class"}]) for k in ("name", "class")]
    print(f"{'name':<{width[0]}}  {'class':<{width[1]}}  description")
    for row in rows:
        print(f"{row['name']:<{width[0]}}  {row['class']:<{width[1]}}  {row['description']}")
    return 0
