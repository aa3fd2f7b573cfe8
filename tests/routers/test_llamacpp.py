"""The llama.cpp engine (routers/llamacpp.py) and the GGUF export it runs (models/gguf_export.py).

The export is checked against the embedded model's own file; the engine against the torch path on the
real 135M model (few-shot, constrained), alone, batched and after other queries (its KV cache hygiene).
"""

from __future__ import annotations

import sys

import pytest

QUERIES = ["What is 256 * 4?", "What time is it in Tokyo?", "add 12 and 30 please", "What is 1234 divided by 2?",
           "Tell me a joke about cats", "What is 15 minus 9?"]


def test_a_missing_llama_cpp_is_one_line_for_the_user(monkeypatch):
    from routerforge.errors import UserError
    from routerforge.routers.llamacpp import LlamaCppDecoder

    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import fails as if not installed
    with pytest.raises(UserError, match="make llamacpp"):
        LlamaCppDecoder(object(), "model.gguf")


def test_an_unknown_engine_names_the_known_ones(tmp_path, monkeypatch):
    from routerforge.errors import InputError
    from routerforge.routers.generated import Router

    monkeypatch.setenv("ROUTERFORGE_ENGINE", "onnx")
    monkeypatch.setattr("routerforge.models.runs.load_run_model",
                        lambda *a, **k: (None, None, {"system": "", "base_loader": None}))
    monkeypatch.setattr("routerforge.models.runs.read_run_info", lambda *a, **k: {"kind": "router"})
    with pytest.raises(InputError, match="torch, llama.cpp"):
        Router.from_run(tmp_path)


@pytest.fixture(scope="module")
def base():
    from routerforge.routers.generated import Router

    return Router.from_pretrained(constrained=True, max_spec_tokens=16)


@pytest.mark.model
def test_the_export_round_trips_the_embedded_gguf(base, tmp_path):
    """Exported in f32, every tensor of the embedded model reads back as the Q4_1 file's own values (the
    q/k row permutation undone by transformers' loader is redone); with keep_unchanged, an unmerged
    model keeps every quantised tensor's bytes."""
    import gguf
    import numpy as np
    import torch

    from routerforge.models.gguf_export import export_gguf
    from routerforge.models.loading import embedded_gguf

    src = gguf.GGUFReader(str(embedded_gguf()))
    want = {t.name: gguf.quants.dequantize(t.data, t.tensor_type) for t in src.tensors}
    out = gguf.GGUFReader(str(export_gguf(base.model, embedded_gguf(), tmp_path / "f32.gguf", weight_type="f32")))
    assert {t.name for t in out.tensors} == set(want)
    for t in out.tensors:
        np.testing.assert_array_equal(gguf.quants.dequantize(t.data, t.tensor_type), want[t.name], err_msg=t.name)
    kept = gguf.GGUFReader(str(export_gguf(base.model, embedded_gguf(), tmp_path / "keep.gguf", keep_unchanged=True)))
    q41 = gguf.GGMLQuantizationType.Q4_1
    raw = {t.name: bytes(t.data) for t in src.tensors if t.tensor_type == q41}
    assert raw and {t.name: bytes(t.data) for t in kept.tensors if t.tensor_type == q41} == raw
    assert kept.fields["tokenizer.chat_template"].contents() == src.fields["tokenizer.chat_template"].contents()
    # the shipped bf16 export holds the weights rounded to bf16, as the torch runtime serves them
    bf16 = gguf.GGUFReader(str(export_gguf(base.model, embedded_gguf(), tmp_path / "bf16.gguf")))
    for t in bf16.tensors:
        w = want[t.name]
        rounded = w if w.ndim == 1 else torch.from_numpy(w).to(torch.bfloat16).float().numpy()
        np.testing.assert_array_equal(gguf.quants.dequantize(t.data, t.tensor_type), rounded, err_msg=t.name)
    assert not list(tmp_path.glob("*.tmp"))  # no temp file left behind


@pytest.fixture(scope="module")
def engine(base, tmp_path_factory):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (`make llamacpp`)")
    from routerforge.models.gguf_export import export_gguf
    from routerforge.models.loading import embedded_gguf
    from routerforge.routers.llamacpp import LlamaCppDecoder

    path = export_gguf(base.model, embedded_gguf(), tmp_path_factory.mktemp("gguf") / "base.gguf", weight_type="f32")
    return LlamaCppDecoder(base, path)


@pytest.mark.model
def test_the_engine_decides_as_the_torch_path_does(base, engine):
    """Same fp32 weights, other kernels: the experts agree on every query and the specs on all but at
    most one (a near tie may round the other way)."""
    ref = [d[:2] for d in base.decide_batch(QUERIES)]
    base.engine = engine
    try:
        got = [d[:2] for d in base.decide_batch(QUERIES)]
    finally:
        base.engine = None
    assert [e for e, _ in got] == [e for e, _ in ref]
    assert sum(a == b for a, b in zip(got, ref)) >= len(QUERIES) - 1, (got, ref)


@pytest.mark.model
def test_the_engine_forgets_each_query(base, engine):
    """A call leaves only the prefix in the cache (sequence 0), whatever it decided, beams included; the
    same queries decided again, after others and alone, give the same decisions."""
    import llama_cpp

    def decide(queries):
        return [base._result(st)[:2] for st in engine.decide_batch(queries)]

    def cells():
        return [llama_cpp.llama_memory_seq_pos_max(engine.ctx.memory, s) for s in range(engine.max_rows + 1)]

    clean = [len(engine.prefix) - 1] + [-1] * engine.max_rows
    first = decide(QUERIES[:3])
    assert cells() == clean
    decide(QUERIES * 3)  # 18 rows: more than one group of sequences
    assert cells() == clean
    engine.spec_candidates_batch([("What is 256 * 4?", "multiply")], 4)
    assert cells() == clean
    assert decide(QUERIES[:3]) == first
    again = [decide([q])[0] for q in QUERIES[:3]]
    assert [e for e, _ in again] == [e for e, _ in first]


@pytest.mark.model
def test_a_query_too_long_for_the_engine_is_one_line(base, engine):
    from routerforge.errors import UserError

    with pytest.raises(UserError, match="too long for the llama.cpp engine"):
        engine.decide_batch(["add " + "1 + " * 2000 + "1"])
    assert len(engine.decide_batch(QUERIES[:1])) == 1  # and the engine still works


def test_a_run_on_a_base_llama_cpp_cannot_read_is_one_line(tmp_path):
    import json

    from routerforge.errors import UserError
    from routerforge.routers.llamacpp import gguf_for_run

    (tmp_path / "run.json").write_text(json.dumps({"model": str(tmp_path / "hf-model-dir")}))
    with pytest.raises(UserError, match="GGUF base model"):
        gguf_for_run(None, tmp_path)


@pytest.mark.model
def test_the_engines_beams_obey_the_spec_charset(base, engine):
    from routerforge.experts import get_expert

    cands = engine.spec_candidates_batch([("What is 256 * 4?", "multiply"), ("add 12 and 30 please", "add")], 4)
    for found, expert in zip(cands, ["multiply", "add"]):
        assert 1 <= len(found) <= 4 and len(set(found)) == len(found)
        charset = set(get_expert(expert).spec_charset)
        assert all(set(c) <= charset for c in found), found
    assert "256 * 4" in cands[0]
