"""Shared fixtures: offline hub, the repository root, a tiny random Llama + tokenizer saved once per
session, and one tiny trained run (the demo config on that model) shared by the whole test run."""

import os
import shutil
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = REPO_ROOT / "configs" / "cot_standardization.yaml"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root, so tests never depend on the current directory."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """Path of an HF directory holding a 2-layer random Llama and a small ChatML tokenizer."""
    from routerforge.models.tiny import save_tiny

    return save_tiny(tmp_path_factory.mktemp("tiny") / "model")


def train_tiny(model_dir, out, *extra) -> int:
    """`routerforge train` with the demo config on the tiny model, a few SFT steps and one RL iteration."""
    from routerforge.cli import main

    return main(["train", "--config", str(DEMO_CONFIG), "--out", str(out), "--model", str(model_dir),
                 "--examples", "60", "--set", "sft.max_steps=3", "--set", "sft.batch_size=4",
                 "--rl-iterations", "1", "--set", "rl.max_new_tokens=8", *extra])


@pytest.fixture(scope="session")
def tiny_run(tiny_model_dir, tmp_path_factory):
    """One complete run of the tiny model, trained once for the whole test run. Read it, never change
    it: tests that write into a run use `tiny_run_copy`."""
    out = tmp_path_factory.mktemp("runs") / "tiny"
    assert train_tiny(tiny_model_dir, out) == 0
    return out


@pytest.fixture()
def tiny_run_copy(tiny_run, tmp_path):
    """A private copy of `tiny_run` that a test may change."""
    dst = tmp_path / "run"
    shutil.copytree(tiny_run, dst)
    return dst


@pytest.fixture(autouse=True)
def _builtin_experts():
    """A test that activates a routes file (or opens a run trained on one) leaves the built-ins behind."""
    yield
    from routerforge.experts import default_expert, reset_experts

    if default_expert() != "chat":
        reset_experts()
