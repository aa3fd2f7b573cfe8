"""Every built-in router, registered in `routerforge.routers.base.ROUTERS` (importing this module
registers them), and `build_routers(names, run=None, **kw)`, which eval, the CLI and the server use.

- `trained`: the run's fine-tuned router, `Router.from_run(run)` (with its calibration.json, if any);
- `no_abstain`: the same model without the abstention threshold (never answers chat for want of confidence),
  so one evaluation shows what abstention costs and buys;
- `ungrounded`: the same model without grounded decoding (its greedy spec as decoded: no checks against
  the query, no beam candidates), the fast path for callers who trade answers for tail latency;
- `fewshot`: the untrained base model prompted with examples, `Router.from_pretrained(model, fewshot=True)`;
- `rules`: the regex/keyword baseline (`routers.rules`);
- `probe`: hidden-state routing with the run's fitted probe (`routers.probe`);
- `embedding`: MiniLM kNN over `train_data` or `<run>/data/train.jsonl` (`routers.embedding`).

Factories take keyword arguments (`run=`, `train_data=`, `model=`) and ignore those they do not use,
so one call builds any mix; model runtimes are imported only when asked for.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from routerforge.errors import InputError
from routerforge.routers.base import ROUTERS, BaseRouter

DEFAULT_FEWSHOT_MODEL = "smollm2-135m"


def _need_run(run: str | Path | None, who: str) -> Path:
    if run is None:
        raise InputError(f"the {who} router needs --run DIR")
    run = Path(run)
    if not run.is_dir():
        raise FileNotFoundError(f"no such run directory: {run}")
    return run


def _runtime():
    try:
        from routerforge.routers.generated import Router
    except ImportError as exc:
        raise InputError(f"the model runtime is not available ({exc})") from None
    return Router


def trained_router(*, run: str | Path | None = None, **_: Any) -> BaseRouter:
    run = _need_run(run, "trained")
    return _runtime().from_run(run)


def no_abstain_router(*, run: str | Path | None = None, **_: Any) -> BaseRouter:
    run = _need_run(run, "no_abstain")
    return _runtime().from_run(run, abstain_below=None, name="no_abstain")


def ungrounded_router(*, run: str | Path | None = None, **_: Any) -> BaseRouter:
    run = _need_run(run, "ungrounded")
    return _runtime().from_run(run, grounding=False, name="ungrounded")


def fewshot_router(*, model: str | None = None, **_: Any) -> BaseRouter:
    return _runtime().from_pretrained(model or DEFAULT_FEWSHOT_MODEL, fewshot=True)


def rules_router(**_: Any) -> BaseRouter:
    from routerforge.routers.rules import RulesRouter

    return RulesRouter()


def probe_router(*, run: str | Path | None = None, **_: Any) -> BaseRouter:
    """`--routers probe` with `--run RUN` (a probe fitted by `routerforge probe fit`)."""
    from routerforge.routers.probe import ProbeRouter

    run = _need_run(run, "probe (fitted by `routerforge probe fit`)")
    return ProbeRouter.from_run(run)


def embedding_router(*, run: str | Path | None = None, train_data: str | Path | None = None,
                     k: int = 7, **_: Any) -> BaseRouter:
    from routerforge.routers.embedding import EmbeddingRouter

    if train_data is None:
        train_data = _need_run(run, "embedding (or --train-data FILE)") / "data" / "train.jsonl"
    if not Path(train_data).is_file():
        raise FileNotFoundError(f"embedding router: no training data at {train_data}")
    return EmbeddingRouter.from_file(train_data, k=k)


BUILTIN_ROUTERS = {"trained": trained_router, "no_abstain": no_abstain_router, "ungrounded": ungrounded_router,
                   "rules": rules_router,
                   "fewshot": fewshot_router, "embedding": embedding_router, "probe": probe_router}
for _name, _factory in BUILTIN_ROUTERS.items():
    ROUTERS.register(_name, _factory, overwrite=True)


def _call(factory: Any, kwargs: dict) -> Any:
    """Call a factory (or a user's router class) with the keyword arguments it accepts."""
    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return factory(**kwargs)
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return factory(**kwargs)
    names = {p.name for p in params}
    return factory(**{k: v for k, v in kwargs.items() if k in names})


def build_routers(names: list[str] | str, run: str | Path | None = None, **kw: Any) -> dict[str, BaseRouter]:
    """Instantiate routers by registered name or dotted path (`pkg.mod:MyRouter`), in order.
    Unknown names raise ValueError listing the known ones."""
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    if not names:
        raise InputError("no routers given")
    for name in names:  # check every name before loading any model
        if name not in ROUTERS and "." not in name and ":" not in name:
            raise InputError(f"unknown router {name!r}; known: {', '.join(ROUTERS.names())}")
    out: dict[str, BaseRouter] = {}
    for name in names:
        try:
            factory = ROUTERS.resolve(name)
        except KeyError as exc:
            raise InputError(str(exc)) from None
        try:
            router = _call(factory, {"run": run, **kw})
        except FileNotFoundError:
            raise
        except (OSError, RuntimeError) as exc:
            # model loading failures (ModelLoadError, missing weights) are the user's to fix: one line
            if type(exc).__name__ != "ModelLoadError" and not isinstance(exc, OSError):
                raise
            raise InputError(f"cannot build router {name!r}: {exc}") from None
        if not isinstance(router, BaseRouter):
            raise InputError(f"router {name!r} does not implement route() and route_batch()")
        out[name] = router
    return out
