"""Your own routes, no code: a routes file (YAML, validated with pydantic) becomes the router's vocabulary.

    default: small_talk                     # the route for "none of these"
    routes:
      - name: billing
        description: invoices, charges, refunds and payment methods
        examples: ["Why was I charged twice this month?", ...]          # >= 5 for an upstream route
        target: {upstream: "http://127.0.0.1:8001/v1", model: billing-llm, api_key_env: BILLING_KEY}
        fallbacks: [{upstream: "http://127.0.0.1:8002/v1", model: general-llm}]
      - name: math
        description: arithmetic on numbers in the request
        target: {expert: math}              # an expert name, or an expert class (math = add ... divide)

A route with an `upstream` target becomes a `RouteExpert`: an expert with an empty spec, whose training
templates are its examples (one template per example, so holding out templates holds out examples; the
variations machinery makes the rest). A route with an `expert` target brings the built-in experts of that
name or class with their own templates. `activate(routes)` makes exactly these the expert registry, so
data generation, prompts, constrained decoding and metrics all read the routes, unchanged.

Errors name the file, the line and the field (`routes.yaml:12: routes[1].examples: ...`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from routerforge.errors import ConfigError
from routerforge.experts.base import Expert
from routerforge.formats.decision import NAME_RE

MIN_EXAMPLES = 5
RESERVED = {"chat"}  # the built-in passthrough keeps its meaning; a route of your own needs another name


class UpstreamTarget(BaseModel):
    """An OpenAI-compatible chat-completions endpoint (the base URL, as OpenAI clients take it)."""

    model_config = ConfigDict(extra="forbid")
    upstream: str = Field(pattern=r"^https?://\S+$")
    model: str = Field(min_length=1)
    api_key_env: str | None = None  # name of the environment variable with the key (never the key itself)
    timeout_s: float = Field(default=30.0, gt=0, le=600)
    max_connections: int = Field(default=32, ge=1, le=1024)

    @property
    def label(self) -> str:
        return f"{self.upstream.rstrip('/')}#{self.model}"


class ExpertTarget(BaseModel):
    """A routerforge expert, executed locally: an expert name (`multiply`) or class (`math`)."""

    model_config = ConfigDict(extra="forbid")
    expert: str = Field(min_length=1)


class Route(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = Field(min_length=1, max_length=300)
    examples: list[str] = Field(default_factory=list)
    target: Union[UpstreamTarget, ExpertTarget]
    fallbacks: list[UpstreamTarget] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not NAME_RE.fullmatch(v):
            raise ValueError(f"{v!r} is not a route name: lowercase letters, digits and '_', starting with a letter")
        if v in RESERVED:
            raise ValueError(f"{v!r} is the built-in passthrough; name your route differently")
        return v

    @field_validator("examples")
    @classmethod
    def _examples(cls, v: list[str]) -> list[str]:
        cleaned = [" ".join(x.split()) for x in v]
        if any(not x for x in cleaned):
            raise ValueError("an example is empty")
        if len(set(x.casefold() for x in cleaned)) != len(cleaned):
            raise ValueError("examples repeat")
        return cleaned

    @model_validator(mode="after")
    def _enough(self) -> "Route":
        if isinstance(self.target, UpstreamTarget) and len(self.examples) < MIN_EXAMPLES:
            raise ValueError(f"an upstream route needs at least {MIN_EXAMPLES} examples (they are its training "
                             f"data), got {len(self.examples)}")
        if isinstance(self.target, ExpertTarget) and self.fallbacks:
            raise ValueError("fallbacks are upstreams tried after an upstream target; an expert route has none")
        return self


class RoutesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: Literal[1] = 1
    default: str
    routes: list[Route] = Field(min_length=2)

    @model_validator(mode="after")
    def _consistent(self) -> "RoutesFile":
        names = [r.name for r in self.routes]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"route names repeat: {', '.join(dup)}")
        if self.default not in names:
            raise ValueError(f"default {self.default!r} is not one of the routes ({', '.join(names)})")
        if not isinstance(self.route(self.default).target, UpstreamTarget):
            raise ValueError(f"default {self.default!r} must have an upstream target: it answers what no "
                             "expert can")
        return self

    def route(self, name: str) -> Route:
        return next(r for r in self.routes if r.name == name)


class RouteError(ConfigError):
    """A routes-file error found after validation; `loc` is the field path, for the line number."""

    def __init__(self, loc: tuple, message: str) -> None:
        super().__init__(f"{_where(loc)}: {message}")
        self.loc = loc


# ---- experts made from routes ----------------------------------------------------------------------

class RouteExpert(Expert):
    """A route answered upstream: the decision is the route's name with an empty spec (`billing:`)."""

    empty_spec: ClassVar[bool] = True
    truth: ClassVar[str] = "none"

    def __init__(self, route: Route, extra_examples: list[str] = ()) -> None:
        self.name = route.name  # type: ignore[misc]  (per instance: one class serves every route)
        self.description = route.description  # type: ignore[misc]
        self.expert_class = route.name  # type: ignore[misc]
        self.examples = [(q, "") for q in route.examples[:3]]  # type: ignore[misc]
        self.queries = list(dict.fromkeys([*route.examples, *extra_examples]))

    def fixed_queries(self) -> list[str]:
        return list(self.queries)

    def parse(self, spec: str) -> str:
        return ""  # like chat: an echoed spec is ignored, the route is what counts

    def execute(self, parsed: str) -> str:
        return f"<upstream:{self.name}>"


def route_experts(routes: RoutesFile, extra: dict[str, list[str]] | None = None) -> list[Expert]:
    """The experts a routes file routes to, in file order (an expert class expands to its members)."""
    from routerforge.experts import builtin_experts

    builtins = builtin_experts()
    by_name = {e.name: e for e in builtins}
    out: list[Expert] = []
    for i, r in enumerate(routes.routes):
        if isinstance(r.target, UpstreamTarget):
            out.append(RouteExpert(r, (extra or {}).get(r.name, [])))
            continue
        want = r.target.expert
        members = [by_name[want]] if want in by_name else [e for e in builtins if e.label == want]
        if not members:
            known = sorted({e.name for e in builtins} | {e.label for e in builtins})
            raise RouteError(("routes", i, "target", "expert"),
                             f"unknown expert or class {want!r}; known: {', '.join(known)}")
        if any(e.name == "chat" for e in members):
            raise RouteError(("routes", i, "target", "expert"), "chat is the built-in passthrough; give the route "
                             "an upstream target instead (the gateway forwards the request there)")
        out += [e for e in members if e not in out]
    names = [e.name for e in out]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise RouteError(("routes",), f"{', '.join(clash)} is both a route and an expert another route brings")
    return out


def route_of(routes: RoutesFile) -> dict[str, str]:
    """Expert name -> the route it belongs to (an upstream route is its own expert)."""
    out: dict[str, str] = {}
    for e in route_experts(routes):
        owner = next((r.name for r in routes.routes if r.name == e.name), None)
        if owner is None:
            owner = next(r.name for r in routes.routes if isinstance(r.target, ExpertTarget)
                         and r.target.expert in (e.name, e.label))
        out[e.name] = owner
    return out


def activate(routes: RoutesFile, extra: dict[str, list[str]] | None = None) -> list[Expert]:
    """Make the routes the whole expert registry (and the default route the abstention target)."""
    from routerforge.experts import use_experts

    experts = route_experts(routes, extra)
    use_experts(experts, default=routes.default)
    return experts


# ---- reading the file ------------------------------------------------------------------------------

def _line_of(node: Any, loc: tuple) -> int | None:
    """The YAML line (1-based) of the deepest node along a pydantic error location."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break  # a union member's name or a missing key: keep the line found so far
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _where(loc: tuple) -> str:
    parts: list[str] = []
    for key in loc:
        if isinstance(key, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{key}]"]
        elif key in ("UpstreamTarget", "ExpertTarget"):
            continue  # pydantic names the union member tried; the field path is what a user edits
        else:
            parts.append(str(key))
    return ".".join(parts) or "file"


def parse_routes(text: str, source: str = "routes file") -> RoutesFile:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise ConfigError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping with `default:` and `routes:`")
    try:
        routes = RoutesFile.model_validate(data)
        route_experts(routes)  # expert targets resolve now, not at training time
        return routes
    except RouteError as exc:
        line = _line_of(node, exc.loc)
        raise ConfigError(f"{source}:{line}: {exc}") from None
    except ValidationError as exc:
        err = min(exc.errors(), key=lambda e: len(e["loc"]))  # the shallowest: a union's misses are noise
        union = [e for e in exc.errors() if "target" in e["loc"] and e["type"] != "missing"]
        err = union[0] if union and err["type"] == "missing" and "target" in err["loc"] else err
        line = _line_of(node, err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{source}:{line}: {_where(err['loc'])}: {msg}" if line else
                          f"{source}: {_where(err['loc'])}: {msg}") from None


def load_routes(path: str | Path) -> RoutesFile:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"routes file not found: {path}")
    return parse_routes(path.read_text(encoding="utf-8"), str(path))

