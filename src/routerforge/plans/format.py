"""The JSON route-plan decision format (CourseGPT-Pro router style).

A plan sends one request through specialist agents in order. Each `route_plan` step is
`/tool(args...)`; the tool vocabulary is configurable (default `/math`, `/code`, `/general-search`).
The full plan has ten keys (`PLAN_KEYS`); `CompactPlan` keeps only `route_plan`, `route_rationale`
and `handoff_plan`, for training on a CPU budget.

Types are as strict as the real benchmark data allows: every list is a non-empty list of non-empty
strings, `difficulty` is one of three levels and `metrics` holds non-empty `primary`/`secondary`
lists plus optional extra notes (a string, a list of strings or a string -> string dict).

`parse_plan` tolerates code fences, `<think>...</think>` blocks and text around the JSON object and
raises `PlanParseError` (kind `json` or `schema`, naming the field). `repair_plan_text` closes the
brackets and quotes of a truncated object so constrained decoding always ends in valid JSON.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Iterable, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

DEFAULT_TOOLS: tuple[str, ...] = ("/math", "/code", "/general-search")
PLAN_KEYS: tuple[str, ...] = (
    "route_plan", "route_rationale", "expected_artifacts", "thinking_outline", "handoff_plan",
    "todo_list", "difficulty", "tags", "acceptance_criteria", "metrics",
)
COMPACT_KEYS: tuple[str, ...] = ("route_plan", "route_rationale", "handoff_plan")
DIFFICULTIES: tuple[str, ...] = ("introductory", "intermediate", "advanced")
STEP_RE = re.compile(r"\s*(/[A-Za-z][\w-]*)\((.*)\)\s*", re.S)
# lenient: the tool name of a step even when its parentheses are broken (used by metrics)
STEP_HEAD_RE = re.compile(r"\s*(/[A-Za-z][\w-]*)")

# The instruction header of the benchmark prompts (format, not benchmark content).
PLAN_PROMPT_HEADER = (
    "You are the Router Agent coordinating Math, Code, and General-Search specialists.\n"
    "Given the user query, respond with a JSON object describing the full routing plan.\n\n"
    "Requirements:\n"
    "- STRICT JSON with double quotes and no extra commentary.\n"
    "- Keys: route_plan, route_rationale, expected_artifacts, thinking_outline,\n"
    "  handoff_plan, todo_list, difficulty, tags, acceptance_criteria, metrics.\n"
    "- route_plan must be an ordered list of tool invocations.\n"
    "- Use the original phrasing when possible.\n\n"
)
COMPACT_PROMPT_HEADER = PLAN_PROMPT_HEADER.replace(
    "- Keys: route_plan, route_rationale, expected_artifacts, thinking_outline,\n"
    "  handoff_plan, todo_list, difficulty, tags, acceptance_criteria, metrics.\n",
    "- Keys: route_plan, route_rationale, handoff_plan.\n",
)


def build_plan_prompt(user_query: str, *, compact: bool = False) -> str:
    """The prompt the benchmark files use: header, `User query:` and the query."""
    header = COMPACT_PROMPT_HEADER if compact else PLAN_PROMPT_HEADER
    return f"{header}User query:\n{user_query.strip()}\n"


def normalize_tools(tools: Iterable[str]) -> tuple[str, ...]:
    out = tuple(t if t.startswith("/") else f"/{t}" for t in tools)
    if not out:
        raise ValueError("the tool vocabulary is empty")
    return out


class PlanParseError(ValueError):
    """Why a text is not a plan. `kind` is `json` (no JSON object) or `schema` (wrong fields);
    `field` is the dotted path of the first bad field (`route_plan.1`), or None."""

    def __init__(self, message: str, *, kind: Literal["json", "schema"], field: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.field = field


def _check_step(step: str, info: ValidationInfo) -> str:
    m = STEP_RE.fullmatch(step)
    if not m:
        raise ValueError(f"step {step[:60]!r} is not of the form /tool(args)")
    tools = (info.context or {}).get("tools", DEFAULT_TOOLS)
    if m.group(1) not in tools:
        raise ValueError(f"unknown tool {m.group(1)!r}; known: {', '.join(tools)}")
    return step


def _nonblank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be empty")
    return text


Text = Annotated[str, AfterValidator(_nonblank)]
TextList = Annotated[list[Text], Field(min_length=1)]
Step = Annotated[str, AfterValidator(_check_step)]


class PlanMetrics(BaseModel):
    """`primary`/`secondary` metric descriptions; extra notes (e.g. `primary_guidance`) allowed."""

    model_config = ConfigDict(extra="allow")
    primary: TextList
    secondary: TextList

    @model_validator(mode="after")
    def _check_extras(self) -> "PlanMetrics":
        for key, value in (self.model_extra or {}).items():
            ok = isinstance(value, str) or (
                isinstance(value, list) and all(isinstance(v, str) for v in value)) or (
                isinstance(value, dict) and all(isinstance(v, str) for v in value.values()))
            if not ok:
                raise ValueError(f"metrics.{key} must be text, a list of text or a text dict")
        return self


class CompactPlan(BaseModel):
    """The three routing keys only. Other plan keys in the input are ignored, so a full plan also
    parses as a compact one (useful when scoring compact predictions against full gold plans)."""

    model_config = ConfigDict(extra="ignore")
    route_plan: Annotated[list[Step], Field(min_length=1)]
    route_rationale: Text
    handoff_plan: Text


class Plan(BaseModel):
    """The full ten-key plan; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")
    route_plan: Annotated[list[Step], Field(min_length=1)]
    route_rationale: Text
    expected_artifacts: TextList
    thinking_outline: TextList
    handoff_plan: Text
    todo_list: TextList
    difficulty: Literal["introductory", "intermediate", "advanced"]
    tags: TextList
    acceptance_criteria: TextList
    metrics: PlanMetrics


AnyPlan = Union[Plan, CompactPlan]

_THINK_BLOCK = re.compile(r"<think>.*?</think>", re.S | re.I)
_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n?(.*?)```", re.S)
_MAX_CANDIDATES = 200  # bound the work on long garbage: one decode attempt per '{'


def _strip_wrappers(text: str) -> str:
    text = _THINK_BLOCK.sub("", text)
    if "</think>" in text:  # an unopened/truncated think block: keep what follows it
        text = text.rsplit("</think>", 1)[1]
    fenced = [m.group(1) for m in _FENCE.finditer(text) if "{" in m.group(1)]
    return fenced[0] if fenced else text


def extract_json(text: str) -> str:
    """The first JSON object in `text` (after removing think blocks and code fences), as a string."""
    if not isinstance(text, str):
        raise PlanParseError("plan must be text", kind="json")
    body = _strip_wrappers(text)
    decoder = json.JSONDecoder()
    first_error: str | None = None
    start = body.find("{")
    tries = 0
    while start != -1 and tries < _MAX_CANDIDATES:
        tries += 1
        try:
            obj, end = decoder.raw_decode(body, start)
            if isinstance(obj, dict):
                return body[start:end]
        except json.JSONDecodeError as exc:
            first_error = first_error or f"{exc.msg} at character {exc.pos}"
        start = body.find("{", start + 1)
    raise PlanParseError(f"no JSON object found ({first_error or 'no {'})", kind="json")


def _field_of(err: dict) -> str:
    return ".".join(str(p) for p in err.get("loc", ())) or "(plan)"


def validate_plan(obj: Any, *, compact: bool = False, tools: Iterable[str] = DEFAULT_TOOLS) -> AnyPlan:
    """Validate a decoded object; PlanParseError(kind='schema') names the first bad field."""
    model = CompactPlan if compact else Plan
    if not isinstance(obj, dict):
        raise PlanParseError("a plan must be a JSON object", kind="schema")
    try:
        return model.model_validate(obj, context={"tools": normalize_tools(tools)})
    except ValidationError as exc:
        errs = exc.errors()
        first = errs[0]
        field = _field_of(first)
        more = f" (+{len(errs) - 1} more)" if len(errs) > 1 else ""
        msg = first.get("msg", "invalid")
        raise PlanParseError(f"field {field}: {msg}{more}", kind="schema", field=field) from None


def parse_plan(text: str, *, compact: bool = False, tools: Iterable[str] = DEFAULT_TOOLS) -> AnyPlan:
    """Text (model output) -> Plan (or CompactPlan)."""
    raw = extract_json(text)
    return validate_plan(json.loads(raw), compact=compact, tools=tools)


def plan_tools(plan: AnyPlan | dict) -> list[str]:
    """The tool sequence of a plan: `['/general-search', '/math', '/code']`. Lenient on dicts."""
    steps = plan.get("route_plan", []) if isinstance(plan, dict) else plan.route_plan
    if not isinstance(steps, list):
        return []
    out = []
    for step in steps:
        m = STEP_HEAD_RE.match(step) if isinstance(step, str) else None
        if m:
            out.append(m.group(1))
    return out


def plan_dict(plan: AnyPlan) -> dict:
    """The plan as a dict in canonical key order."""
    data = plan.model_dump()
    return {k: data[k] for k in PLAN_KEYS if k in data}


def render_plan(plan: AnyPlan) -> str:
    """Compact JSON (no spaces after separators), keys in canonical order."""
    return json.dumps(plan_dict(plan), ensure_ascii=False, separators=(",", ":"))


def repair_plan_text(text: str) -> str | None:
    """Deterministically turn a truncated JSON object into a complete one: close an open string,
    drop a dangling key/value, close open brackets. Returns the repaired JSON text (which decodes
    to an object) or None when no `{` is present. Already valid objects are returned unchanged."""
    if not isinstance(text, str):
        return None
    try:
        return extract_json(text)
    except PlanParseError:
        pass
    body = _strip_wrappers(text)
    start = body.find("{")
    if start == -1:
        return None
    body = body[start:]
    stack: list[str] = []
    cuts: list[tuple[int, str]] = []  # (cut position, closers needed there)
    in_str = escape = False
    for i, ch in enumerate(body):
        if in_str:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
            cuts.append((i + 1, "".join(reversed(stack))))  # empty container is safe
        elif ch in "}]":
            if not stack or stack[-1] != ch:
                break  # mismatched bracket: only earlier cuts are trustworthy
            stack.pop()
            if not stack:
                return body[: i + 1] if _is_object(body[: i + 1]) else None
            cuts.append((i + 1, "".join(reversed(stack))))
        elif ch == ",":
            cuts.append((i, "".join(reversed(stack))))  # before the comma: last complete value
    candidates = []
    if in_str:
        tail = body[:-1] if escape else body
        candidates.append(tail + '"' + "".join(reversed(stack)))
    candidates.append(body.rstrip() + "".join(reversed(stack)))
    candidates += [body[:pos] + closers for pos, closers in reversed(cuts)]
    for cand in candidates:
        if _is_object(cand):
            return cand
    return None


def _is_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False
