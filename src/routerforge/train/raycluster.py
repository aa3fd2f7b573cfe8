"""Start a local Ray or join a cluster, once per process (`--backend ray` of `sweep` and `route`).

Local mode (`address` None) starts Ray inside this process with exactly the CPUs asked for and no
dashboard: on a shared 2-core machine Ray must not plan for cores it does not have. `--address auto`
(or `ray://HOST:PORT`) joins a running cluster, whose resources then decide how many trials or
router actors run at once; the workers there need routerforge installed (or a `runtime_env`).
"""

from __future__ import annotations

import os

from routerforge.errors import UserError


def require_ray():
    try:
        import ray
    except ImportError:
        raise UserError("--backend ray needs Ray: pip install 'routerforge[scale]' (ray[data,tune])") from None
    return ray


def start_ray(*, address: str | None = None, num_cpus: int | None = None):
    """`ray`, initialised: joined to `address`, or a local instance with `num_cpus` CPUs. A process that
    already started Ray (tests, a sweep then a route) keeps its instance."""
    ray = require_ray()
    if ray.is_initialized():
        return ray
    os.environ.setdefault("RAY_DEDUP_LOGS", "1")
    # the trials' and actors' own output stays in their logs; the driver prints progress
    kwargs = dict(include_dashboard=False, log_to_driver=False, configure_logging=False)
    if address:
        ray.init(address=address, **kwargs)
    else:
        ray.init(num_cpus=num_cpus or os.cpu_count() or 1, **kwargs)
    return ray
