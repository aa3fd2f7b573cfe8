"""Executable experts and their registry.

Built-ins register here; users add their own by the entry-point group `routerforge.experts`
(each entry point names an Expert subclass or instance) or by a dotted path in a config
(`experts: [mypkg.mod:MyExpert]`). Everything else (data, prompts, training, eval) reads the registry.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from routerforge.experts.base import Expert, ExpertError, ExpertResult
from routerforge.registry import Registry, RegistryError, import_dotted

EXPERTS: Registry[Expert] = Registry("expert")

# name -> "module:Class" for the built-ins; imported lazily so a broken optional expert
# (say OR-Tools missing) does not break the others.
BUILTINS: dict[str, str] = {
    "add": "routerforge.experts.arithmetic:AddExpert",
    "subtract": "routerforge.experts.arithmetic:SubtractExpert",
    "multiply": "routerforge.experts.arithmetic:MultiplyExpert",
    "divide": "routerforge.experts.arithmetic:DivideExpert",
    "word_problem": "routerforge.experts.word_problem:WordProblemExpert",
    "schedule": "routerforge.experts.schedule:ScheduleExpert",
    "time": "routerforge.experts.timezone:TimeExpert",
    "chat": "routerforge.experts.chat:ChatExpert",
}

_loaded = False
_default = ["chat"]  # the route for "none of these": where abstention sends a query


def _instantiate(obj: object, where: str) -> Expert:
    if isinstance(obj, type) and issubclass(obj, Expert):
        obj = obj()
    if not isinstance(obj, Expert):
        raise RegistryError(f"{where} is not an Expert subclass or instance")
    return obj


def register_expert(obj: Expert | type[Expert] | str, *, overwrite: bool = False) -> Expert:
    """Register an Expert instance, class, or dotted path ('pkg.mod:MyExpert')."""
    ensure_loaded()
    where = obj if isinstance(obj, str) else repr(obj)
    expert = _instantiate(import_dotted(obj) if isinstance(obj, str) else obj, str(where))
    EXPERTS.register(expert.name, expert, overwrite=overwrite)
    return expert


def ensure_loaded() -> None:
    """Load built-ins and entry-point plug-ins once."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name, path in BUILTINS.items():
        EXPERTS.register(name, _instantiate(import_dotted(path), path), overwrite=True)
    for ep in entry_points(group="routerforge.experts"):
        EXPERTS.register(ep.name, _instantiate(ep.load(), f"entry point {ep.name}"), overwrite=True)


def builtin_experts() -> list[Expert]:
    """The built-in and entry-point experts (whatever routes file is active)."""
    out = [_instantiate(import_dotted(path), path) for path in BUILTINS.values()]
    return out + [_instantiate(ep.load(), f"entry point {ep.name}") for ep in entry_points(group="routerforge.experts")]


def use_experts(experts: list[Expert], *, default: str) -> None:
    """Make `experts` the whole registry (a routes file's vocabulary) and `default` the route for "none of
    these". Everything that reads the registry (data, prompts, decoding, metrics) follows."""
    global _loaded
    if default not in {e.name for e in experts}:
        raise RegistryError(f"default route {default!r} is not among the experts")
    _loaded = True
    for name in EXPERTS.names():
        EXPERTS.unregister(name)
    for e in experts:
        EXPERTS.register(e.name, e)
    _default[0] = default


def reset_experts() -> None:
    """Back to the built-ins and plug-ins (undoes `use_experts`)."""
    global _loaded
    for name in EXPERTS.names():
        EXPERTS.unregister(name)
    _loaded, _default[0] = False, "chat"
    ensure_loaded()


def default_expert() -> str:
    """Where a query goes when no expert fits or the router abstains: `chat`, or a routes file's default."""
    ensure_loaded()
    return _default[0]


def get_expert(name: str) -> Expert:
    ensure_loaded()
    return EXPERTS.resolve(name) if name in EXPERTS else _unknown(name)


def _unknown(name: str) -> Expert:
    raise RegistryError(f"unknown expert {name!r}; known: {', '.join(expert_names())}")


def expert_names() -> list[str]:
    ensure_loaded()
    return EXPERTS.names()


def all_experts() -> list[Expert]:
    ensure_loaded()
    return [EXPERTS.resolve(n) for n in EXPERTS.names()]


def class_of(expert_name: str) -> str:
    """Evaluation class of an expert name (math for the arithmetic experts); unknown names -> the name."""
    ensure_loaded()
    return EXPERTS.resolve(expert_name).label if expert_name in EXPERTS else expert_name


def expert_classes() -> list[str]:
    """The evaluation classes of the registered experts, in registration order (built-ins first)."""
    return list(dict.fromkeys(e.label for e in all_experts()))


def class_members() -> dict[str, tuple[str, ...]]:
    """Evaluation class -> the registered experts that belong to it (math -> add, subtract, ...)."""
    out: dict[str, list[str]] = {}
    for e in all_experts():
        out.setdefault(e.label, []).append(e.name)
    return {c: tuple(names) for c, names in out.items()}


def run_decision(text: str) -> tuple["Decision | None", ExpertResult]:  # noqa: F821
    """Parse `expert: spec [-> result]` and execute it. Never raises."""
    from routerforge.formats.decision import DecisionParseError, parse_decision

    try:
        decision = parse_decision(text)
    except DecisionParseError as exc:
        return None, ExpertResult(False, error=f"malformed decision: {exc}")
    if decision.expert not in expert_names():
        return decision, ExpertResult(
            False, error=f"unknown expert {decision.expert!r}; known: {', '.join(expert_names())}"
        )
    return decision, get_expert(decision.expert).run(decision.spec)


__all__ = [
    "EXPERTS", "Expert", "ExpertError", "ExpertResult", "all_experts", "builtin_experts", "class_members", "class_of",
    "default_expert", "ensure_loaded", "expert_classes", "reset_experts", "use_experts",
    "expert_names", "get_expert", "register_expert", "run_decision",
]
