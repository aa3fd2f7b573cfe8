"""Rewards for RL, as pure functions with TRL's reward signature `(completions, **columns) -> list[float]`.

`verified` executes the sampled decision with the experts and compares it with the ground truth:

    1.0  right expert and the executed result equals the truth
    0.7  right expert, wrong result
    0.5  right expert, but the spec fails to parse or execute
    0.3  wrong expert (or an unregistered one)
    0.0  unparseable

"Right expert" means the same expert class (any arithmetic expert evaluates any expression, so
`add: 256 * 4` computes the same as `multiply: 256 * 4`). Only the text before `->` counts: the
model's own text after the arrow is ignored, since the expert supplies the result. Both sides are
executed under one frozen clock so time results compare deterministically.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from routerforge.experts import class_of, clock, expert_names, get_expert
from routerforge.formats.decision import DecisionParseError, parse_decision
from routerforge.registry import Registry

RewardFn = Callable[..., list[float]]
REWARDS: Registry[RewardFn] = Registry("reward")
REWARD_CLOCK = datetime(2025, 1, 15, 12, 0, tzinfo=timezone.utc)


def _text(completion) -> str:
    """TRL passes strings, or for conversational data a list of messages."""
    if isinstance(completion, list):
        completion = completion[-1]["content"] if completion else ""
    return completion.strip().split("\n", 1)[0]


def verified_reward_one(completion, expert: str, spec: str) -> float:
    try:
        decision = parse_decision(_text(completion))
    except DecisionParseError:
        return 0.0
    if decision.expert not in expert_names() or class_of(decision.expert) != class_of(expert):
        return 0.3
    with clock.frozen(REWARD_CLOCK):
        truth = get_expert(expert).run(spec)
        pred = get_expert(decision.expert).run(decision.spec)
    if not pred.ok:
        return 0.5
    return 1.0 if get_expert(expert).results_equal(pred.value, truth.value) else 0.7


def verified_reward(completions: list, expert: list[str], spec: list[str], **_: object) -> list[float]:
    return [verified_reward_one(c, e, s) for c, e, s in zip(completions, expert, spec, strict=True)]


def format_reward(completions: list, **_: object) -> list[float]:
    """1.0 when the completion parses as a decision naming a registered expert."""
    out = []
    for c in completions:
        try:
            out.append(1.0 if parse_decision(_text(c)).expert in expert_names() else 0.0)
        except DecisionParseError:
            out.append(0.0)
    return out


REWARDS.register("verified", verified_reward)
REWARDS.register("format", format_reward)


def combined_reward(names: list[str]) -> RewardFn:
    """Mean of the named rewards (names in REWARDS or dotted paths to TRL-style functions)."""
    fns = [REWARDS.resolve(n) for n in names]

    def reward(completions, **columns):
        scores = [fn(completions, **columns) for fn in fns]
        return [sum(col) / len(fns) for col in zip(*scores)]

    return reward
