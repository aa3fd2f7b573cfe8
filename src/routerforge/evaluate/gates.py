"""Quality gates: minimum/maximum bounds on metrics, per router.

A gate file is YAML:

    trained:                      # a router name, or "*" for every evaluated router
      expert_accuracy: {min: 0.95}
      format_validity: {min: 1.0}
      latency_p95_ms: {max: 500}
      per_class.math.accuracy: {min: 0.9}   # dotted paths reach nested metrics

`check_gate(metrics, gate)` returns one line per failed bound (empty list = pass). A bound on a
metric that was not measured (None, e.g. answer_accuracy on a file without answers) or on a router
that was not evaluated fails: a gate must not pass by silently checking nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from routerforge.errors import ConfigError

BOUNDS = ("min", "max")


def load_gate(source: str | Path | dict) -> dict[str, dict[str, dict[str, float]]]:
    """Read and validate a gate (path or mapping); unknown keys and non-numbers raise ValueError."""
    if isinstance(source, dict):
        data, where = source, "gate"
    else:
        from routerforge.configtools import read_yaml

        path = Path(source)
        data, where = read_yaml(path, kind="gate"), str(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of router -> metric -> {{min, max}}")
    gate: dict[str, dict[str, dict[str, float]]] = {}
    for router, metrics in data.items():
        if not isinstance(metrics, dict) or not metrics:
            raise ConfigError(f"{where}: {router}: expected a mapping of metric -> {{min, max}}")
        for metric, bounds in metrics.items():
            gate.setdefault(str(router), {})[str(metric)] = validate_bounds(f"{where}: {router}.{metric}", bounds)
    return gate


def validate_bounds(where: str, bounds: Any) -> dict[str, float]:
    """`{min: x}` and/or `{max: y}` as floats; anything else is a ConfigError naming `where`.
    Shared by the expert router's gates and the route-plan gates."""
    if not isinstance(bounds, dict) or not bounds:
        raise ConfigError(f"{where}: expected {{min: X}} and/or {{max: Y}}")
    unknown = set(bounds) - set(BOUNDS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(map(str, sorted(unknown)))}; use min and/or max")
    for key, value in bounds.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}.{key}: expected a number, got {value!r}")
    return {k: float(v) for k, v in bounds.items()}


def bound_failures(label: str, value: Any, limits: dict[str, float]) -> list[str]:
    """Failure lines of one metric against its bounds; a value that is not a number (or NaN) fails."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return [f"{label} not measured (gate: {_fmt_limits(limits)})"]
    out = []
    if "min" in limits and value < limits["min"]:
        out.append(f"{label} = {value:.4f} < min {limits['min']:.4f}")
    if "max" in limits and value > limits["max"]:
        out.append(f"{label} = {value:.4f} > max {limits['max']:.4f}")
    return out


def metric_value(metrics: dict, path: str) -> Any:
    """A metric by name or dotted path; None if absent."""
    value: Any = metrics
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _per_router(metrics: dict) -> dict[str, dict]:
    """Accept evaluate_routers' whole result, metrics.json, or a plain {router: metrics} dict."""
    if isinstance(metrics.get("routers"), dict):
        return metrics["routers"]
    return metrics


def check_gate(metrics: dict, gate: str | Path | dict) -> list[str]:
    """Failure lines, e.g. `trained: expert_accuracy = 0.9100 < min 0.9500`; [] when every bound holds."""
    per_router = _per_router(metrics)
    failures: list[str] = []
    for router, bounds in load_gate(gate).items():
        targets = list(per_router) if router == "*" else [router]
        if router != "*" and router not in per_router:
            failures.append(f"{router}: not evaluated (gate names it; evaluated: {', '.join(per_router) or 'none'})")
            continue
        for name in targets:
            for metric, limits in bounds.items():
                failures += bound_failures(f"{name}: {metric}", metric_value(per_router[name], metric), limits)
    return failures


def _fmt_limits(limits: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:g}" for k, v in limits.items())
