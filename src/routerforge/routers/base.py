"""The router interface every router implements (trained model, baselines, users' own), the
`Routed` result they return, and the name -> router registry.

A router only *chooses* (`expert`, `spec`); `finish()` executes the chosen expert so every router's
results are computed the same way, by the experts.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Protocol, runtime_checkable

from routerforge.experts import class_of, expert_names, get_expert
from routerforge.registry import Registry


@dataclass
class Routed:
    query: str
    expert: str  # routed expert name; "chat" for passthrough
    spec: str = ""
    result: str | None = None  # what the expert computed (None for chat or on error)
    answer: str | None = None  # the text a user gets: the result, or a chat reply
    ok: bool = True
    error: str | None = None
    latency_ms: float = 0.0
    confidence: float | None = None
    raw: str | None = None  # the router's raw output text, when it has one
    extra: dict = field(default_factory=dict)

    @property
    def expert_class(self) -> str:
        return class_of(self.expert)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("extra")
        return d

    def to_output_row(self) -> dict:
        """The CLI/HTTP contract row."""
        keys = ("query", "expert", "spec", "result", "answer", "ok", "error", "latency_ms")
        d = {k: getattr(self, k) for k in keys}
        d["confidence"] = self.confidence
        return d


def finish(query: str, expert: str, spec: str, *, started: float, raw: str | None = None,
           confidence: float | None = None, chat_answer: Callable[[str], str] | None = None) -> Routed:
    """Execute the chosen expert and build the Routed record. `started` is time.perf_counter()
    at the start of routing this query. `chat_answer` produces the reply for chat passthrough."""
    if expert not in expert_names():
        return Routed(query, expert, spec, ok=False, error=f"unknown expert {expert!r}", raw=raw,
                      confidence=confidence, latency_ms=(time.perf_counter() - started) * 1000)
    res = get_expert(expert).run(spec)
    answer = res.value
    if class_of(expert) == "chat" and chat_answer is not None:
        answer = chat_answer(query)
    return Routed(query, expert, spec, result=None if class_of(expert) == "chat" else res.value, answer=answer,
                  ok=res.ok, error=res.error, raw=raw, confidence=confidence,
                  latency_ms=(time.perf_counter() - started) * 1000)


@runtime_checkable
class BaseRouter(Protocol):
    name: str

    def route(self, query: str) -> Routed: ...

    def route_batch(self, queries: list[str]) -> list[Routed]: ...


# name -> factory(**kwargs) -> BaseRouter. Factories take keyword args such as run=, train_data=, model=.
ROUTERS: Registry[Callable[..., BaseRouter]] = Registry("router")
