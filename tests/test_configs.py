"""Every shipped config loads through the loader its header command uses, and names that command."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((ROOT / "configs").rglob("*.yaml"))


def test_there_are_configs():
    names = {p.relative_to(ROOT / "configs").as_posix() for p in CONFIGS}
    assert {"cot_standardization.yaml", "data_cot_mix.yaml", "gates/default.yaml"} <= names


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.relative_to(ROOT / "configs").as_posix())
def test_config_loads_and_is_headed_by_its_command(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# routerforge "), f"{path.name}: first line must be the command that runs it"
    command = first[2:].split()
    if path.parent.name == "gates":
        data = yaml.safe_load(path.read_text())
        if command[1] == "plan":
            from routerforge.plans.metrics import check_gate

            assert data and all(set(b) <= {"min", "max"} for b in data.values())
            perfect = {metric: (b.get("min", b.get("max"))) for metric, b in data.items()}
            assert check_gate(perfect, data) == []  # every metric name is one the plan metrics know
        else:
            from routerforge.evaluate.gates import load_gate

            assert load_gate(path)
    elif command[1:3] == ["data", "generate"]:
        from routerforge.data.config import DataConfig

        DataConfig.from_yaml(path)
    elif command[1:3] == ["plan", "train"]:
        from routerforge.configtools import load_config
        from routerforge.plans.recipe import PlanTrainConfig

        load_config(PlanTrainConfig, path)
    elif command[1] == "sweep":
        import contextlib

        from routerforge.train.sweep_config import grid, load_sweep

        with contextlib.chdir(ROOT):  # a sweep's `base` is a path from the repository root, as typed
            sweep = load_sweep(path)  # checks every value a trial can take against the pipeline config
            assert sweep.method != "grid" or grid(sweep)
    elif command[1] == "train":
        from routerforge.configtools import load_config
        from routerforge.train.config import PipelineConfig

        cfg = load_config(PipelineConfig, path)
        assert cfg.data.examples > 0
    else:
        pytest.fail(f"{path.name}: no loader for command {' '.join(command)}")


def test_unknown_keys_are_errors(tmp_path):
    from routerforge.configtools import ConfigError, load_config
    from routerforge.train.config import PipelineConfig

    bad = tmp_path / "bad.yaml"
    bad.write_text("model: smollm2-135m\nsft: {lr: 0.001, epoch: 1}\n")
    with pytest.raises(ConfigError, match="sft.epoch"):
        load_config(PipelineConfig, bad)
    with pytest.raises(ValueError, match="data.examples"):
        load_config(PipelineConfig, None, ["data.examples=0"])


@pytest.mark.parametrize("override,message", [
    ("sft.lr=banana", "sft.lr must be a number, got 'banana'"),
    ("sft.lora_layers=many", "sft.lora_layers must be an integer (or null), got 'many'"),
    ("rl.iterations=[1]", "rl.iterations must be an integer, got [1]"),
    ("eval.calibrate_precision=high", "eval.calibrate_precision must be a number (or null), got 'high'"),
])
def test_a_wrong_type_names_the_key_and_the_type(override, message, capsys, tmp_path):
    """`--set` and YAML values are checked against the config dataclasses before their own checks run."""
    from routerforge.cli import main

    rc = main(["train", "--config", str(ROOT / "configs" / "router.yaml"), "--out", str(tmp_path / "x"),
               "--set", override])
    err = capsys.readouterr().err
    assert rc == 2 and message in err and "Traceback" not in err


def test_yaml_scientific_notation_is_a_number():
    from routerforge.configtools import load_config
    from routerforge.train.config import PipelineConfig

    assert load_config(PipelineConfig, ROOT / "configs" / "router.yaml", ["sft.lr=1e-4"]).sft.lr == 1e-4
