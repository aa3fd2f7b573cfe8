"""`routerforge route`: route one query, or a JSONL file of queries, with a trained run.

    routerforge route --run runs/NAME "What is 256 * 4?"          -> one JSON object on stdout
    routerforge route --run runs/NAME --input q.jsonl --output decisions.jsonl

Output rows: {"query", "expert", "spec", "result", "answer", "ok", "error", "latency_ms", "confidence"}.
`answer` is the executed result; for `chat` it is a short reply from the base model (adapter disabled)
for one query, and empty for `--input` unless `--chat-replies` asks for one (a reply costs ~50 forward
passes, a decision a handful: a log file wants decisions).

`--input` routes in batches and streams: each batch's rows are printed (or appended to a hidden temp
file beside `--output`, renamed into place at the end) as soon as they are decided, with a progress
bar on stderr. `--backend ray [--workers N] [--address auto]` routes the file with a pool of router
actors on Ray Data instead, resumable by output shards (serve/route_ray.py).
"""

from __future__ import annotations

import json
import os
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
    p.add_argument("--no-chat", action="store_true", help="one query: skip the chat reply (faster)")
    p.add_argument("--chat-replies", action="store_true",
                   help="--input: also generate a reply for every chat row (slow: seconds a row)")
    p.add_argument("--engine", choices=["torch", "llama.cpp"],
                   help="what runs the trained router's passes (default $ROUTERFORGE_ENGINE, else torch); "
                   "llama.cpp needs `make llamacpp` (docs/runtime.md)")
    p.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    p.add_argument("--backend", choices=["local", "ray"], default="local",
                   help="--input: ray routes with a pool of router actors on Ray Data, resumable by output shards "
                        "(serve/route_ray.py)")
    p.add_argument("--workers", type=int, default=2, help="ray: router actors (default 2)")
    p.add_argument("--address", help="ray: join this cluster (auto, ray://HOST:PORT); default a local Ray")
    p.add_argument("--shard-size", type=int, default=256, help="ray: rows per output shard (a multiple of 16)")
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
    if args.engine:  # read by Router.from_run, also in Ray's router actors (they inherit the environment)
        os.environ["ROUTERFORGE_ENGINE"] = args.engine
    from routerforge.errors import UserError
    from routerforge.io import iter_jsonl

    if (args.query is None) == (args.input is None):
        raise UserError("give either one query or --input FILE")
    if args.input:
        rows = list(iter_jsonl(args.input))
        queries = [_check_query(r.get("query"), f"{args.input} row {i}") for i, r in enumerate(rows, 1)]
    else:
        queries = [_check_query(args.query, "query")]
    if args.output and Path(args.output).exists() and not args.force:
        raise UserError(f"{args.output} exists; pass --force to overwrite it")
    if args.backend == "ray":
        return _route_ray(args, queries)
    router = load_router(args.run, args.router)
    chat = hasattr(router, "chat_reply") and (args.chat_replies if args.input else not args.no_chat)
    takes_chat = hasattr(router, "route_batch") and "with_chat_answers" in router.route_batch.__code__.co_varnames

    def decide(chunk: list[str]) -> list[dict]:
        routed = router.route_batch(chunk, with_chat_answers=chat) if takes_chat else router.route_batch(chunk)
        return [r.to_output_row() for r in routed]

    if not args.input:
        row = decide(queries)[0]
        if args.output:
            from routerforge.io import atomic_write_jsonl

            atomic_write_jsonl(args.output, [row])
        else:
            print(json.dumps(row, ensure_ascii=False))
        return 0 if row["ok"] else 2
    n = _stream(queries, decide, getattr(router, "batch_size", 16), args.output)
    if args.output:
        print(f"{n} decisions written to {args.output}", file=sys.stderr)
    return 0


def _route_ray(args, queries: list[str]) -> int:
    from routerforge.errors import UserError
    from routerforge.serve.route_ray import route_file_ray

    if not (args.input and args.output):
        raise UserError("--backend ray routes a file: give --input and --output")
    if args.workers <= 0:
        raise UserError(f"--workers must be positive, got {args.workers}")
    if not Path(args.run).is_dir():
        raise UserError(f"run directory not found: {args.run}")
    done = route_file_ray(args.run, args.router, queries, args.output, workers=args.workers, address=args.address,
                          shard_size=args.shard_size, chat_replies=args.chat_replies, force=args.force)
    print(f"{done['rows']} decisions written to {args.output} ({done['routed_shards']} shards routed on Ray, "
          f"{done['skipped_shards']} done before)", file=sys.stderr)
    return 0


def _stream(queries: list[str], decide, batch: int, output: str | None) -> int:
    """Route `queries` batch by batch, writing each batch's rows as it is done (stdout, or a temp file
    beside `output` renamed into place when every row is written); a progress bar on stderr."""
    import os
    import tempfile

    from rich.console import Console

    from routerforge.train.callbacks import make_progress

    fh, tmp = sys.stdout, None
    if output:
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        fh = os.fdopen(fd, "w", encoding="utf-8")
    written = 0
    try:
        with make_progress(Console(stderr=True)) as progress:
            task = progress.add_task("route", total=len(queries), info="")
            for i in range(0, len(queries), batch):
                for row in decide(queries[i:i + batch]):
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                    written += 1
                fh.flush()
                progress.update(task, completed=written)
        if tmp:
            fh.close()
            os.replace(tmp, output)
    except BaseException:
        if tmp:
            fh.close()
            Path(tmp).unlink(missing_ok=True)
        raise
    return written
