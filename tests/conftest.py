"""Shared fixtures: offline hub, a tiny random Llama + tokenizer saved once per session."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """Path of an HF directory holding a 2-layer random Llama and a small ChatML tokenizer."""
    pytest.importorskip("torch")
    from routerforge.models.tiny import save_tiny

    return save_tiny(tmp_path_factory.mktemp("tiny") / "model")
