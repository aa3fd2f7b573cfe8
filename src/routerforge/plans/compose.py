"""The narrative fields of a plan, written from the decision by deterministic composition.

A `Decision` is what the router chose: the route (policy roles and tools), one grounded step per
role (`plans.ground`), the clause each step came from, the difficulty and the topic tags. Every
other field is composed from those, role by role, so the prose can never contradict the route:

- `route_rationale`: one sentence per step naming its tool, *why* (the role's purpose, `because`)
  and the clause of the query it serves;
- `handoff_plan`: the arrow chain to router QA with its verification and fallback, then one sentence
  per handoff naming the producer, the consumer and the check the consumer runs;
- `todo_list`: one checkbox per step (with its check) and a closing router QA item;
- `acceptance_criteria`: checkable statements (counts, thresholds, tests that pass);
- `expected_artifacts`, `thinking_outline` (ends in a verification step), `metrics`, `tags`.

`compose_plan(decision)` returns the ten-key plan dict in canonical order (validated by the caller).
The same function writes the synthetic training plans, so gold and predicted prose share one style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from routerforge.plans.policy import PURPOSE, ROLE_TOOL, Route

BLUE = "the blue general-search agent"
ARTIFACT = {
    "gather": "An annotated list of at least 2 cited sources (arXiv ID, DOI or URL) for: {c}.",
    "derive": "A step-by-step derivation with every assumption stated for: {c}.",
    "implement": "Runnable Python code with unit tests and logged metrics for: {c}.",
    "check": "An audit note comparing the /code results with the /math derivation, with the measured gap.",
    "refine": "The revised /code implementation and a changelog of what the check fixed.",
    "fallback": "Sources explaining the mismatch, collected only if the /math check failed.",
}
ACCEPT = {
    "gather": "At least 2 sources are cited, each with an arXiv ID, DOI or URL.",
    "derive": "The derivation states every assumption, and its final result matches a worked numeric case to within 1e-6.",
    "implement": "The Python code runs without errors and at least 3 unit tests pass.",
    "check": "The audit reports the /code result next to the /math prediction, and their relative gap is below 5%.",
    "refine": "The revised code passes the /math check on its second run.",
    "fallback": "If the check failed, at least 1 cited source explains the mismatch.",
}
OUTLINE = {
    "gather": "Collect and cite the sources the request depends on: {c}.",
    "derive": "Derive the result formally, stating assumptions: {c}.",
    "implement": "Implement and run the method, logging metrics: {c}.",
    "check": "Verify the code's results against the derivation and record the gap.",
    "refine": "Revise the code where the check disagreed and rerun the tests.",
    "fallback": "If the check failed, search the literature for the cause.",
}
TODO_CHECK = {
    "gather": "verify each source is authoritative and cited", "derive": "check each step on a small case",
    "implement": "validate with unit tests", "check": "audit the gap against the threshold",
    "refine": "re-verify after the fix", "fallback": "confirm the source explains the mismatch",
}
# (producer role, consumer role) -> the check the consumer runs on what it receives.
HANDOFF_CHECK = {
    ("gather", "derive"): "checks that every constant and claim it uses is sourced",
    ("gather", "implement"): "checks that the implementation follows the cited reference",
    ("derive", "implement"): "checks the code against the derived formula on a small case",
    ("implement", "check"): "verifies the measured results against the derivation",
    ("check", "refine"): "fixes what the audit flagged and reruns the tests",
    ("check", "fallback"): "searches only if the audit failed and verifies the cited cause",
}
HANDED = {"gather": "the cited sources", "derive": "the derivation", "implement": "the code and its results",
          "check": "the audit verdict", "refine": "the revised code", "fallback": "the explaining sources"}
PRIMARY = {
    "gather": "Share of claims in the answer backed by a cited source.",
    "derive": "Absolute error of the derived result on a worked numeric case.",
    "implement": "The task metric of the /code experiment (error, accuracy or runtime) against its baseline.",
    "check": "Relative gap between the measured and the derived values.",
}
# Topic words -> tag (written for this project; matched case-insensitively in the query).
TOPICS = [(r"transformer|attention", "transformers"), (r"variational|elbo", "variational-inference"),
          (r"bayes", "bayesian"), (r"reinforcement|policy gradient|\bppo\b|reward", "reinforcement-learning"),
          (r"diffusion|score[- ]based|score matching", "diffusion-models"), (r"convex|kkt|lagrang|admm|primal|dual", "optimization"),
          (r"graph neural|\bgnn|message passing", "graph-neural-networks"), (r"gaussian process", "gaussian-processes"),
          (r"mcmc|monte carlo|metropolis|langevin", "sampling"), (r"eigen|spectral|matrix|svd|linear algebra", "linear-algebra"),
          (r"stochastic differential|\bsde\b|brownian|ito\b", "stochastic-processes"), (r"entropy|information|mutual|channel", "information-theory"),
          (r"\bpde\b|physics-informed|navier|heat equation|poisson", "pde"), (r"causal|treatment effect|confound", "causal-inference"),
          (r"quantum|qubit", "quantum-computing"), (r"dynamic programming|\bdp\b|\bioi\b|graph theory", "algorithms"),
          (r"game theory|nash|grundy|nim\b", "game-theory"), (r"federated|privacy", "federated-learning"),
          (r"meta-learning|few-shot|maml", "meta-learning"), (r"topolog|persistent homology|manifold", "topology"),
          (r"sparse|compressed sensing|dictionary learning", "sparse-coding"), (r"neural architecture|automl", "automl"),
          (r"contrastive|self-supervised", "self-supervised-learning"), (r"kalman|control|robot", "control"),
          (r"tensor", "tensors"), (r"bandit|regret", "bandits"), (r"molecul|chemistry", "chemistry"),
          (r"physics|dynamics|pendulum", "physics"), (r"statistic|regression|hypothesis", "statistics"),
          (r"neural network|deep learning|gradient descent|\bsgd\b", "deep-learning")]


@dataclass
class Decision:
    """A route decision: the policy route, the grounded steps (one per role) and the clause text each
    step was copied from (None: the step's argument was composed, no clause fitted)."""

    query: str
    route: Route
    steps: list[str]
    clauses: list[str | None]
    difficulty: str = "advanced"
    confidence: float = 1.0
    tags: list[str] = field(default_factory=list)

    @property
    def tools(self) -> list[str]:
        return list(self.route.tools)


def topic_tags(query: str, limit: int = 3) -> list[str]:
    found = [tag for pattern, tag in TOPICS if re.search(pattern, query, re.I)]
    return list(dict.fromkeys(found))[:limit]


def _short(text: str | None, n: int = 90) -> str:
    text = (text or "").strip().rstrip(".")
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + "..."


def _name(role: str) -> str:
    tool = ROLE_TOOL[role]
    return f"{tool} ({BLUE})" if tool == "/general-search" else tool


def rationale(roles: tuple[str, ...], clauses: list[str | None]) -> str:
    out = []
    for i, (role, clause) in enumerate(zip(roles, clauses)):
        where = "first" if i == 0 else "last" if i == len(roles) - 1 else "next"
        asked = f' The query asks: "{_short(clause)}".' if clause else ""
        out.append(f"{_name(role)} runs {where} because it {PURPOSE[role]}.{asked}")
    return " ".join(out)


def handoff(roles: tuple[str, ...]) -> str:
    tools = [ROLE_TOOL[r] for r in roles]
    loops = [r for r in roles if r in ("refine", "fallback")]
    fallback = ("re-route to /general-search if the /math audit fails" if "fallback" in loops else
                "return the task to /code until the /math audit passes" if "refine" in loops else
                f"return the task to {tools[0]} if a check fails")
    parts = [" -> ".join(tools) + f" -> router QA (verification: each step checks its input; fallback: {fallback})."]
    for (p, c) in zip(roles, roles[1:]):
        check = HANDOFF_CHECK.get((p, c), "verifies it before building on it")
        parts.append(f"{ROLE_TOOL[p]} hands {HANDED[p]} to {ROLE_TOOL[c]}, which {check}.")
    parts.append(f"{tools[-1]} hands {HANDED[roles[-1]]} to router QA, which verifies the acceptance criteria.")
    return " ".join(parts)


def compose_plan(d: Decision) -> dict:
    """The ten-key plan of a decision, in canonical key order."""
    roles = d.route.roles
    shown = [_short(c or s.split("(", 1)[1].rstrip(")"), 70) for c, s in zip(d.clauses, d.steps)]
    seen: list[str] = list(dict.fromkeys(roles))
    artifacts = [ARTIFACT[r].format(c=shown[roles.index(r)]) for r in seen]
    artifacts.append("A final report for router QA that links every artifact to the request.")
    outline = [f"{i}. {OUTLINE[r].format(c=shown[i - 1])}" for i, r in enumerate(roles, 1)]
    outline.append(f"{len(roles) + 1}. Verify every acceptance criterion before answering.")
    todo = [f"- [ ] {ROLE_TOOL[r]}: {shown[i]} ({TODO_CHECK[r]})." for i, r in enumerate(roles)]
    todo.append("- [ ] router QA: verify every acceptance criterion and approve the answer.")
    primary = [PRIMARY[r] for r in seen if r in PRIMARY]
    tags = list(dict.fromkeys([*d.tags, "-".join(n for n in d.route.needs)]))
    return {
        "route_plan": list(d.steps),
        "route_rationale": rationale(roles, d.clauses),
        "expected_artifacts": artifacts,
        "thinking_outline": outline,
        "handoff_plan": handoff(roles),
        "todo_list": todo,
        "difficulty": d.difficulty,
        "tags": tags,
        "acceptance_criteria": [ACCEPT[r] for r in seen],
        "metrics": {"primary": primary,
                    "secondary": ["Wall-clock time of each step.", "Number of loop iterations or re-routes."]},
    }
