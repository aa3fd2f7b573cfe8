"""A linear read-out of hidden states: the map both hidden-state routers use (the probe picks an expert,
the chat gate says chat or not), with the pooling of a batch's states and the fit.

`Probe` is a plain linear map `softmax((W h + b) / T)` over pooled states at one layer; `_fit_linear` fits it
with scikit-learn (standardisation folded into the weights). No model code here: the callers take the
states (probe.py from the full prefill, chat_gate.py from its first layers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from routerforge.errors import InputError
from routerforge.experts import default_expert

POSITIONS = ("last", "mean")


def pool(layer_states, lengths: list[int], position: str) -> np.ndarray:
    """[B, T, H] states of left-padded rows -> [B, H]: the last token, or the mean of each row's own tokens."""
    x = layer_states.float()
    if position == "last":
        return x[:, -1].numpy().astype(np.float64)
    if position == "mean":
        return np.stack([x[b, x.shape[1] - n:].mean(0).numpy() for b, n in enumerate(lengths)]).astype(np.float64)
    raise InputError(f"position must be one of {POSITIONS}, got {position!r}")



@dataclass
class Probe:
    layer: int
    position: str
    classes: list[str]
    coef: np.ndarray  # [K, H]
    intercept: np.ndarray  # [K]
    temperature: float = 1.0
    abstain_below: float | None = None
    meta: dict = field(default_factory=dict)  # val accuracy, layer scores, ECE, sizes, date

    def logits(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, np.float64) @ self.coef.T + self.intercept

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """[N, K] softmax((W x + b) / T) over `classes`."""
        z = self.logits(x) / self.temperature
        p = np.exp(z - z.max(1, keepdims=True))
        return p / p.sum(1, keepdims=True)

    def choose(self, x: np.ndarray) -> list[tuple[str, float]]:
        """(expert, confidence) per row, the confidence being the probability of the expert's class
        (the arithmetic experts share `math`); below `abstain_below` the expert is `chat`."""
        from routerforge.experts import class_of

        p = self.probabilities(x)
        cls = np.array([class_of(c) for c in self.classes])
        out = []
        for row in p:
            k = int(row.argmax())
            conf = float(row[cls == cls[k]].sum())
            abstain = self.abstain_below is not None and conf < self.abstain_below
            out.append((default_expert() if abstain else self.classes[k], conf))
        return out

    def to_json(self) -> dict:
        return {"layer": self.layer, "position": self.position, "classes": self.classes,
                "coef": self.coef.tolist(), "intercept": self.intercept.tolist(),
                "temperature": self.temperature, "abstain_below": self.abstain_below, **self.meta}

    @classmethod
    def from_json(cls, d: dict) -> "Probe":
        try:
            coef, intercept = np.asarray(d["coef"], np.float64), np.asarray(d["intercept"], np.float64)
            classes, position = list(d["classes"]), d.get("position", "last")
            probe = cls(int(d["layer"]), position, classes, coef, intercept, float(d.get("temperature", 1.0)),
                        d.get("abstain_below"),
                        {k: v for k, v in d.items() if k not in {"layer", "position", "classes", "coef", "intercept",
                                                                  "temperature", "abstain_below"}})
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"malformed probe: {exc}") from None
        if coef.ndim != 2 or coef.shape[0] != len(classes) or intercept.shape != (len(classes),):
            raise InputError(f"malformed probe: coef {coef.shape} / intercept {intercept.shape} "
                             f"do not match {len(classes)} classes")
        if position not in POSITIONS or probe.temperature <= 0:
            raise InputError(f"malformed probe: position {position!r}, temperature {probe.temperature}")
        return probe

    def save(self, path: str | Path) -> Path:
        from routerforge.io import atomic_write_text

        return atomic_write_text(path, json.dumps(self.to_json()) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> "Probe":
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no probe at {path}; fit one with `routerforge probe fit --run {path.parent}`")
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not valid JSON: {exc}") from None


def _fit_linear(x: np.ndarray, y: list[str], C: float, seed: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Standardise + logistic regression, folded into one linear map (classes, coef, intercept)."""
    from sklearn.linear_model import LogisticRegression

    mu, sd = x.mean(0), x.std(0) + 1e-6
    clf = LogisticRegression(C=C, max_iter=2000, random_state=seed).fit((x - mu) / sd, y)
    w, b = clf.coef_, clf.intercept_
    if len(clf.classes_) == 2:  # sklearn's binary form: p(class 1) = sigmoid(w.x + b) = softmax([0, w.x + b])
        w, b = np.vstack([np.zeros_like(w), w]), np.concatenate([[0.0], b])
    coef = w / sd
    return [str(c) for c in clf.classes_], coef, b - coef @ mu


__all__ = ["POSITIONS", "Probe", "pool"]
