"""The plan decision: tools first, from one prefill, then grounded arguments, then the prose.

    decider = PlanDecider.from_run("runs/plan-router")
    decision = decider.decide("Derive the ELBO gradient, then implement it in JAX")
    plan = decider.plan(decision)          # the ten-key plan dict (composed, never contradicting the route)

1. **Clauses**: the query is split into clauses (`plans.ground.segments`) and encoded once by the
   frozen model (`plans.encoder`); a linear clause-role head (`plans.heads`) gives each clause a
   probability for each role (gather, derive, implement, check, refine, fallback, other).
2. **Route**: the probability that the query asks for a role is the chance that some clause has it
   (noisy-OR; `route_from: query` uses whole-query yes/no heads instead, `both` averages the two).
   Each of the policy's 19 routes (`plans.policy.ROUTES`) is a set of roles; its score is the
   log-probability that exactly its roles are asked for. Nothing outside the policy can be chosen,
   and the order comes from the policy, never from the wording. A temperature fitted on held-out rows
   turns the scores into a calibrated `confidence`.
3. **Grounding**: every step takes the clause that best fits its role (`plans.ground.assign`),
   copied verbatim; `plans.ground.step_text` adds the tool's options.
4. **Prose**: `plans.compose.compose_plan`, with the difficulty head's level and the topic tags.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from routerforge.errors import InputError
from routerforge.plans.compose import Decision, compose_plan, topic_tags
from routerforge.plans.encoder import Encoded, StateEncoder, resolve_dtype
from routerforge.plans.ground import ROLES, assign, clean, segments, step_text
from routerforge.plans.heads import LinearHead
from routerforge.plans.policy import ROUTE_BY_NAME, ROUTES

HEADS_FILE = "heads.json"
ROUTE_FROM = ("clauses", "query", "both")
QUERY_ROLES = ("gather", "derive", "implement", "check", "refine", "fallback")  # the roles a route is made of


def role_probs(head: LinearHead, x: np.ndarray) -> np.ndarray:
    """[S, len(ROLES)] clause-role probabilities (a role the head never saw gets 0)."""
    p = head.probs(x)
    out = np.zeros((len(p), len(ROLES)))
    for k, role in enumerate(ROLES):
        if role in head.classes:
            out[:, k] = p[:, head.classes.index(role)]
    return out


def presence(heads: dict[str, LinearHead], xq: np.ndarray, clause_probs: np.ndarray, mode: str) -> np.ndarray:
    """[len(QUERY_ROLES)] probability that the query asks for each role: from its clauses (noisy-OR:
    some clause has the role), from the whole-query heads, or the mean of both."""
    cols = [ROLES.index(r) for r in QUERY_ROLES]
    from_clauses = 1 - np.prod(1 - clause_probs[:, cols], axis=0)
    if mode == "clauses":
        return from_clauses
    from_query = np.array([heads[f"has_{r}"].probs(xq)[0, heads[f"has_{r}"].classes.index("yes")]
                           if "yes" in heads[f"has_{r}"].classes else 0.0 for r in QUERY_ROLES])
    if mode == "query":
        return from_query
    if mode == "both":
        return (from_clauses + from_query) / 2
    raise InputError(f"route_from must be one of {ROUTE_FROM}, got {mode!r}")


def route_logits(p_role: np.ndarray) -> np.ndarray:
    """[len(ROUTES)] log-probability of each policy route's role set, the roles taken as independent
    (a route needs its roles present and the others absent); only policy routes can be chosen."""
    p = np.clip(p_role, 1e-6, 1 - 1e-6)
    member = np.array([[r in route.roles for r in QUERY_ROLES] for route in ROUTES])
    return (member * np.log(p) + (~member) * np.log(1 - p)).sum(1)


def softmax(z: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = np.asarray(z, np.float64) / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


def fit_role_heads(xq: dict[str, np.ndarray], routes: dict[str, list[str]], *, C: float, seed: int) -> dict:
    """One yes/no head per role on whole-query features; calibrated on val."""
    heads = {}
    for role in QUERY_ROLES:
        y = {s: ["yes" if role in ROUTE_BY_NAME[name].roles else "no" for name in routes[s]] for s in routes}
        heads[f"has_{role}"] = LinearHead.fit(xq["train"], y["train"], C=C, seed=seed)
        heads[f"has_{role}"].calibrate(xq["val"], y["val"])
    return heads


def score_route(heads: dict[str, LinearHead], encoded: Encoded, layer: int, route_from: str):
    """(route logits [len(ROUTES)], clause-role probabilities [S, len(ROLES)]) of one encoded query."""
    cp = role_probs(heads["clause"], encoded.clauses[layer])
    return route_logits(presence(heads, encoded.query[layer][None], cp, route_from)), cp


def ground_route(query: str, route, spans: list[tuple[int, int]], probs: np.ndarray) -> tuple[list[str], list]:
    """(steps, clauses) of a route: each role gets its best clause (or a composed argument)."""
    picks = assign(list(route.roles), probs)
    clauses = [clean(query[spans[k][0]:spans[k][1]]) if k is not None else None for k in picks]
    context = {r: c for r, c in zip(route.roles, clauses) if c}
    return [step_text(r, c, query, context) for r, c in zip(route.roles, clauses)], clauses


class PlanDecider:
    """Route + grounded steps from one prefill; `plan()` composes the full plan."""

    def __init__(self, encoder: StateEncoder, heads: dict[str, LinearHead], *, layer: int,
                 route_from: str = "clauses", route_temperature: float = 1.0) -> None:
        needed = {"clause", "difficulty"} | ({f"has_{r}" for r in QUERY_ROLES} if route_from != "clauses" else set())
        missing = needed - set(heads)
        if missing:
            raise InputError(f"plan heads missing: {', '.join(sorted(missing))}")
        if route_from not in ROUTE_FROM or not route_temperature > 0:
            raise InputError(f"route_from must be one of {ROUTE_FROM} and the route temperature positive")
        self.encoder, self.heads, self.layer = encoder, heads, layer
        self.route_from, self.route_temperature = route_from, route_temperature

    @classmethod
    def from_run(cls, run_dir: str | Path, *, dtype: str | None = None) -> "PlanDecider":
        from routerforge.models.loading import load_model

        run_dir = Path(run_dir)
        path = run_dir / HEADS_FILE
        if not path.is_file():
            raise InputError(f"{run_dir} has no {HEADS_FILE}; train it with `routerforge plan train --config "
                             f"configs/plan_router.yaml`")
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            heads = {name: LinearHead.from_json(h) for name, h in saved["heads"].items()}
            layer, model_ref = int(saved["layer"]), saved["model"]
            route_from, temp = saved.get("route_from", "clauses"), float(saved.get("route_temperature", 1.0))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}: malformed ({exc})") from None
        model, tok = load_model(model_ref)
        encoder = StateEncoder(model, tok, [layer], dtype=resolve_dtype(dtype or saved.get("dtype", "auto")))
        return cls(encoder, heads, layer=layer, route_from=route_from, route_temperature=temp)

    def decide_batch(self, queries: list[str]) -> list[Decision]:
        for q in queries:
            if not isinstance(q, str) or not q.strip():
                raise InputError("a plan query must be non-empty text")
        spans = [segments(q) for q in queries]
        encoded = self.encoder.encode(queries, spans)
        levels = self.heads["difficulty"].predict(np.stack([e.query[self.layer] for e in encoded]))
        out = []
        for q, sp, e, level in zip(queries, spans, encoded, levels):
            logits, cp = score_route(self.heads, e, self.layer, self.route_from)
            p = softmax(logits, self.route_temperature)
            route = ROUTES[int(p.argmax())]
            steps, clauses = ground_route(q, route, sp, cp)
            out.append(Decision(q, route, steps, clauses, difficulty=level, confidence=float(p.max()),
                                tags=topic_tags(q)))
        return out

    def decide(self, query: str) -> Decision:
        return self.decide_batch([query])[0]

    @staticmethod
    def plan(decision: Decision) -> dict:
        return compose_plan(decision)


def route_accuracy(heads: dict, encoded: list[Encoded], rows: list[dict], *, layer: int, route_from: str) -> float:
    """Share of rows whose best policy route is the gold one (the layer choice's criterion)."""
    hits = [ROUTES[int(score_route(heads, e, layer, route_from)[0].argmax())].name == r["route"]
            for e, r in zip(encoded, rows)]
    return float(np.mean(hits)) if hits else float("nan")


def fit_route_temperature(heads: dict, encoded: list[Encoded], rows: list[dict], *, layer: int, route_from: str) -> float:
    """The route softmax's temperature on held-out rows (NLL of the gold route, `routers.calibration`)."""
    from routerforge.routers.calibration import NameScores, fit_temperature

    logits = np.stack([score_route(heads, e, layer, route_from)[0] for e in encoded])
    names = [r.name for r in ROUTES]
    return fit_temperature(NameScores.flat(logits, names), np.array([names.index(r["route"]) for r in rows]))


def save_heads(path: Path, heads: dict[str, LinearHead], *, layer: int, model: str, dtype: str,
               route_from: str, route_temperature: float, meta: dict) -> Path:
    from routerforge.io import atomic_write_text

    body = {"model": model, "layer": layer, "dtype": dtype, "route_from": route_from,
            "route_temperature": route_temperature, "roles": list(ROLES), "routes": [r.name for r in ROUTES],
            "heads": {k: h.to_json() for k, h in heads.items()}, **meta}
    return atomic_write_text(path, json.dumps(body) + "\n")
