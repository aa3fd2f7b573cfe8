"""A character-level grammar of route-plan JSON, for constrained decoding (`PlanRouter(constrained=True)`).

The grammar is the exact serialisation the plan router is trained on (`render_plan`: canonical key
order, no whitespace between tokens), with the schema's rules built in:

- `route_plan` is a non-empty list (at most `max_steps`) of `"/tool(args)"` strings whose tool is in
  the vocabulary: after `"/` only characters that continue a known `tool(` are accepted, and the
  string may close only right after a `)`;
- text fields are non-blank JSON strings (escapes checked, no raw control characters), each with a
  character budget after which only its closing quote is accepted;
- `difficulty` (full plans) is one of the three levels; lists are non-empty.

State is an immutable tuple of frames, so trying a candidate token is `feed(state, text)` (None when
the text breaks the grammar) without copying anything. `finish_text(state)` is the shortest text that
completes the innermost open element (used when none of the model's top candidates fits) and
`complete_text(state)` the text that completes the whole object (used at the token budget). Every
text the decoder accepts is therefore a prefix of a valid plan, and every finished one is a plan.
"""

from __future__ import annotations

from typing import Iterable

from routerforge.plans.format import DEFAULT_TOOLS, DIFFICULTIES, normalize_tools

ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
HEX = set("0123456789abcdefABCDEF")
FILLER = "-"  # the text of a forced, otherwise empty, string (non-blank, so the schema holds)

# ---------------------------------------------------------------- grammar nodes (immutable tuples)


def lit(text: str) -> tuple:
    return ("lit", text)


def text(max_chars: int = 800) -> tuple:
    return ("str", "text", (), max_chars)


def step(tools: Iterable[str] = DEFAULT_TOOLS, max_chars: int = 300) -> tuple:
    return ("str", "step", normalize_tools(tools), max_chars)


def enum(choices: Iterable[str]) -> tuple:
    return ("str", "enum", tuple(choices), max(map(len, choices)))


def array(item: tuple, max_items: int = 12) -> tuple:
    return ("arr", item, max_items)


def obj(*fields: tuple[str, tuple]) -> tuple:
    """A JSON object with these keys, in this order, each exactly once."""
    nodes: list[tuple] = []
    for i, (key, value) in enumerate(fields):
        nodes += [lit(("{" if i == 0 else ",") + f'"{key}":'), value]
    return ("seq", tuple(nodes + [lit("}")]))


def compact_grammar(tools: Iterable[str] = DEFAULT_TOOLS, *, max_steps: int = 8, step_chars: int = 600,
                    text_chars: int = 1500) -> tuple:
    return obj(("route_plan", array(step(tools, step_chars), max_steps)), ("route_rationale", text(text_chars)),
               ("handoff_plan", text(text_chars)))


def full_grammar(tools: Iterable[str] = DEFAULT_TOOLS, *, max_steps: int = 8, step_chars: int = 600,
                 text_chars: int = 1500, item_chars: int = 600, max_items: int = 16) -> tuple:
    items = array(text(item_chars), max_items)
    return obj(("route_plan", array(step(tools, step_chars), max_steps)), ("route_rationale", text(text_chars)),
               ("expected_artifacts", items), ("thinking_outline", items), ("handoff_plan", text(text_chars)),
               ("todo_list", items), ("difficulty", enum(DIFFICULTIES)), ("tags", items),
               ("acceptance_criteria", items), ("metrics", obj(("primary", items), ("secondary", items))))


def plan_grammar(*, compact: bool, tools: Iterable[str] = DEFAULT_TOOLS) -> tuple:
    return compact_grammar(tools) if compact else full_grammar(tools)


# ---------------------------------------------------------------- frames and the automaton
# lit: ("lit", text, i)                       i characters of text already read
# str: ("str", node, opened, esc, acc, n, ok) esc: 0 plain, -1 after "\", k > 0 hex digits left;
#      acc: the step's tool head ("/math(") or the enum text so far; n: characters read inside;
#      ok: may close now (text: non-blank seen; step: last char ")" after the head; enum: a full choice)
# arr: ("arr", node, phase, n)                phase: open | need | in | after; n items started
# seq: ("seq", node, i)                       i: the next child to start


def start(node: tuple) -> tuple:
    """The initial state for a grammar node."""
    return (_frame(node),)


def _frame(node: tuple) -> tuple:
    kind = node[0]
    if kind == "lit":
        return ("lit", node[1], 0)
    if kind == "str":
        return ("str", node, False, 0, "", 0, False)
    if kind == "arr":
        return ("arr", node, "open", 0)
    return ("seq", node, 0)


def _expand(state: tuple) -> tuple:
    """Start pending children and pop finished containers until the top frame reads characters."""
    while state:
        top = state[-1]
        if top[0] == "seq":
            children, i = top[1][1], top[2]
            if i == len(children):
                state = state[:-1]
                continue
            state = state[:-1] + (("seq", top[1], i + 1), _frame(children[i]))
            continue
        if top[0] == "arr" and top[2] in ("need", "in"):
            if top[2] == "need":
                state = state[:-1] + (("arr", top[1], "in", top[3] + 1), _frame(top[1][1]))
            else:  # its item was popped: it finished
                state = state[:-1] + (("arr", top[1], "after", top[3]),)
            continue
        return state
    return state


def is_complete(state: tuple | None) -> bool:
    return state is not None and not _expand(state)


def feed(state: tuple | None, chars: str) -> tuple | None:
    """The state after reading `chars`, or None if they break the grammar."""
    for ch in chars:
        if state is None:
            return None
        state = _expand(state)
        if not state:
            return None  # text after the end of the object
        top = state[-1]
        new = _read(top, ch)
        if new is None:
            return None
        state = state[:-1] + new
    return state


def _read(top: tuple, ch: str) -> tuple | None:
    """The frames replacing `top` after one character: () when it finished, None when invalid."""
    kind = top[0]
    if kind == "lit":
        text, i = top[1], top[2]
        if ch != text[i]:
            return None
        return () if i + 1 == len(text) else (("lit", text, i + 1),)
    if kind == "arr":
        node, phase, n = top[1], top[2], top[3]
        if phase == "open":
            return (("arr", node, "need", n),) if ch == "[" else None
        if ch == "]":
            return ()
        if ch == "," and n < node[2]:
            return (("arr", node, "need", n),)
        return None
    return _read_str(top, ch)


def _read_str(top: tuple, ch: str) -> tuple | None:
    _, node, opened, esc, acc, n, ok = top
    skind, arg, max_chars = node[1], node[2], node[3]
    if not opened:
        return (("str", node, True, 0, "", 0, False),) if ch == '"' else None
    if esc == -1:  # after a backslash
        if ch == "u":
            return (("str", node, True, 4, acc, n, ok),)
        if ch not in ESCAPES:
            return None
        return _accept(node, acc, n, ok, ESCAPES[ch])
    if esc > 0:
        if ch not in HEX:
            return None
        if esc > 1:
            return (("str", node, True, esc - 1, acc, n, ok),)
        return _accept(node, acc, n, ok, "?")  # the escaped character itself does not matter here
    if ch == '"':
        return () if ok else None
    if n >= max_chars and (skind != "step" or acc.endswith("(")):
        # over budget: only what closing needs is left (a step's ")", a first non-blank character)
        if skind == "step" and ch == ")":
            return (("str", node, True, 0, acc, n + 1, True),)
        if skind == "text" and not ok and ch not in '\\' and ord(ch) >= 0x20 and not ch.isspace():
            return (("str", node, True, 0, acc, n + 1, True),)
        return None
    if ch == "\\":
        if skind != "text" and not (skind == "step" and acc.endswith("(")):
            return None  # tool names and enum values are plain text
        return (("str", node, True, -1, acc, n, ok),)
    if ord(ch) < 0x20:
        return None
    return _accept(node, acc, n, ok, ch)


def _accept(node: tuple, acc: str, n: int, ok: bool, dc: str) -> tuple | None:
    """One decoded character inside a string."""
    skind, arg = node[1], node[2]
    if skind == "text":
        return (("str", node, True, 0, acc, n + 1, ok or not dc.isspace()),)
    if skind == "enum":
        new = acc + dc
        if not any(c.startswith(new) for c in arg):
            return None
        return (("str", node, True, 0, new, n + 1, new in arg),)
    # step: first the head "/tool(", then any arguments; it may close right after a ")"
    if not acc.endswith("("):
        new = acc + dc
        if not any((t + "(").startswith(new) for t in arg):
            return None
        return (("str", node, True, 0, new, n + 1, False),)
    return (("str", node, True, 0, acc, n + 1, dc == ")"),)


# ---------------------------------------------------------------- forced completions


def finish_text(state: tuple) -> str:
    """The shortest text that completes the innermost open element (a literal's remainder, a string's
    missing parts and closing quote, an array's closing bracket). Raises ValueError when complete."""
    state = _expand(state)
    if not state:
        raise ValueError("the object is already complete")
    top = state[-1]
    if top[0] == "lit":
        return top[1][top[2]:]
    if top[0] == "arr":
        if top[2] == "open":
            return "[" + _minimal(top[1][1]) + "]"
        return "]"
    _, node, opened, esc, acc, n, ok = top
    if not opened:
        return _minimal(node)
    out = "n" if esc == -1 else "0" * esc
    skind, arg = node[1], node[2]
    if skind == "text" and not ok:
        out += FILLER
    elif skind == "enum" and not ok:
        out += next(c for c in arg if c.startswith(acc))[len(acc):]
    elif skind == "step":
        if not acc.endswith("("):
            out += next(t + "(" for t in arg if (t + "(").startswith(acc))[len(acc):]
        if not ok:
            out += ")"
    return out + '"'


def _minimal(node: tuple) -> str:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "arr":
        return "[" + _minimal(node[1]) + "]"
    if kind == "seq":
        return "".join(_minimal(c) for c in node[1])
    skind, arg = node[1], node[2]
    if skind == "enum":
        return f'"{arg[0]}"'
    if skind == "step":
        return f'"{arg[0]}()"'
    return f'"{FILLER}"'


def complete_text(state: tuple) -> str:
    """Text that completes the whole object from this state ("" when it is complete)."""
    out = ""
    while not is_complete(state):
        piece = finish_text(state)
        state = feed(state, piece)
        if state is None:  # cannot happen: finish_text only writes what the grammar accepts
            raise AssertionError(f"grammar rejected its own completion {piece!r}")
        out += piece
    return out
