"""The held-out split tests new phrasings, not skills the train split never shows.

Templates are what the held-out split is made of (data/templates/base.partition). When the only template
with a skill lands in `test` (a `not_before` constraint, three factors), the held-out score measures a
skill no train row teaches. Every spec feature of a held-out template must also come from a train one.
"""

import random
import re

import pytest

from routerforge.data.config import DataConfig
from routerforge.data.templates import split_views


def features(expert: str, spec: str) -> set[str]:
    """What a spec asks the model to know beyond copying: constraint kinds, operator shapes."""
    if expert == "schedule":
        return set(re.findall(r"([a-z_]+)(?:\(|,|$)", re.sub(r"\([^)]*\)", "(", spec.split("|", 1)[1])))
    if expert == "word_problem":
        start, _, ops = spec.partition("|")
        return ({"start-product"} if "*" in start else set()) | {re.sub(r"\d+(?:\.\d+)?", "n", t) for t in ops.split()}
    return {re.sub(r"\d+(?:\.\d+)?", "n", spec)}  # math: the expression's shape


def _features(view, expert: str) -> dict[str, set[str]]:
    rng, out = random.Random(0), {}
    for t in view.templates:
        for _ in range(25):
            for f in features(expert, t.render(rng, view.pools).spec):
                out.setdefault(f, set()).add(t.id)
    return out


@pytest.mark.parametrize("expert", ["add", "subtract", "multiply", "divide", "word_problem", "schedule"])
def test_every_held_out_feature_is_taught_by_a_train_template(expert):
    views = split_views(expert, DataConfig().holdout_ratio)
    train, test = _features(views["train"], expert), _features(views["test"], expert)
    unseen = {f: sorted(ids) for f, ids in test.items() if f not in train}
    assert not unseen, f"held-out only: {unseen}"


def test_features_read_constraints_and_shapes():
    assert features("schedule", "a:1hr,b:2hr | no_overlap,not_before(a,7:30pm)") == {"no_overlap", "not_before"}
    assert features("word_problem", "eggs:4*4 | -3 *(1-2/5)") == {"start-product", "-n", "*(n-n/n)"}
    assert features("multiply", "6 * 784 * 3") == {"n * n * n"}
