"""Small file helpers shared by every stage: atomic writes, JSONL reading with line numbers,
and run directories that are never overwritten without `force`."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

from routerforge.errors import UserError


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write via a temp file in the same directory + rename, so readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_json(path: str | Path, obj: Any) -> Path:
    return atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")


def atomic_write_jsonl(path: str | Path, rows: Iterable[dict]) -> Path:
    return atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


class JsonlError(UserError, ValueError):
    pass


def iter_jsonl(path: str | Path, *, skip_bad: bool = False, errors: list | None = None) -> Iterator[dict]:
    """Yield JSON objects; a bad line raises JsonlError naming the line (or is recorded in `errors`)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError("not a JSON object")
            except ValueError as exc:
                msg = f"{path}:{lineno}: invalid JSON line: {exc}"
                if skip_bad:
                    if errors is not None:
                        errors.append(msg)
                    continue
                raise JsonlError(msg) from None
            yield obj


def read_jsonl(path: str | Path, **kw: Any) -> list[dict]:
    return list(iter_jsonl(path, **kw))


def prepare_run_dir(path: str | Path, *, force: bool = False, marker: str = "COMPLETE") -> Path:
    """Create an empty run directory. An existing one is refused unless `force`, which replaces it."""
    path = Path(path)
    if path.exists():
        if not force:
            raise FileExistsError(f"{path} exists; pass --force to overwrite it")
        trash = path.with_name(f".{path.name}.old")
        shutil.rmtree(trash, ignore_errors=True)
        path.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def partial_dir(out: str | Path) -> Path:
    """The hidden sibling a run is built in before `publish` renames it into place."""
    out = Path(out)
    return out.with_name(f".{out.name}.partial")


def publish(work: str | Path, out: str | Path) -> Path:
    """Mark `work` complete (last file written) and rename it to `out`, replacing an existing `out`
    (the caller checked --force) so that readers only ever see a whole run."""
    work, out = Path(work), Path(out)
    mark_complete(work)
    if out.exists():
        trash = out.with_name(f".{out.name}.old")
        shutil.rmtree(trash, ignore_errors=True)
        out.rename(trash)
        work.rename(out)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        work.rename(out)
    return out


def mark_complete(path: str | Path, marker: str = "COMPLETE") -> None:
    """Written last: a run dir without it is an interrupted run."""
    atomic_write_text(Path(path) / marker, "ok\n")


def is_complete(path: str | Path, marker: str = "COMPLETE") -> bool:
    return (Path(path) / marker).is_file()
