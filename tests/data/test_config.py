"""DataConfig: defaults, checks in __post_init__, YAML loading (plain or pipeline `data:` section)."""

import pytest

from conftest import REPO_ROOT

from routerforge.data.config import DataConfig


def test_defaults_are_valid_and_mix_is_shared_within_a_class():
    config = DataConfig()
    weights = config.expert_weights()
    assert weights["add"] == weights["divide"] == pytest.approx(0.25) and weights["chat"] == 1.0
    assert DataConfig(mix={"math": 1, "add": 1}).expert_weights()["add"] == pytest.approx(1.25)


@pytest.mark.parametrize("bad", [
    {"examples": 0}, {"examples": -5}, {"examples": 2.5}, {"examples": True}, {"seed": "x"},
    {"val_ratio": 1.5}, {"test_ratio": -0.1}, {"val_ratio": 0.5, "test_ratio": 0.5}, {"holdout_ratio": 0},
    {"mix": {"maths": 1}}, {"mix": {"math": -1}}, {"mix": {"math": 0}}, {"mix": {}}, {"variations": ["shout"]},
    {"clock": "yesterday"}, {"variation_rate": 2}, {"exclude": "bench.jsonl"},
])
def test_bad_values_are_rejected(bad):
    with pytest.raises(ValueError):
        DataConfig(**bad)


def test_unknown_key_is_an_error_naming_the_key():
    with pytest.raises(ValueError, match="examplez"):
        DataConfig.from_dict({"examplez": 10})


def test_yaml_plain_and_pipeline_section(tmp_path):
    plain = tmp_path / "plain.yaml"
    plain.write_text("examples: 12\nseed: 4\nmix: {time: 1, chat: 1}\n")
    assert DataConfig.from_yaml(plain) == DataConfig(examples=12, seed=4, mix={"time": 1, "chat": 1})
    pipeline = tmp_path / "pipeline.yaml"
    pipeline.write_text("model: foo\nsft: {epochs: 3}\ndata:\n  examples: 33\n  variation_rate: 0.2\n")
    config = DataConfig.from_yaml(pipeline)
    assert config.examples == 33 and config.variation_rate == 0.2
    bad = tmp_path / "bad.yaml"
    bad.write_text("data:\n  examples: 3\n  bogus: 1\n")
    with pytest.raises(ValueError, match="bogus"):
        DataConfig.from_yaml(bad)
    with pytest.raises(FileNotFoundError):
        DataConfig.from_yaml(tmp_path / "missing.yaml")


def test_cot_config_first_line_is_the_command():
    first = open(REPO_ROOT / "configs" / "data_cot_mix.yaml", encoding="utf-8").readline()
    assert first.startswith("# routerforge data generate --config configs/data_cot_mix.yaml")


def test_replace_ignores_none_and_clock_is_fixed_per_seed():
    config = DataConfig(examples=5).replace(examples=None, seed=9)
    assert config.examples == 5 and config.seed == 9
    assert DataConfig(seed=9).clock_instant() == DataConfig(seed=9).clock_instant()
    assert DataConfig(seed=9).clock_instant() != DataConfig(seed=10).clock_instant()
    assert DataConfig(clock="2025-06-01T12:00:00Z").clock_instant().hour == 12
