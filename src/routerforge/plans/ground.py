"""Grounding: every route step's argument is a piece of the query, selected deterministically.

1. `segments(query)` splits a query into clauses (character spans): at sentence ends and at the
   connectives that chain requests ("..., then ...", "... and finally ...", "..., but first ...",
   "..., if it fails ..."). It never rewrites text; a span is a slice of the query.
2. A clause-role head (`plans.decide`) scores each segment for each role; `assign` gives every
   step of the chosen route the segment that best fits its role (each segment once where possible).
3. `step_text` builds the step from the segment's words, copied verbatim after `clean` drops a
   leading connective or politeness opener, plus the tool's own options: `/general-search` gets
   `query="...", mode=web|rag|both` (rag when the clause points at course material, both when it
   points at that and at the web), `/code` gets `, using Python` unless it names Python or another
   language (the original policy's Python default). A loop step with no clause of its own
   (no "verify ..." in the query) gets a fixed sentence built from the steps it checks.
"""

from __future__ import annotations

import re

import numpy as np

from routerforge.plans.policy import CODE, ROLE_TOOL, SEARCH

ROLES: tuple[str, ...] = ("gather", "derive", "implement", "check", "refine", "fallback", "other")
_CONNECT = (r"(?:and\s+)?(?:then|after that|next|afterwards|following that|once that's done|subsequently|finally|"
            r"lastly|to finish|at the end|as a last step|to wrap up|before that|but first|but before|though first|"
            r"if|should|in case|when|plus|also)\b")
_BOUNDARY = re.compile(r"(?<=[.!?;])\s+(?=\S)|,\s+(?=" + _CONNECT + r"|and\s+[a-z])|\s+(?=and then\b|and finally\b)", re.I)
# Request verbs (generic English, not from any benchmark): ", derive ..." or "... and check ..." starts a
# new request inside a sentence when both sides have MIN_WORDS words.
_VERBS = (r"derive|prove|show|compute|calculate|solve|obtain|establish|analy[sz]e|bound|estimate|formali[sz]e|"
          r"work out|implement|code|write|build|program|simulate|benchmark|train|run|test|profile|develop|plot|"
          r"port|deploy|survey|find|search|look up|look for|cite|gather|collect|review|compile|research|"
          r"summari[sz]e|compare|verify|check|validate|audit|confirm|cross-check|evaluate|measure|fix|refine|"
          r"revise|iterate|explain|provide|give|create|design|optimi[sz]e|fit|visuali[sz]e|identify|discuss")
_VERB_CUT = re.compile(r"(?:,\s+|\s+and\s+)(?=(?:" + _VERBS + r")\b)", re.I)
MIN_WORDS = 3
_CONDITION = re.compile(r"(?:if|should|in case|when|whenever|unless|once)\b", re.I)
_LEAD = re.compile(r"^(?:(?:and|but|so|then|also|plus|next|finally|lastly|afterwards|subsequently|first|"
                   r"after that|following that|once that's done|to finish|at the end|as a last step|to wrap up|"
                   r"and to wrap up|before that|but first|but before anything else|though first|please|kindly|"
                   r"can you|could you|would you|i need you to|i'd like you to|i would like you to|help me|"
                   r"i want to|i need to|we need to|my goal:|task:|quick task:|for my project)(?:[\s,:]+|$))+", re.I)
_RAG = re.compile(r"course notes|lecture notes|knowledge base|course material|our notes|textbook|syllabus|"
                  r"internal|our documents|provided material|class notes", re.I)
_WEB = re.compile(r"arxiv|latest|recent|newest|online|the web|current|state of the art|blog|doi|published|"
                  r"literature|papers?\b|survey", re.I)
_OTHER_LANG = re.compile(r"\b(?:C\+\+|Rust|Julia|Java|Go|CUDA C|JavaScript|TypeScript|MATLAB|Fortran|Haskell)\b")
CLIP = 240  # longest argument copied from a clause (characters); longer clauses are cut at a word


def segments(query: str) -> list[tuple[int, int]]:
    """Clause spans (start, end) of `query`, in order, leading/trailing spaces excluded."""
    cuts = [0] + [m.start() for m in _BOUNDARY.finditer(query)] + [len(query)]
    for a, b in list(zip(cuts, cuts[1:])):
        last = a
        for m in _VERB_CUT.finditer(query, a, b):
            left = _LEAD.sub("", query[last:m.start()].strip(" ,;"))
            if _CONDITION.match(left):  # "if it fails, search ...": the condition stays with its request
                continue
            if len(left.split()) >= MIN_WORDS and len(query[m.end():b].split()) >= MIN_WORDS:
                cuts.append(m.start())
                last = m.start()
    cuts = sorted(set(cuts))
    spans = []
    for a, b in zip(cuts, cuts[1:]):
        while a < b and query[a] in " ,;\n\t":
            a += 1
        while b > a and query[b - 1] in " \n\t":
            b -= 1
        if b > a:
            spans.append((a, b))
    merged: list[tuple[int, int]] = []
    for a, b in spans:  # a bare connective ("finally,") joins the clause after it
        if merged and not _LEAD.sub("", query[merged[-1][0]:merged[-1][1]]).strip(" ,;:.?!"):
            a = merged.pop()[0]
        merged.append((a, b))
    return merged or [(0, len(query))]


def lead_length(text: str) -> int:
    """Characters of leading connective/opener words ("then, could you ") in a clause."""
    m = _LEAD.match(text)
    return m.end() if m and m.end() < len(text.rstrip(" ,;:.?!")) else 0


def clean(text: str) -> str:
    """A clause as a step argument: leading connective/opener dropped, end punctuation dropped,
    first letter capitalised, double quotes made single (the step syntax quotes search queries)."""
    out = _LEAD.sub("", text.strip()).strip(" ,;:.?!")
    out = out or text.strip(" ,;:.?!")
    if len(out) > CLIP:
        out = out[:CLIP].rsplit(" ", 1)[0]
    return (out[:1].upper() + out[1:]).replace('"', "'")


def search_mode(text: str) -> str:
    rag, web = bool(_RAG.search(text)), bool(_WEB.search(text))
    return "both" if rag and web else "rag" if rag else "web"


def label_segments(query: str, spans: list[tuple[int, int]], role_spans: list[tuple[int, int, str]]) -> list[str]:
    """Training labels: each segment takes the role of the generator clause it overlaps most."""
    labels = []
    for a, b in spans:
        best, role = 0, "other"
        for ra, rb, r in role_spans:
            overlap = min(b, rb) - max(a, ra)
            if overlap > best:
                best, role = overlap, r
        labels.append(role)
    return labels


def assign(roles: list[str], probs: np.ndarray, *, min_prob: float = 0.2) -> list[int | None]:
    """Segment index per step role (None: no segment fits). `probs` is [segments, len(ROLES)].
    Steps pick in order of their best probability, so a clear clause is never taken by a vaguer step;
    a segment already used only wins again if nothing unused reaches half its probability."""
    out: list[int | None] = [None] * len(roles)
    used: set[int] = set()
    order = sorted(range(len(roles)), key=lambda i: -float(probs[:, ROLES.index(roles[i])].max()))
    for i in order:
        col = probs[:, ROLES.index(roles[i])]
        best = int(col.argmax())
        free = [j for j in range(len(col)) if j not in used]
        if best in used and free:
            alt = max(free, key=lambda j: col[j])
            if col[alt] >= 0.5 * col[best]:
                best = alt
        if col[best] >= min_prob:
            out[i] = best
            used.add(best)
    return out


def step_text(role: str, clause: str | None, query: str, context: dict[str, str]) -> str:
    """One `route_plan` step. `context` maps roles to the cleaned clauses of the other steps
    (the text a loop step refers to when the query has no clause for it)."""
    tool = ROLE_TOOL[role]
    if clause is None:
        clause = _default_clause(role, query, context)
    if tool == SEARCH:
        return f'{SEARCH}(query="{clause}", mode={search_mode(clause if role == "gather" else query)})'
    if tool == CODE and "python" not in clause.lower() and not _OTHER_LANG.search(clause):
        return f"{CODE}({clause}, using Python)"
    return f"{tool}({clause})"


def _default_clause(role: str, query: str, context: dict[str, str]) -> str:
    derived = context.get("derive")
    code = context.get("implement", "the implementation")
    if role == "check":
        return f"Verify the /code results ({_short(code)}) against " + (
            f"the derivation ({_short(derived)})" if derived else "the expected theoretical behaviour")
    if role == "refine":
        return f"Revise the implementation ({_short(code)}) until the /math check passes"
    if role == "fallback":
        return f"Find published explanations of the mismatch in {_short(context.get('gather') or code)}"
    if role == "gather":
        return clean(query)
    return clean(query)  # derive / implement without a clause: the whole request is the argument


def _short(text: str | None, n: int = 80) -> str:
    text = (text or "").strip()
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + "..."

