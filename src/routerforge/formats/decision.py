"""The `expert: spec -> result` decision format.

Grammar (one line):

    decision := NAME ":" [ " " SPEC ] [ " -> " RESULT ]
    NAME     := [a-z][a-z0-9_]*          (at most 64 characters)
    SPEC     := any text without "->" and without a line break
    RESULT   := any text without a line break

The `-> result` part is optional when parsing a model's output: at inference generation stops at
`->` and the expert supplies the result, so `multiply: 256 * 4 ->` parses with `result=None`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ARROW = "->"
NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_DECISION_CHARS = 4096


class DecisionParseError(ValueError):
    """What is wrong with a decision string and at which character."""

    def __init__(self, message: str, position: int = 0) -> None:
        super().__init__(f"{message} (at character {position})")
        self.reason = message
        self.position = position


@dataclass(frozen=True)
class Decision:
    expert: str
    spec: str = ""
    result: str | None = None

    def render(self, with_result: bool = True) -> str:
        return render_decision(self.expert, self.spec, self.result if with_result else None)


def render_decision(expert: str, spec: str = "", result: str | None = None, *, arrow: bool = False) -> str:
    """Render a decision. `arrow=True` ends with a bare `->` (the training target when the
    expert, not the model, supplies the result)."""
    if not NAME_RE.fullmatch(expert):
        raise DecisionParseError(f"invalid expert name {expert!r}", 0)
    if ARROW in spec or "\n" in spec:
        raise DecisionParseError("spec must not contain '->' or a line break", len(expert) + 1)
    text = f"{expert}:" + (f" {spec.strip()}" if spec.strip() else "")
    if result is not None:
        text += f" {ARROW} {result}"
    elif arrow:
        text += f" {ARROW}"
    return text


def parse_decision(text: str) -> Decision:
    if not isinstance(text, str):
        raise DecisionParseError("decision must be text", 0)
    if len(text) > MAX_DECISION_CHARS:
        raise DecisionParseError(f"decision is {len(text)} characters; the limit is {MAX_DECISION_CHARS}", 0)
    stripped = text.strip()
    offset = len(text) - len(text.lstrip())
    if not stripped:
        raise DecisionParseError("empty decision; expected 'expert: spec'", 0)
    newline = stripped.find("\n")
    if newline != -1:
        raise DecisionParseError("a decision is one line", offset + newline)
    m = NAME_RE.match(stripped)
    if not m:
        raise DecisionParseError("expected an expert name ([a-z][a-z0-9_]*)", offset)
    name_end = m.end()
    if name_end >= len(stripped) or stripped[name_end] != ":":
        got = stripped[name_end] if name_end < len(stripped) else "end of text"
        raise DecisionParseError(f"expected ':' after expert name {m.group()!r}, got {got!r}", offset + name_end)
    rest = stripped[name_end + 1 :]
    arrow_at = rest.find(ARROW)
    if arrow_at == -1:
        spec, result = rest.strip(), None
    else:
        spec = rest[:arrow_at].strip()
        result = rest[arrow_at + len(ARROW) :].strip() or None
        if result is not None and ARROW in result:
            raise DecisionParseError("more than one '->'", offset + name_end + 1 + arrow_at)
    return Decision(m.group(), spec, result)
