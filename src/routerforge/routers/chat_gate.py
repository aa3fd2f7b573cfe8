"""The chat gate: a `chat` decision from the first layers of the prefill (issue 12).

    routerforge probe gate --run RUN [--layers 4,6,8,10,12] [--positions last,mean] [--precision 1.0]
                                                     # writes RUN/chat_gate.json

Most requests in front of a router are chat (CLINC150: 384 of 444), and a chat decision is one prefill
pass through all 30 layers. The gate reads the hidden states after layer L (L << 30) of that same
prefill (the last prompt token's, or the mean over the query's tokens), with the router's own prompt
and cached prefix, and a binary linear probe says how likely the request is chat. Above the gate's threshold the decision is `chat` and the remaining 30 - L layers never
run (a forward hook stops the pass after layer L). Below it the row is decided exactly as without a
gate, by the full router. On torch the gate reads the router's own first pass (`watch`): a batch whose
rows it lets out none of goes on through the remaining layers, so a single request pays nothing for
the gate but a [H] dot product. A batch where it lets out some rows but not all stops, and the other
rows are decided by the full router, with their first L layers computed again (a share of one pass,
next to the ~9 passes of an expert decision). The llama.cpp engine's rows get the same from a torch
pass cut off at layer L (`exits`).

The probe is `linear_probe.Probe` with the classes `chat` and `expert`, fitted on 2,000 rows of the run's train
split (gold class: chat or not). Its threshold is the lowest above which every row of a threshold set that
the gate lets out is chat (`precision`, default 1.0): the val split plus up to 3,000 train rows the probe
was not fitted on (the model was trained on them, the probe was not). Val alone has ~60 chat rows, and a
threshold from it let expert rows out on the test split and on CLINC150. Per candidate layer, position
and C, the gate that saves the most layer passes there is kept: (depth - layer) / depth for each chat
row let out.
The router then skips only what the gate is sure of; `routerforge eval` and `benchmarks/latency.py` show
what it costs in accuracy (decode path `chat_gate`).
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from routerforge.errors import InputError
from routerforge.routers.linear_probe import POSITIONS, Probe, _fit_linear, pool

GATE_FILE = "chat_gate.json"
CHAT, EXPERT = "chat", "expert"


class _Stop(Exception):
    """Raised by the hook after layer L: the rest of the forward pass is not needed."""


class GateExit(Exception):
    """The router's first pass stopped at the gate's layer because the gate let out some of its rows:
    `exits[i]` is row i's P(chat) if the gate lets it out, None if the full router must decide it."""

    def __init__(self, exits: list[float | None]) -> None:
        super().__init__(f"the chat gate let out {sum(e is not None for e in exits)} of {len(exits)} rows")
        self.exits = exits


def shallow_states(router, queries: list[str], layers: list[int]) -> tuple[dict, list[int]]:
    """({layer: [B, T, H] residual stream after that decoder layer}, suffix lengths) for the prompts of
    `queries`: the router's batched prefill (`PrefixCache.inputs`), cut off after the deepest layer asked."""
    import torch

    blocks = router.model.model.layers
    if not layers or not all(1 <= layer < len(blocks) for layer in layers):  # (after the last: nothing to skip)
        raise InputError(f"the gate's layers must be in 1..{len(blocks) - 1}, got {layers}")
    suffixes = [router.prefix.suffix(q) for q in queries]
    ids, attn, pos, cache = router.prefix.inputs(suffixes)
    got, last = {}, max(layers)

    def grab(layer):
        def hook(_module, _inputs, output):
            got[layer] = output[0] if isinstance(output, tuple) else output
            if layer == last:
                raise _Stop
        return hook

    handles = [blocks[layer - 1].register_forward_hook(grab(layer)) for layer in set(layers)]
    try:
        with torch.no_grad():
            router.model(input_ids=ids, attention_mask=attn, position_ids=pos, past_key_values=cache, use_cache=True)
    except _Stop:
        pass
    finally:
        for handle in handles:
            handle.remove()
    return got, [len(s) for s in suffixes]


def gate_features(router, queries: list[str], layers: list[int], positions: tuple[str, ...] = ("last",),
                  batch_size: int | None = None) -> dict[tuple[int, str], np.ndarray]:
    """(layer, position) -> [N, H] pooled states of the queries, from prefills cut off after the deepest
    layer (one pass per batch, whatever the number of layers and positions)."""
    bs = batch_size or router.batch_size
    parts: dict[tuple[int, str], list] = {(layer, p): [] for layer in layers for p in positions}
    for i in range(0, len(queries), bs):
        states, lengths = shallow_states(router, queries[i:i + bs], layers)
        for layer, p in parts:
            parts[(layer, p)].append(pool(states[layer], lengths, p))
    return {key: np.concatenate(p) for key, p in parts.items()}


@dataclass
class ChatGate:
    probe: Probe  # classes [chat, expert], at the gate's layer
    exit_above: float  # P(chat) above which the decision is chat without the remaining layers

    def p_chat(self, x: np.ndarray) -> np.ndarray:
        return self.probe.probabilities(x)[:, self.probe.classes.index(CHAT)]

    def check_fits(self, model) -> None:
        """A clear error for a gate fitted on another model (width or depth), before any request."""
        width, depth = int(model.config.hidden_size), int(model.config.num_hidden_layers)
        if self.probe.coef.shape[1] != width or not 1 <= self.probe.layer < depth:
            raise InputError(f"the chat gate reads layer {self.probe.layer} states of width "
                             f"{self.probe.coef.shape[1]}, but the model has {depth} layers of width {width}; "
                             f"refit it with `routerforge probe gate`")

    def exits(self, router, queries: list[str]) -> list[float | None]:
        """P(chat) for the rows the gate decides (chat), None for the rows the full router must decide."""
        states, lengths = shallow_states(router, queries, [self.probe.layer])
        return self._exits(pool(states[self.probe.layer], lengths, self.probe.position))

    def _exits(self, x: np.ndarray) -> list[float | None]:
        return [float(p) if p > self.exit_above else None for p in self.p_chat(x)]

    @contextmanager
    def watch(self, model, lengths: list[int]):
        """Within it, the model's next forward pass (a left-padded prefill of rows with these suffix
        lengths) is read after the gate's layer: if the gate lets out any of its rows, the pass stops
        there with `GateExit`; if none, it goes on, unchanged. Later passes are not read."""
        blocks = model.model.layers

        def hook(_module, _inputs, output):
            handle.remove()  # the first pass only (torch copies its hook list before calling it)
            states = output[0] if isinstance(output, tuple) else output
            exits = self._exits(pool(states, lengths, self.probe.position))
            if any(e is not None for e in exits):
                raise GateExit(exits)

        handle = blocks[self.probe.layer - 1].register_forward_hook(hook)
        try:
            yield
        finally:
            handle.remove()

    def save(self, path: str | Path) -> Path:
        from routerforge.io import atomic_write_text

        return atomic_write_text(path, json.dumps({**self.probe.to_json(), "exit_above": self.exit_above}) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> "ChatGate":
        path = Path(path)
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
            exit_above = float(d.pop("exit_above"))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not valid JSON: {exc}") from None
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{path}: malformed chat gate (no exit_above)") from None
        probe = Probe.from_json(d)
        if sorted(probe.classes) != [CHAT, EXPERT] or not 0 <= exit_above <= 1:
            raise InputError(f"{path}: malformed chat gate (classes {probe.classes}, exit_above {exit_above})")
        return cls(probe, exit_above)


def _threshold(p: np.ndarray, is_chat: np.ndarray, precision: float) -> tuple[float, int]:
    """(lowest threshold t whose exits p > t are chat at least `precision` of the time, chat rows let out)."""
    order = np.argsort(-p)
    best_t, best_n, right = 1.0, 0, 0
    for k, i in enumerate(order, 1):
        right += bool(is_chat[i])
        nxt = p[order[k]] if k < len(order) else -1.0
        if nxt == p[i]:
            continue  # ties leave together
        if right / k >= precision and right > best_n:
            best_t, best_n = float(max(nxt, 0.0)), right
    return best_t, best_n


def fit_chat_gate(router, train_rows: list[dict], val_rows: list[dict], *, layers: list[int],
                  Cs: tuple[float, ...] = (0.01, 0.1, 1.0), positions: tuple[str, ...] = POSITIONS,
                  precision: float = 1.0, max_train: int = 2000, max_threshold: int = 3000,
                  seed: int = 0) -> ChatGate:
    """Fit the gate's probe per candidate layer, position and C on `max_train` train rows; choose its
    threshold on the val rows plus up to `max_threshold` train rows the probe was not fitted on (val alone
    is ~60 chat rows: a threshold from it let out expert rows on the test split); keep the candidate that
    saves the most layer passes on the chat rows it lets out there, (depth - layer) / depth each."""
    from routerforge.experts import class_of, expert_names

    if not positions or any(p not in POSITIONS for p in positions):
        raise InputError(f"positions must be among {POSITIONS}, got {positions!r}")
    if not 0 < precision <= 1:
        raise InputError(f"precision must be in (0, 1], got {precision}")
    known = set(expert_names())
    train = [r for r in train_rows if r.get("expert") in known]
    if not val_rows:
        raise InputError("the chat gate needs val rows to choose its threshold")
    order = np.random.default_rng(seed).permutation(len(train))
    fit = [train[i] for i in order[:max_train]]
    held = [train[i] for i in order[max_train:max_train + max_threshold]] + [r for r in val_rows if r.get("expert") in known]
    label = [CHAT if class_of(r["expert"]) == CHAT else EXPERT for r in fit]
    if len(set(label)) < 2:
        raise InputError("the chat gate needs chat and expert rows in the train split")
    is_chat = np.array([class_of(r["expert"]) == CHAT for r in held])
    depth, layers, t0 = len(router.model.model.layers), sorted(set(layers)), time.perf_counter()
    positions = tuple(dict.fromkeys(positions))
    xfit = gate_features(router, [r["query"] for r in fit], layers, positions)
    xheld = gate_features(router, [r["query"] for r in held], layers, positions)
    best, scores = None, {}
    for layer in layers:
        for position in positions:
            for C in Cs:
                fitted = _fit_linear(xfit[layer, position], label, C, seed)
                gate = ChatGate(Probe(layer, position, *fitted), 1.0)
                gate.exit_above, n = _threshold(gate.p_chat(xheld[layer, position]), is_chat, precision)
                saved = n * (depth - layer) / depth
                scores[f"{layer}/{position}/{C:g}"] = {
                    "layer": layer, "position": position, "C": C, "exit_above": gate.exit_above, "chat_out": n,
                    "passes_saved": round(saved, 1)}
                if best is None or saved > best[0]:
                    best = (saved, gate, C)
    _, gate, C = best
    gate.probe.meta = {"candidates": scores, "precision": precision, "C": C, "n_fit": len(fit),
                       "n_threshold": len(held), "n_threshold_chat": int(is_chat.sum()), "n_layers": depth,
                       "fit_s": round(time.perf_counter() - t0, 2),
                       "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    return gate


__all__ = ["GATE_FILE", "ChatGate", "GateExit", "fit_chat_gate", "gate_features", "shallow_states"]
