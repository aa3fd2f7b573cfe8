"""The Expert interface: an executable skill a router can dispatch to.

An expert turns a *spec* (the text after `expert:` in a decision) into a result. `run(spec)` never
raises: it returns an `ExpertResult` with `ok`, `value` (the rendered result) and `error`, so the
boundary between the model's text and the system stays a plain value.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar


class ExpertError(ValueError):
    """A spec that cannot be parsed or executed; the message is shown to users."""


@dataclass(frozen=True)
class ExpertResult:
    ok: bool
    value: str | None = None  # the rendered result, e.g. "1024" or "Alice:9-11,Bob:11-12"
    error: str | None = None
    native: Any = field(default=None, compare=False)  # the unrendered value (number, dict, datetime)

    def to_dict(self) -> dict:
        return {"ok": self.ok, "result": self.value, "error": self.error}


class Expert(ABC):
    """Subclass, set the class attributes, implement parse/execute (and render if needed)."""

    name: ClassVar[str]
    description: ClassVar[str]  # one line, shown in the router's system prompt
    expert_class: ClassVar[str] = ""  # evaluation label (math, word_problem, schedule, time, chat); defaults to name
    examples: ClassVar[list[tuple[str, str]]] = []  # (query, spec) pairs for prompts and docs
    max_spec_chars: ClassVar[int] = 200
    spec_charset: ClassVar[str | None] = None
    """Characters a spec may contain; constrained decoding masks every other token (None = free text)."""
    max_spec_tokens: ClassVar[int] = 40
    """Decoding stops a spec after this many tokens: a longest real spec with room to spare, so a
    runaway spec does not hold up its whole batch (schedules need more than arithmetic)."""
    empty_spec: ClassVar[bool] = False
    """The spec is always empty (chat): decoding stops right after the name, in one pass."""
    def copy_field(self, spec_text: str) -> tuple[str, str] | None:
        """When a spec decoded so far (`spec_text`) ends inside a field that must copy one word of the
        query exactly (a schedule's task name): (the field's text so far, "" at its start; the
        character that ends the field). Else None. Constrained decoding then only allows tokens that
        continue a word of the query, or end a whole one. Default: no such fields."""
        return None

    copy_casefold: ClassVar[bool] = False
    """A copy field matches the query's words whatever their case (`KYOTO` may be written `Kyoto`)."""

    def copy_words(self, query: str) -> list[str] | None:
        """The words a copy field may hold for this query; None: the query's words (letters, digits,
        `_` and `-`, numbers left out; `routers.constrained.CopyIndex.words`)."""
        return None

    truth: ClassVar[str] = "result"
    """How evaluation compares this expert's outcome with a labelled row: `number` (the result is a
    number, scored as `answer`), `zone` (the spec names a time zone, scored as `zone`), `result` (the
    rendered result, compared with `results_equal`) or `none` (nothing to compare: chat)."""
    templates: ClassVar[tuple[str, ...]] = ()
    """Dotted paths of modules that hold this expert's training templates: each module has
    `TEMPLATES: list[Template]` (routerforge.data.templates.base) and optionally `pools()` ->
    {expert: {pool name: items}}. The data generator reads them from the registry."""

    def fixed_queries(self) -> list[str]:
        """Queries given at run time rather than by `templates` modules (a routes file's examples, see
        experts/routes.py), for an expert with an empty spec: each becomes one template of its own, so
        holding out templates holds out queries. Default: none."""
        return []

    @property
    def label(self) -> str:
        return self.expert_class or self.name

    @abstractmethod
    def parse(self, spec: str) -> Any:
        """Validate and parse a spec; raise ExpertError with a clear message."""

    @abstractmethod
    def execute(self, parsed: Any) -> Any:
        """Compute the native result; raise ExpertError on failure."""

    def render(self, value: Any) -> str:
        return str(value)

    def results_equal(self, a: str | None, b: str | None) -> bool:
        """Whether two rendered results mean the same answer (override for numbers, zones...)."""
        return a is not None and b is not None and a.strip() == b.strip()

    def run(self, spec: str) -> ExpertResult:
        if not isinstance(spec, str):
            return ExpertResult(False, error=f"{self.name}: spec must be text")
        spec = spec.strip()
        if len(spec) > self.max_spec_chars:
            return ExpertResult(
                False, error=f"{self.name}: spec is {len(spec)} characters; the limit is {self.max_spec_chars}"
            )
        try:
            native = self.execute(self.parse(spec))
            return ExpertResult(True, value=self.render(native), native=native)
        except ExpertError as exc:
            return ExpertResult(False, error=f"{self.name}: {exc}")
        except (RecursionError, MemoryError, OverflowError) as exc:
            return ExpertResult(False, error=f"{self.name}: spec too complex ({type(exc).__name__})")
        except Exception as exc:  # a plug-in's bug must not cross the boundary as a traceback
            return ExpertResult(False, error=f"{self.name}: internal error: {type(exc).__name__}: {exc}")
