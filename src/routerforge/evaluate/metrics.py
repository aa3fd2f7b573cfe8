"""Evaluation metrics: pure functions over (truth row, prediction) pairs.

A *truth row* is a normalised benchmark row (see `benchmarks.normalise_row`): `query`, `expert_class`
and optionally `answer` (a number), `zone` (an IANA key), `expected_result` + `expected_expert`
(a rendered expert result compared with that expert's `results_equal`), `group` and `variation`.
A *prediction* is a `Routed.to_dict()`-like dict (`expert`, `spec`, `result`, `raw`, `latency_ms`...).

Every function here is deterministic and side-effect free; the harness only times and collects.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from datetime import datetime, timezone
from fractions import Fraction
from functools import lru_cache
from typing import Iterable, Sequence

OTHER = "other"  # a predicted class of no registered expert (an unknown expert name)
REL_TOL = 1e-6
# Two reference instants, one in each half of the year, so zones that share an offset in winter
# but not in summer (Europe/London vs Africa/Abidjan) are told apart.
REFERENCE_INSTANTS = (datetime(2025, 1, 15, 12, tzinfo=timezone.utc), datetime(2025, 7, 15, 12, tzinfo=timezone.utc))

_NUMBER_RE = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)?|-?\.\d+")


# ---------------------------------------------------------------- numbers

def parse_number(value: object) -> float | None:
    """A number from a result: 1024, "1,024", "$18.50", "3.5 hours", "7/2". None when there is none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Fraction)):
        f = float(value)
        return f if math.isfinite(f) else None
    m = _NUMBER_RE.search(str(value))
    if not m:
        return None
    text = m.group().replace(",", "").replace(" ", "")
    try:
        return float(Fraction(text))
    except (ValueError, ZeroDivisionError):
        return None


def numbers_equal(a: object, b: object, rel_tol: float = REL_TOL) -> bool:
    """Equal within `rel_tol` relative (absolute `rel_tol` near zero)."""
    x, y = parse_number(a), parse_number(b)
    if x is None or y is None:
        return False
    return math.isclose(x, y, rel_tol=rel_tol, abs_tol=rel_tol)


# ---------------------------------------------------------------- zones

@lru_cache(maxsize=1024)
def zone_offsets(zone: str) -> tuple[float, ...] | None:
    """UTC offsets (hours) of an IANA zone at the reference instants; None if not a zone."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        tz = ZoneInfo(zone.strip())
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None
    return tuple(t.astimezone(tz).utcoffset().total_seconds() / 3600 for t in REFERENCE_INSTANTS)


def same_zone(predicted: str | None, truth: str | None) -> bool:
    """Zones are equivalent when their UTC offsets agree in January and in July."""
    if not predicted or not truth:
        return False
    a, b = zone_offsets(predicted), zone_offsets(truth)
    return a is not None and a == b


def zone_of_spec(spec: str | None) -> str | None:
    """The IANA zone a time-expert spec names, via the time expert's gazetteer (best effort)."""
    if not spec:
        return None
    candidates = [spec.strip()] + [p.strip() for p in re.split(r"[|,;]", spec) if p.strip()]
    for cand in candidates:
        if zone_offsets(cand) is not None:
            return cand
    try:
        from routerforge.experts.timezone import resolve_zone
    except ImportError:
        return None
    for cand in candidates:
        try:
            zone = resolve_zone(cand)
        except Exception:  # the gazetteer raises its own error type on unknown places
            continue
        if zone:
            return str(zone)
    return None


# ---------------------------------------------------------------- decisions

def format_valid(pred: dict, known_experts: Iterable[str]) -> bool:
    """A parseable decision naming a registered expert: the raw text parses (generative routers),
    or, for non-generative routers (raw is None), the chosen expert is registered."""
    known = set(known_experts)
    raw = pred.get("raw")
    if raw is None:
        return pred.get("expert") in known
    from routerforge.formats.decision import DecisionParseError, parse_decision

    try:
        decision = parse_decision(raw)
    except DecisionParseError:
        return False
    return decision.expert in known


def classes() -> list[str]:
    """The evaluation classes: those of the registered experts (plug-ins included), in registry order."""
    from routerforge.experts import expert_classes

    return expert_classes()


def predicted_class(pred: dict) -> str:
    cls = pred.get("expert_class")
    return cls if cls in classes() else OTHER


def _share(hits: Sequence[bool]) -> float | None:
    return sum(hits) / len(hits) if hits else None


def class_accuracy(truth: Sequence[str], predicted: Sequence[str]) -> dict:
    """Overall and per-class (recall) accuracy of expert classes."""
    per: dict[str, list[bool]] = defaultdict(list)
    for t, p in zip(truth, predicted, strict=True):
        per[t].append(t == p)
    return {
        "overall": _share([t == p for t, p in zip(truth, predicted)]),
        "per_class": {c: {"accuracy": _share(h), "n": len(h)} for c, h in sorted(per.items())},
    }


def confusion_matrix(truth: Sequence[str], predicted: Sequence[str]) -> dict:
    """{"labels": [...], "matrix": rows = truth, columns = prediction}; labels are the known classes
    that occur, in registry order, then `other` if any prediction fell outside them."""
    seen = set(truth) | set(predicted)
    known = classes()
    labels = [c for c in known if c in seen] + sorted(seen - set(known))
    index = {c: i for i, c in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for t, p in zip(truth, predicted, strict=True):
        matrix[index[t]][index[p]] += 1
    return {"labels": labels, "matrix": matrix}


def robustness(groups: Sequence[str | None], predicted: Sequence[str]) -> dict:
    """Paraphrase robustness. Among groups with at least two rows: `consistency` is the share of
    groups whose rows are all routed to one class; `flip_rate` is the share of non-first rows whose
    class differs from the group's first (canonical) row."""
    by_group: dict[str, list[str]] = defaultdict(list)
    for g, p in zip(groups, predicted, strict=True):
        if g is not None and g != "":
            by_group[str(g)].append(p)
    multi = {g: ps for g, ps in by_group.items() if len(ps) >= 2}
    if not multi:
        return {"groups": 0, "consistency": None, "flip_rate": None}
    flips = [p != ps[0] for ps in multi.values() for p in ps[1:]]
    return {
        "groups": len(multi),
        "consistency": sum(len(set(ps)) == 1 for ps in multi.values()) / len(multi),
        "flip_rate": sum(flips) / len(flips),
    }


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), q in [0, 100]."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def latency(latencies_ms: Sequence[float], wall_s: float | None) -> dict:
    n = len(latencies_ms)
    return {
        "latency_p50_ms": percentile(latencies_ms, 50),
        "latency_p95_ms": percentile(latencies_ms, 95),
        "throughput_qps": (n / wall_s) if wall_s and wall_s > 0 else None,
    }


# ---------------------------------------------------------------- per row

def score_row(row: dict, pred: dict, known_experts: Iterable[str]) -> dict:
    """Per-row verdicts: format_valid, class_ok, and answer_ok / zone_ok / result_ok where the row
    has the matching truth (None where it has not)."""
    pred_cls = predicted_class(pred)
    out = {"format_valid": format_valid(pred, known_experts), "predicted_class": pred_cls,
           "class_ok": pred_cls == row["expert_class"], "answer_ok": None, "zone_ok": None, "result_ok": None}
    if row.get("answer") is not None:
        out["answer_ok"] = numbers_equal(pred.get("result"), row["answer"])
    if row.get("zone"):
        routed = zone_of_spec(pred.get("spec")) if _truth(pred.get("expert")) == "zone" else None
        out["routed_zone"] = routed
        out["zone_ok"] = same_zone(routed, row["zone"])
    if row.get("expected_result") is not None:
        out["result_ok"] = results_equal(row.get("expected_expert") or pred.get("expert"),
                                         pred.get("result"), row["expected_result"])
    return out


def _truth(expert: str | None) -> str | None:
    from routerforge.experts import expert_names, get_expert

    return get_expert(expert).truth if expert in expert_names() else None


def results_equal(expert: str | None, a: str | None, b: str | None) -> bool:
    """Compare rendered results with the expert's own notion of equality."""
    from routerforge.experts import expert_names, get_expert

    if a is None or b is None:
        return False
    if expert in expert_names():
        return bool(get_expert(expert).results_equal(a, b))
    return a.strip() == b.strip()


def compute_metrics(rows: Sequence[dict], preds: Sequence[dict], scores: Sequence[dict],
                    wall_s: float | None) -> dict:
    """All metrics of one router over aligned rows / predictions / `score_row` verdicts."""
    truth = [r["expert_class"] for r in rows]
    predicted = [s["predicted_class"] for s in scores]
    acc = class_accuracy(truth, predicted)

    def share(key: str) -> tuple[float | None, int]:
        vals = [s[key] for s in scores if s[key] is not None]
        return _share(vals), len(vals)

    answer_acc, n_answer = share("answer_ok")
    zone_acc, n_zone = share("zone_ok")
    result_acc, n_result = share("result_ok")
    rob = robustness([r.get("group") for r in rows], predicted)
    by_var: dict[str, list[bool]] = defaultdict(list)
    for r, s in zip(rows, scores):
        if r.get("variation"):
            by_var[str(r["variation"])].append(s["class_ok"])
    errors = Counter((p.get("error") or "").split(":")[0] for p in preds if p.get("error"))
    paths = Counter(str(p["decode_path"]).split(":")[0] for p in preds if p.get("decode_path"))
    return {
        "n": len(rows),
        "format_validity": _share([s["format_valid"] for s in scores]),
        "expert_accuracy": acc["overall"],
        "per_class": acc["per_class"],
        "confusion": confusion_matrix(truth, predicted),
        "answer_accuracy": answer_acc, "n_answer": n_answer,
        "zone_accuracy": zone_acc, "n_zone": n_zone,
        "result_accuracy": result_acc, "n_result": n_result,
        "robustness_groups": rob["groups"],
        "robustness_consistency": rob["consistency"],
        "flip_rate": rob["flip_rate"],
        **latency([float(p.get("latency_ms") or 0.0) for p in preds], wall_s),
        "by_variation": {v: {"accuracy": _share(h), "n": len(h)} for v, h in sorted(by_var.items())},
        "expert_errors": dict(errors.most_common(10)),
        # grounded decoding: how often the greedy spec stood, a later candidate replaced it, or none held
        "decode_paths": {k: paths[k] / len(preds) for k in sorted(paths)} if paths and preds else None,
    }
