"""Route a large JSONL file on Ray Data: `routerforge route --run RUN --input big.jsonl --output out.jsonl
--backend ray [--workers N] [--address auto]`.

The queries are cut into shards of `shard_size` rows; each shard is one row of a Ray dataset, and a pool
of router actors (`map_batches` with an `ActorPoolStrategy` of `workers` actors, one shard a call) routes it. Each actor
loads the router once, exactly as the local path does (`routers.registry.build_routers`, the same
`Router.from_run` for `trained`), and routes its shard in chunks of the router's own batch size starting
at the shard's first row. The shard size is a multiple of that batch size, so every chunk is one the
local path decodes too: the same decisions, not just the same experts (`tests/serve/test_route_ray.py`).

Resumable: this process writes each finished shard atomically to `.OUTPUT.shards/shard-NNNNNN.jsonl`
(with `meta.json`: the input's hash, the run, the router, the shard size); a rerun of the same command
routes only the shards that are missing, then concatenates them in order into OUTPUT (atomically) and
removes the shard directory. A shard directory of another job is refused unless `--force`, which
discards it; the same job's shards are kept even with `--force` (they are what the rerun would write).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from routerforge.errors import UserError
from routerforge.io import atomic_write_json, atomic_write_text
from routerforge.train.raycluster import start_ray

SHARD_SIZE = 256  # rows per shard: a multiple of every router batch size used here (16 by default)


class RouterActor:
    """One router per actor process; `__call__` routes a batch of shards (Ray Data's numpy batch)."""

    def __init__(self, run: str, router: str, chat_replies: bool, threads: int) -> None:
        import torch

        from routerforge.routers.registry import build_routers

        torch.set_num_threads(max(threads, 1))  # actors share the machine: no oversubscription
        self.router = build_routers([router], run=run)[router]
        self.batch = getattr(self.router, "batch_size", 16)
        self.chat = chat_replies and hasattr(self.router, "chat_reply")
        self.takes_chat = hasattr(self.router, "route_batch") and \
            "with_chat_answers" in self.router.route_batch.__code__.co_varnames

    def decide(self, queries: list[str]) -> list[dict]:
        # the local path's `decide` (serve/cli.py), chunk by chunk from the shard's first row
        out = []
        for i in range(0, len(queries), self.batch):
            chunk = queries[i:i + self.batch]
            routed = self.router.route_batch(chunk, with_chat_answers=self.chat) if self.takes_chat \
                else self.router.route_batch(chunk)
            out += [r.to_output_row() for r in routed]
        return out

    def __call__(self, batch: dict) -> dict:
        rows = []
        for queries in batch["queries"]:
            rows.append("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.decide(json.loads(queries))))
        return {"shard": batch["shard"], "rows": rows}


def route_file_ray(run: str, router: str, queries: list[str], output: str | Path, *, workers: int = 2,
                   address: str | None = None, shard_size: int = SHARD_SIZE, chat_replies: bool = False,
                   force: bool = False, console=None) -> dict:
    """Route `queries` into `output` with a pool of `workers` router actors; returns
    {"rows", "shards", "routed_shards", "skipped_shards"}."""
    from rich.console import Console

    from routerforge.train.callbacks import make_progress

    if shard_size <= 0 or shard_size % 16:
        raise UserError(f"--shard-size must be a positive multiple of 16 (the router batch), got {shard_size}")
    output = Path(output)
    shards = output.with_name(f".{output.name}.shards")
    meta = {"input_sha256": hashlib.sha256(json.dumps(queries).encode()).hexdigest(), "rows": len(queries),
            "shard_size": shard_size, "run": str(Path(run).resolve()), "router": router, "chat_replies": chat_replies}
    if shards.is_dir():
        old = json.loads((shards / "meta.json").read_text()) if (shards / "meta.json").is_file() else None
        if old != meta:
            if not force:
                raise UserError(f"{shards} holds the shards of another routing job (other input, run, router or "
                                "shard size); pass --force to start over")
            shutil.rmtree(shards)
    shards.mkdir(parents=True, exist_ok=True)
    atomic_write_json(shards / "meta.json", meta)
    n = (len(queries) + shard_size - 1) // shard_size
    done = {i for i in range(n) if _shard(shards, i).is_file()}
    todo = [i for i in range(n) if i not in done]
    console = console or Console(stderr=True)
    if todo:
        ray = start_ray(address=address, num_cpus=None if address else workers)
        import ray.data

        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False  # ours below counts rows
        logging.getLogger("ray.data").setLevel(logging.ERROR)  # its notes about our own settings
        items = [{"shard": i, "queries": json.dumps(queries[i * shard_size:(i + 1) * shard_size])} for i in todo]
        ds = ray.data.from_items(items, override_num_blocks=len(items))  # one block a shard: all actors busy
        # a fixed pool of actors, one shard in flight each (a lost job resumes from the shards written)
        pool = ray.data.ActorPoolStrategy(size=min(workers, len(items)), max_tasks_in_flight_per_actor=1)
        ds = ds.map_batches(RouterActor, batch_size=1, compute=pool, num_cpus=1,
                            fn_constructor_kwargs={"run": str(run), "router": router, "chat_replies": chat_replies,
                                                   "threads": 1})
        with make_progress(console) as progress:
            task = progress.add_task(f"route on Ray ({workers} workers)", total=len(queries),
                                     completed=sum(_rows(len(queries), shard_size, i) for i in done),
                                     info=f"{len(done)} of {n} shards done before" if done else "")
            for row in ds.iter_rows():
                i = int(row["shard"])
                atomic_write_text(_shard(shards, i), row["rows"])  # complete or absent: a resume trusts it
                progress.update(task, advance=_rows(len(queries), shard_size, i))
    _concatenate(shards, n, output)
    shutil.rmtree(shards)
    return {"rows": len(queries), "shards": n, "routed_shards": len(todo), "skipped_shards": len(done)}


def _shard(shards: Path, i: int) -> Path:
    return shards / f"shard-{i:06d}.jsonl"


def _rows(total: int, size: int, i: int) -> int:
    return min(size, total - i * size)


def _concatenate(shards: Path, n: int, output: Path) -> None:
    """The shards in order into a temp file beside `output`, renamed into place."""
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for i in range(n):
                fh.write(_shard(shards, i).read_text(encoding="utf-8"))
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
