"""Token-level constraints for decoding a decision `expert: spec ->`.

- The expert name is forced to a registered expert by walking a trie of the names' tokenizations
  (each name followed by ':'), so a generated name is always a registered one.
- The spec is restricted to the expert's character set where it has one (digits and operators for
  arithmetic, …); generation ends at `->`, a line break, or end of turn.
- Inside a field the expert says must copy a word of the query (`Expert.copy_field`: a schedule's task
  names, a time's place), only tokens that continue a word of the query are allowed (`CopyIndex`), so a
  name is copied exactly: `Latin` cannot become `linguam`, nor `errands` `eradication`, nor `KYOTO`
  `Kiev` (places match whatever the case: `Expert.copy_casefold`).
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


NAME_WORD = re.compile(r"\w[\w\-]*")  # what a copied field holds (the schedule expert's task names)


class CopyIndex:
    """Token lookups for copy fields, built once per tokenizer: the ids of each token text, and which
    tokens start with a field's end (`:`, `,`, `)`)."""

    def __init__(self, texts: list[str]) -> None:
        import torch

        self.by_text: dict[str, list[int]] = {}
        for i, t in enumerate(texts):
            if t:
                self.by_text.setdefault(t, []).append(i)
        self.size, self.texts = len(texts), texts
        self._ends: dict[str, object] = {}  # field end -> mask of tokens that start with it
        self._by_folded: dict[str, list[int]] | None = None  # casefolded text -> ids, built on first use

    @staticmethod
    def words(query: str) -> list[str]:
        """The words a copy field may hold: the query's words, less numbers and durations (`2h`)."""
        return list(dict.fromkeys(w for w in NAME_WORD.findall(query) if not w[0].isdigit()))

    def ends(self, end: str):
        """Bool mask of the tokens that start with `end`, the character that closes a field."""
        import torch

        if end not in self._ends:
            self._ends[end] = torch.tensor([t[:1] == end for t in self.texts])
        return self._ends[end]

    def _folded(self) -> dict[str, list[int]]:
        if self._by_folded is None:
            self._by_folded = {}
            for t, ids in self.by_text.items():
                self._by_folded.setdefault(t.casefold(), []).extend(ids)
        return self._by_folded

    def allowed(self, field: str, end: str, words: list[str], fold: bool = False):
        """Bool mask of tokens that keep `field` (the copy field so far, maybe with leading spaces) on
        the way to one of `words`: the next piece of a word, a piece that finishes it with the field's
        `end` character, or, once the field is a whole word, a token that starts with `end`. With
        `fold`, case does not matter (`Kyoto` copies `KYOTO`). None when no word starts with the
        field (nothing to enforce)."""
        import torch

        typed = field.lstrip(" ")
        lead = ("", " ") if not typed and not field else ("",)  # a field's first token may carry its space
        key = str.casefold if fold else (lambda t: t)
        table = self._folded() if fold else self.by_text
        heads = [w for w in words if key(w).startswith(key(typed))]
        if not heads:
            return None
        ids: list[int] = []
        for w in heads:
            rest = key(w)[len(key(typed)):]
            for k in range(1, len(rest) + 1):
                for sp in lead:
                    ids += table.get(sp + rest[:k], [])
            for sp in lead:
                ids += table.get(sp + rest + end, [])
        mask = torch.zeros(self.size, dtype=torch.bool)
        if ids:
            mask[torch.tensor(ids)] = True
        if key(typed) in {key(w) for w in words}:  # a whole word: it may end here
            mask |= self.ends(end)
        return mask
