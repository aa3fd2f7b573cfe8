"""Token-level constraints for decoding a decision `expert: spec ->`.

- The expert name is forced to a registered expert by walking a trie of the names' tokenizations
  (each name followed by ':'), so a generated name is always a registered one.
- The spec is restricted to the expert's character set where it has one (digits and operators for
  arithmetic, …); generation ends at `->`, a line break, or end of turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Each expert declares its spec charset (`Expert.spec_charset`) and whether its spec is always empty
# (`Expert.empty_spec`, chat: decoding stops right after the name); the runtime reads them from the registry.


@dataclass
class TrieNode:
    children: dict[int, "TrieNode"] = field(default_factory=dict)
    expert: str | None = None  # set on the node that completes "name:"


def build_name_trie(tokenizer, names: list[str]) -> TrieNode:
    root = TrieNode()
    for name in names:
        node = root
        for tid in tokenizer(f"{name}:", add_special_tokens=False)["input_ids"]:
            node = node.children.setdefault(tid, TrieNode())
        node.expert = name
    return root


def names_below(trie: TrieNode) -> dict[int, frozenset]:
    """id(node) -> the expert names reachable from it, for every node of a name trie."""
    out: dict[int, frozenset] = {}

    def walk(node: TrieNode) -> frozenset:
        found = {node.expert} if node.expert is not None else set()
        for child in node.children.values():
            found |= walk(child)
        out[id(node)] = frozenset(found)
        return out[id(node)]

    walk(trie)
    return out


def token_texts(tokenizer) -> list[str]:
    """Each vocabulary token's own text, exactly as it adds to a decoded string (no clean-up of
    spaces before punctuation); "" for special tokens, which constrained outputs never contain."""
    special = set(tokenizer.all_special_ids)
    return ["" if i in special else tokenizer.decode([i], clean_up_tokenization_spaces=False)
            for i in range(len(tokenizer))]


def charset_mask(texts: list[str], charset: str, always: set[int]):
    """Bool tensor over the vocabulary: tokens made only of `charset` (plus '>' for the arrow)."""
    import torch

    allowed = set(charset) | {">", "-", " "}
    pattern = re.compile("[" + re.escape("".join(sorted(allowed))) + "]+")
    mask = torch.zeros(len(texts), dtype=torch.bool)
    for i, t in enumerate(texts):
        if t and pattern.fullmatch(t):
            mask[i] = True
    for i in always:
        mask[i] = True
    return mask


def spec_done(text: str) -> bool:
    return "->" in text or "\n" in text


def clean_spec(text: str) -> str:
    """The spec part of generated text: up to the arrow or line break, trimmed."""
    text = text.split("\n", 1)[0]
    return text.split("->", 1)[0].strip()
