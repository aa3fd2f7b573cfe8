"""Router prompts, generated from the expert registry so a user's own expert appears automatically.

Prompts always go through the model's own chat template (the original CoT experiment scored 0% with
custom prompt formats and 100% with the native template). The system prompt is fixed for a given
registry, which lets the runtime encode it once and reuse its KV cache for every query.
"""

from __future__ import annotations

from routerforge.experts import Expert, all_experts
from routerforge.formats.decision import render_decision

HEADER = (
    "You are a router. Read the request and answer with one line `expert: spec ->`, "
    "choosing one expert:"
)
STYLES = ("compact", "full", "minimal")
MINIMAL_HEADER = "Route to one of:"


def expert_line(expert: Expert, style: str = "full") -> str:
    """`full`: the whole description and one example decision. `compact`: the description's first
    clause only (the part before ':'), which keeps training sequences short on a CPU."""
    if style == "compact":
        return f"- {expert.name}: {expert.description.split(':', 1)[0].strip()}"
    line = f"- {expert.name}: {expert.description}"
    if expert.examples:
        query, spec = expert.examples[0]
        line += f" e.g. {render_decision(expert.name, spec, arrow=True)}"
    return line


def system_prompt(experts: list[Expert] | None = None, *, style: str = "compact") -> str:
    """`full`/`compact`: the header and one line per expert (what untrained and few-shot routers need);
    `minimal`: one short line with the expert names, for trained routers (every training row pays for
    the system prompt, and the runtime re-reads it from run.json)."""
    if style not in STYLES:
        raise ValueError(f"prompt style must be one of {STYLES}, got {style!r}")
    experts = all_experts() if experts is None else experts
    if style == "minimal":  # trained routers: they learned what each name means, the names are enough
        return " ".join([MINIMAL_HEADER, *(e.name for e in experts)])
    return "\n".join([HEADER, *(expert_line(e, style) for e in experts)])


def fewshot_messages(experts: list[Expert] | None = None, per_expert: int = 2) -> list[dict]:
    """User/assistant example turns for prompting an untrained model (the `fewshot` baseline)."""
    experts = all_experts() if experts is None else experts
    turns: list[dict] = []
    for k in range(per_expert):
        for e in experts:
            if len(e.examples) > k:
                query, spec = e.examples[k]
                turns += [{"role": "user", "content": query},
                          {"role": "assistant", "content": render_decision(e.name, spec, arrow=True)}]
    return turns


def router_messages(query: str, *, system: str | None = None, fewshot: bool = False) -> list[dict]:
    msgs = [{"role": "system", "content": system if system is not None else system_prompt()}]
    if fewshot:
        msgs += fewshot_messages()
    msgs.append({"role": "user", "content": query})
    return msgs


def prompt_text(tokenizer, query: str, **kw) -> str:
    """The exact text the model sees before its answer (native chat template, generation prompt on)."""
    return tokenizer.apply_chat_template(router_messages(query, **kw), tokenize=False, add_generation_prompt=True)


def model_rows(rows: list[dict], read_numbers: bool) -> list[dict]:
    """The rows as the model reads them: with `read_numbers`, spelled numbers become digits
    (`PipelineConfig.read_numbers`); the stored data and the targets are unchanged. Every process of a
    training run (and the Vertex export) goes through here, so they all train on the same text."""
    if not read_numbers:
        return rows
    from routerforge.experts.numberwords import digits_for_words

    return [{**r, "query": digits_for_words(r["query"])} for r in rows]


def target_text(expert: str, spec: str) -> str:
    """What the router is trained to emit: the decision up to and including the arrow; the expert,
    not the model, supplies the result."""
    return render_decision(expert, spec, arrow=True)
