"""The verified reward, row by row: 1.0 / 0.7 / 0.5 / 0.3 / 0.0, and the registry."""

import pytest

from routerforge.train.rewards import REWARDS, combined_reward, format_reward, verified_reward


@pytest.mark.parametrize(
    "completion, expert, spec, want",
    [
        ("multiply: 256 * 4 ->", "multiply", "256 * 4", 1.0),  # right expert, right result
        ("add: 256 * 4 ->", "multiply", "256 * 4", 1.0),  # same class (math): any arithmetic expert computes it
        ("multiply: 256 * 4 -> 99999", "multiply", "256 * 4", 1.0),  # the model's own result never counts
        ("multiply: 256 * 5 ->", "multiply", "256 * 4", 0.7),  # right expert, wrong result
        ("multiply: 256 ** ->", "multiply", "256 * 4", 0.5),  # right expert, spec does not execute
        ("word_problem: eggs:16 | -3 -4 *2 ->", "word_problem", "eggs:16 | -3 -4 *2", 1.0),
        ("word_problem: eggs:16 | -3 ->", "word_problem", "eggs:16 | -3 -4 *2", 0.7),
        ("time: Asia/Tokyo ->", "time", "Asia/Tokyo", 1.0),
        ("time: Tokyo ->", "time", "Asia/Tokyo", 1.0),  # an alias resolving to the same zone
        ("time: Atlantis ->", "time", "Asia/Tokyo", 0.5),
        ("chat: ->", "multiply", "256 * 4", 0.3),  # wrong expert
        ("nosuchexpert: 1 ->", "multiply", "256 * 4", 0.3),  # unregistered expert = wrong expert
        ("chat: ->", "chat", "", 1.0),
        ("I think the answer is 1024", "multiply", "256 * 4", 0.0),  # unparseable
        ("", "chat", "", 0.0),
    ],
)
def test_verified_reward_table(completion, expert, spec, want):
    assert verified_reward([completion], expert=[expert], spec=[spec]) == [want]


def test_conversational_completions_and_extra_columns():
    comp = [[{"role": "assistant", "content": "divide: (54+23)/2 ->"}]]
    assert verified_reward(comp, expert=["divide"], spec=["(54 + 23) / 2"], query=["q"]) == [1.0]


def test_registry_and_combination():
    assert REWARDS.resolve("verified") is verified_reward
    assert REWARDS.resolve("routerforge.train.rewards:format_reward") is format_reward
    both = combined_reward(["verified", "format"])
    assert both(["add: 1 + 1 ->", "garbage"], expert=["add", "add"], spec=["1 + 1", "1 + 1"]) == [1.0, 0.0]
    with pytest.raises(KeyError):
        REWARDS.resolve("nope")
