"""Calibrated routing confidence: temperature scaling, expected calibration error, abstention.

The runtime's confidence in a generated decision is the probability of the greedily chosen expert
name under constrained decoding: the product, over the name's tokens, of the softmax of
`logits / T` restricted to the tokens the name trie allows at that step. Only trie nodes with two
or more children contribute (a forced token has probability 1), so the whole distribution over
registered names is a product of small softmaxes, one per *branching node*. `NameScores` holds the
restricted logits at every branching node for N queries; with them the name distribution can be
recomputed for any temperature without touching the model again. A linear probe's logits are the
one-node special case (`NameScores.flat`).

Fitting (`calibrate`): T minimises the mean negative log-likelihood of the correct expert on
validation rows (Guo et al. 2017); ECE uses 15 equal-width confidence bins; the abstention
threshold is the lowest confidence at which the rows kept (confidence >= threshold) reach a target
precision, i.e. the largest coverage that meets it. Below the threshold a router answers `chat`.

`routerforge.train.calibrate.calibrate_run(run)` does all of it for a run directory (the val split by default) and writes
RUN/calibration.json; `routerforge probe calibrate` and the training pipeline's calibration stage call it.
`name_scores(router, queries)` is the model hook: it teacher-forces each branching node's token
path after the prompt (reusing the router's cached system-prompt prefix, see `prefill.PrefixCache`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from routerforge.errors import InputError
from routerforge.experts import default_expert

N_BINS = 15
T_BOUNDS = (0.05, 20.0)  # temperatures outside this range mean the validation set is degenerate


@dataclass
class NameScores:
    """Restricted logits of N queries at each branching node of the expert-name trie."""

    names: list[str]  # class order of log_probs() columns
    node_logits: list[np.ndarray]  # per branching node k: [N, n_children_k]
    paths: list[list[tuple[int, int]]]  # per name: (node k, child j) for each branching node on its path
    predicted: np.ndarray  # [N] index into names of the greedy (argmax at each node) name; T-invariant
    child_names: list[list[frozenset]] | None = None  # per branching node k, per child: the names below it

    @classmethod
    def flat(cls, logits: np.ndarray, names: list[str]) -> "NameScores":
        """One softmax over all names (a probe, or a trie that branches only at its root)."""
        logits = np.asarray(logits, dtype=np.float64)
        return cls(list(names), [logits], [[(0, j)] for j in range(len(names))], logits.argmax(1),
                   [[frozenset([n]) for n in names]])

    def __len__(self) -> int:
        return len(self.predicted)

    def log_probs(self, temperature: float = 1.0) -> np.ndarray:
        """[N, len(names)] log-probabilities of each name at this temperature."""
        node_lp = [_log_softmax(z / temperature) for z in self.node_logits]
        out = np.zeros((len(self), len(self.names)))
        for c, path in enumerate(self.paths):
            for k, j in path:
                out[:, c] += node_lp[k][:, j]
        return out

    def confidence(self, temperature: float = 1.0, classes: list[str] | None = None) -> np.ndarray:
        """Probability of the greedily decoded name; with `classes` (the class of each name, e.g. all
        four arithmetic experts are `math`) the runtime's confidence, the probability of its *class*
        as seen along the greedy path: at each branching node of that path, the siblings whose every
        name is of the predicted class add their probability (`path_class_mass`). With class-pure
        subtrees below the root (as with the SmolLM2 tokenizer) this is the exact class probability."""
        if classes is None:
            return np.exp(self.log_probs(temperature)[np.arange(len(self)), self.predicted])
        if self.child_names is None:
            raise ValueError("these scores do not know the trie's subtrees (child_names)")
        cls = dict(zip(self.names, classes))
        node_p = [np.exp(_log_softmax(z / temperature)) for z in self.node_logits]
        out = np.zeros(len(self))
        for i, pred in enumerate(self.predicted):
            steps = [(node_p[k][i], j, [all(cls[n] == cls[self.names[pred]] for n in below)
                                        for below in self.child_names[k]]) for k, j in self.paths[pred]]
            out[i] = path_class_mass(steps)
        return out

    def label_index(self, labels: list[str]) -> np.ndarray:
        """Indices of label names; -1 for a label the router cannot emit (excluded from fitting)."""
        pos = {n: i for i, n in enumerate(self.names)}
        return np.array([pos.get(lab, -1) for lab in labels], dtype=int)


def path_class_mass(steps) -> float:
    """Class probability along a greedy path: `steps` are (probabilities of the node's children,
    index of the child taken, [whether each child's subtree is all of the predicted class]) for each
    branching node. Shared by calibration and the runtime so both report the same number."""
    mass, path = 0.0, 1.0
    for probs, j, pure in steps:
        mass += path * sum(float(p) for jj, (p, ok) in enumerate(zip(probs, pure)) if ok and jj != j)
        path *= float(probs[j])
    return mass + path


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


# ---------------------------------------------------------------- pure metrics

def nll(scores: NameScores, labels: np.ndarray, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of the correct names (rows with label -1 ignored)."""
    keep = labels >= 0
    if not keep.any():
        raise InputError("no rows with a label the router can emit")
    lp = scores.log_probs(temperature)[keep]
    return float(-lp[np.arange(len(lp)), labels[keep]].mean())


def ece(confidence: np.ndarray, correct: np.ndarray, n_bins: int = N_BINS) -> float:
    """Expected calibration error with equal-width bins: sum_b |B|/N * |accuracy(B) - confidence(B)|."""
    confidence, correct = np.asarray(confidence, float), np.asarray(correct, float)
    if len(confidence) == 0:
        return 0.0
    # bin b holds (b/n, (b+1)/n]; confidence 0 goes to the first bin
    bins = np.clip(np.ceil(confidence * n_bins).astype(int) - 1, 0, n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        m = bins == b
        if m.any():
            total += m.sum() * abs(correct[m].mean() - confidence[m].mean())
    return float(total / len(confidence))


def fit_temperature(scores: NameScores, labels: np.ndarray, bounds: tuple[float, float] = T_BOUNDS) -> float:
    """The temperature minimising validation NLL (a 1-D bounded search over log T)."""
    from scipy.optimize import minimize_scalar

    res = minimize_scalar(lambda lt: nll(scores, labels, float(np.exp(lt))),
                          bounds=(np.log(bounds[0]), np.log(bounds[1])), method="bounded",
                          options={"xatol": 1e-4})
    t = float(np.exp(res.x))
    # keep T=1 unless scaling actually helps (a flat NLL surface would otherwise drift to a bound)
    return t if nll(scores, labels, t) < nll(scores, labels, 1.0) - 1e-9 else 1.0


def threshold_for_precision(confidence: np.ndarray, correct: np.ndarray, target: float) -> float | None:
    """Lowest threshold t such that rows with confidence >= t are at least `target` correct.
    0.0 when every row may be kept; None when no threshold reaches the target."""
    confidence, correct = np.asarray(confidence, float), np.asarray(correct, bool)
    if not 0 < target <= 1:
        raise InputError(f"target precision must be in (0, 1], got {target}")
    if len(confidence) == 0:
        return None
    if correct.mean() >= target:
        return 0.0
    for t in np.unique(confidence):  # ascending: the first that works keeps the most rows
        kept = confidence >= t
        if correct[kept].mean() >= target:
            return float(t)
    return None


def abstention_stats(confidence: np.ndarray, correct: np.ndarray, is_chat: np.ndarray,
                     abstain_below: float | None) -> dict:
    """Coverage, precision of the kept rows, and accuracy when abstained rows go to chat."""
    confidence, correct, is_chat = (np.asarray(confidence, float), np.asarray(correct, bool),
                                    np.asarray(is_chat, bool))
    kept = np.ones(len(confidence), bool) if abstain_below is None else confidence >= abstain_below
    routed_ok = np.where(kept, correct, is_chat)  # abstaining is right when the truth is chat
    return {"coverage": float(kept.mean()) if len(kept) else 0.0,
            "precision_kept": float(correct[kept].mean()) if kept.any() else None,
            "accuracy": float(routed_ok.mean()) if len(kept) else 0.0}


def calibrate(scores: NameScores, labels: list[str], *, target_precision: float | None = 0.95,
              abstain_below: float | None = None, n_bins: int = N_BINS, classes: list[str] | None = None) -> dict:
    """Fit T on these rows and pick the abstention threshold (given, or for `target_precision`).

    With `classes` (the class of each of `scores.names`) confidence, correctness, ECE and the threshold
    are about the expert *class*: abstaining to chat is a decision about whether to call an expert
    at all, and an `add` vs `multiply` doubt must not make a plainly arithmetic query abstain.
    Returns the `calibration.json` fields `{temperature, abstain_below, ece_before, ece_after, n}`
    plus nll_before/after, accuracy, coverage and the precision of the rows kept."""
    idx = scores.label_index(labels)
    usable = idx >= 0
    if not usable.any():
        raise InputError("no validation rows whose expert the router can emit")
    sub = NameScores(scores.names, [z[usable] for z in scores.node_logits], scores.paths, scores.predicted[usable],
                     scores.child_names)
    idx = idx[usable]
    t = fit_temperature(sub, idx)
    if classes is not None:
        cls = np.array(classes)
        correct = cls[sub.predicted] == cls[idx]
    else:
        correct = sub.predicted == idx
    conf_before, conf_after = sub.confidence(1.0, classes), sub.confidence(t, classes)
    if abstain_below is None and target_precision is not None:
        abstain_below = threshold_for_precision(conf_after, correct, target_precision)
    if abstain_below is not None and not 0 <= abstain_below <= 1:
        raise InputError(f"abstain-below must be a probability in [0, 1], got {abstain_below}")
    is_chat = np.array([sub.names[i] == default_expert() for i in idx])
    return {"temperature": t, "abstain_below": abstain_below,
            "ece_before": ece(conf_before, correct, n_bins), "ece_after": ece(conf_after, correct, n_bins),
            "n": int(len(idx)), "n_skipped": int((~usable).sum()),
            "nll_before": nll(sub, idx, 1.0), "nll_after": nll(sub, idx, t),
            "expert_accuracy": float(correct.mean()), "target_precision": target_precision,
            "level": "class" if classes is not None else "name",
            **abstention_stats(conf_after, correct, is_chat, abstain_below)}


# ---------------------------------------------------------------- model hook

def _branching_nodes(trie) -> list[tuple[list[int], object]]:
    """(token path from the root, node) for every trie node with two or more children."""
    out, stack = [], [([], trie)]
    while stack:
        path, node = stack.pop()
        if len(node.children) >= 2:
            out.append((path, node))
        for tid, child in node.children.items():
            if child.expert is None:  # the runtime stops at a completed name
                stack.append((path + [tid], child))
    return sorted(out, key=lambda pn: (len(pn[0]), pn[0]))


def name_scores(router, queries: list[str], batch_size: int | None = None) -> NameScores:
    """Restricted name logits of a `generated.Router` for each query, at temperature 1.

    Matches `Router.decide_batch` exactly: the same prompt, cached prefix and allowed-token order;
    the greedy name and `confidence(router.temperature, router.classes)` equal what decoding reports."""
    nodes = _branching_nodes(router.trie)
    index = {id(node): k for k, (_, node) in enumerate(nodes)}
    bs = batch_size or router.batch_size
    node_logits = []
    for path, node in nodes:
        allowed = list(node.children)
        parts = []
        for i in range(0, len(queries), bs):
            chunk = queries[i:i + bs]
            out, _ = router.prefix.prefill(chunk, tails=[path] * len(chunk))
            parts.append(out.logits[:, -1].float()[:, allowed].double().numpy())
        node_logits.append(np.concatenate(parts) if parts else np.zeros((0, len(allowed))))
    names = list(router.experts)
    paths = []
    for name in names:
        node, path = router.trie, []
        for tid in router.name_tokens[name]:
            if id(node) in index:
                path.append((index[id(node)], list(node.children).index(tid)))
            node = node.children[tid]
        paths.append(path)
    predicted = np.array([_greedy(router.trie, index, node_logits, i, names) for i in range(len(queries))], int)
    child_names = [[router.names_below[id(child)] for child in node.children.values()] for _, node in nodes]
    return NameScores(names, node_logits, paths, predicted, child_names)


def _greedy(trie, index: dict, node_logits: list[np.ndarray], row: int, names: list[str]) -> int:
    node = trie
    while node.expert is None:
        children = list(node.children)
        k = index.get(id(node))
        tid = children[int(np.argmax(node_logits[k][row]))] if k is not None else children[0]
        node = node.children[tid]
    return names.index(node.expert)


__all__ = ["NameScores", "abstention_stats", "calibrate", "ece", "fit_temperature", "name_scores", "nll",
           "path_class_mass", "threshold_for_precision"]
