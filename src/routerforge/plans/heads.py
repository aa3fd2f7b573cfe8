"""Linear heads over pooled hidden states, with temperature calibration (as the expert router's probe).

A `LinearHead` is standardisation + multinomial logistic regression (scikit-learn), folded into one
linear map, so a saved head is plain JSON and applying it is a matrix product. `calibrate` fits the
head's temperature on held-out rows (negative log-likelihood, `routers.calibration`) and records the
expected calibration error before and after, so a decision's confidence means what it says.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from routerforge.errors import InputError


@dataclass
class LinearHead:
    classes: list[str]
    coef: np.ndarray  # [K, H]
    intercept: np.ndarray  # [K]
    temperature: float = 1.0
    meta: dict = field(default_factory=dict)

    @classmethod
    def fit(cls, x: np.ndarray, y: list[str], *, C: float = 1.0, seed: int = 0) -> "LinearHead":
        from sklearn.linear_model import LogisticRegression

        if len(set(y)) < 2:
            raise InputError(f"a head needs at least two classes in its training rows, got {sorted(set(y))}")
        x = np.asarray(x, np.float64)
        mu, sd = x.mean(0), x.std(0) + 1e-6
        clf = LogisticRegression(C=C, max_iter=3000, random_state=seed).fit((x - mu) / sd, y)
        w, b = clf.coef_, clf.intercept_
        if len(clf.classes_) == 2:  # sklearn's binary form -> two-row softmax: [0, w.x + b]
            w, b = np.vstack([np.zeros_like(w), w]), np.concatenate([[0.0], b])
        coef = w / sd
        head = cls([str(c) for c in clf.classes_], coef, b - coef @ mu)
        head.meta = {"C": C, "n_train": len(y), "train_accuracy": head.accuracy(x, y)}
        return head

    def logits(self, x: np.ndarray) -> np.ndarray:
        return np.atleast_2d(np.asarray(x, np.float64)) @ self.coef.T + self.intercept

    def probs(self, x: np.ndarray) -> np.ndarray:
        z = self.logits(x) / self.temperature
        p = np.exp(z - z.max(1, keepdims=True))
        return p / p.sum(1, keepdims=True)

    def predict(self, x: np.ndarray) -> list[str]:
        """Argmax class; below `abstain_below` confidence (if set) the `fallback` class instead."""
        p = self.probs(x)
        low, fallback = self.meta.get("abstain_below"), self.meta.get("fallback")
        return [fallback if low is not None and fallback and row.max() < low else self.classes[int(row.argmax())]
                for row in p]

    def fit_fallback(self, x: np.ndarray, y: list[str]) -> None:
        """On held-out rows: the confidence below which answering the most common class is more often
        right than the head (for a head whose signal is weak outside its training phrasings)."""
        majority = max(sorted(set(y)), key=y.count)
        best = (-1.0, None)
        for low in [None, *np.linspace(0.35, 1.0, 14)]:
            self.meta.update(abstain_below=low, fallback=majority)
            acc = float(np.mean([a == b for a, b in zip(self.predict(x), y)]))
            if acc > best[0] + 1e-9:
                best = (acc, low)
        self.meta.update(abstain_below=None if best[1] is None else float(best[1]), fallback=majority,
                         val_accuracy_with_fallback=best[0])

    def accuracy(self, x: np.ndarray, y: list[str]) -> float:
        return float(np.mean([p == t for p, t in zip(self.predict(x), y)])) if len(y) else float("nan")

    def calibrate(self, x: np.ndarray, y: list[str]) -> None:
        """Temperature on held-out rows; rows whose class the head never saw are left out."""
        from routerforge.routers.calibration import NameScores, ece, fit_temperature

        keep = [i for i, t in enumerate(y) if t in self.classes]
        if len(keep) < 2:
            return
        x, y = np.asarray(x)[keep], [y[i] for i in keep]
        scores = NameScores.flat(self.logits(x), self.classes)
        labels = np.array([self.classes.index(t) for t in y])
        correct = scores.predicted == labels
        before = ece(scores.confidence(1.0), correct)
        self.temperature = fit_temperature(scores, labels)
        self.meta.update(val_accuracy=float(correct.mean()), ece_before=before,
                         ece_after=ece(scores.confidence(self.temperature), correct), n_val=len(y))

    def to_json(self) -> dict:
        return {"classes": self.classes, "coef": self.coef.tolist(), "intercept": self.intercept.tolist(),
                "temperature": self.temperature, **self.meta}

    @classmethod
    def from_json(cls, d: dict) -> "LinearHead":
        try:
            coef, intercept = np.asarray(d["coef"], np.float64), np.asarray(d["intercept"], np.float64)
            classes = [str(c) for c in d["classes"]]
            head = cls(classes, coef, intercept, float(d.get("temperature", 1.0)),
                       {k: v for k, v in d.items() if k not in ("classes", "coef", "intercept", "temperature")})
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"malformed plan head: {exc}") from None
        if coef.ndim != 2 or coef.shape[0] != len(classes) or intercept.shape != (len(classes),) or head.temperature <= 0:
            raise InputError(f"malformed plan head: coef {coef.shape}, intercept {intercept.shape}, "
                             f"{len(classes)} classes, temperature {head.temperature}")
        return head
