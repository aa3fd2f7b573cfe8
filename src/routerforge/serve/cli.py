"""`routerforge route`: route one query, or a JSONL file of queries, with a trained run.

    routerforge route --run runs/NAME "What is 256 * 4?"          -> one JSON object on stdout
    routerforge route --run runs/NAME --input q.jsonl --output decisions.jsonl

Output rows: {"query", "expert", "spec", "result", "answer", "ok", "error", "latency_ms", "confidence"}.
`answer` is the executed result, or for `chat` a short reply from the base model (adapter disabled).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MAX_QUERY_CHARS = 4000


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("route", help="route queries with a trained run", description=__doc__,
                              formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    p.add_argument("query", nargs="?", help="one query (or use --input)")
    p.add_argument("--run", required=True, help="trained run directory")
    p.add_argument("--router", default="trained", help="router name: trained (default), probe, rules, ...")
    p.add_argument("--input", help="JSONL file with a `query` field per row")
    p.add_argument("--output", help="where --input decisions go (JSONL); default stdout")
    p.add_argument("--no-chat", action="store_true", help="skip generating chat replies (faster)")
    p.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    p.set_defaults(func=run)


def _check_query(q: object, where: str) -> str:
    from routerforge.errors import UserError

    if not isinstance(q, str) or not q.strip():
        raise UserError(f"{where}: query must be non-empty text")
    if len(q) > MAX_QUERY_CHARS:
        raise UserError(f"{where}: query is {len(q)} characters; the limit is {MAX_QUERY_CHARS}")
    return q


def load_router(run_dir: str, name: str = "trained"):
    from routerforge.errors import UserError

    if not Path(run_dir).is_dir():
        raise UserError(f"run directory not found: {run_dir}")
    if name == "trained":
        from routerforge.routers.generated import Router

        return Router.from_run(run_dir)
    from routerforge.routers.registry import build_routers

    return build_routers([name], run=run_dir)[name]


def run(args) -> int:
    from routerforge.errors import UserError
    from routerforge.io import atomic_write_jsonl, iter_jsonl

    if (args.query is None) == (args.input is None):
        raise UserError("give either one query or --input FILE")
    if args.input:
        rows = list(iter_jsonl(args.input))
        queries = [_check_query(r.get("query"), f"{args.input} row {i}") for i, r in enumerate(rows, 1)]
    else:
        queries = [_check_query(args.query, "query")]
    if args.output and Path(args.output).exists() and not args.force:
        raise UserError(f"{args.output} exists; pass --force to overwrite it")
    router = load_router(args.run, args.router)
    chat = not args.no_chat and hasattr(router, "chat_reply")
    if hasattr(router, "route_batch") and "with_chat_answers" in router.route_batch.__code__.co_varnames:
        routed = router.route_batch(queries, with_chat_answers=chat)
    else:
        routed = router.route_batch(queries)
    out_rows = [r.to_output_row() for r in routed]
    if args.output:
        atomic_write_jsonl(args.output, out_rows)
        print(f"{len(out_rows)} decisions written to {args.output}", file=sys.stderr)
    else:
        for row in out_rows:
            print(json.dumps(row, ensure_ascii=False))
    return 0 if all(r["ok"] for r in out_rows) or args.input else 2
