"""Router registration and `build_routers`."""

import pytest

from routerforge.routers.registry import BUILTIN_ROUTERS, build_routers
from routerforge.routers.rules import RulesRouter
from routerforge.routers.base import ROUTERS


def test_importing_registers_the_baselines():
    for name in ("trained", "fewshot", "rules", "embedding"):
        assert ROUTERS.resolve(name) is BUILTIN_ROUTERS[name]


def test_build_by_name_and_dotted_path():
    routers = build_routers("rules, routerforge.routers.rules:RulesRouter", run=None, model="ignored")
    assert list(routers) == ["rules", "routerforge.routers.rules:RulesRouter"]
    assert all(isinstance(r, RulesRouter) for r in routers.values())


def test_unknown_names_are_rejected_before_loading_anything():
    with pytest.raises(ValueError, match=r"unknown router 'oracle'; known: .*rules"):
        build_routers(["rules", "oracle"])
    with pytest.raises(ValueError, match="cannot import module"):
        build_routers(["no_such_pkg.mod:Router"])
    with pytest.raises(ValueError, match="no routers"):
        build_routers([])
    with pytest.raises(ValueError, match="does not implement"):
        build_routers(["routerforge.routers.rules:words_to_numbers"], text="x")


def test_trained_router_needs_a_run(tmp_path):
    with pytest.raises(ValueError, match="needs --run"):
        build_routers(["trained"])
    with pytest.raises(FileNotFoundError, match="no such run directory"):
        build_routers(["trained"], run=tmp_path / "missing")


@pytest.mark.model
def test_fewshot_router_in_the_harness():
    """The untrained base model (real 135M weights) through the same harness: generative, so raw is set."""
    from routerforge.evaluate.harness import evaluate_routers

    router = build_routers(["fewshot"])["fewshot"]
    rows = [{"query": "what is 256 * 4", "expert_class": "math", "answer": 1024},
            {"query": "Tell me a joke about penguins", "expert_class": "chat"}]
    res = evaluate_routers(rows, {"fewshot": router}, progress=False)
    preds = res["predictions"]["fewshot"]
    assert all(p["raw"] is not None for p in preds)
    m = res["routers"]["fewshot"]
    assert 0 <= m["format_validity"] <= 1 and m["n"] == 2 and m["latency_p50_ms"] > 0


def test_a_run_serves_in_float32_or_bfloat16(tiny_run):
    import torch

    from routerforge.routers.generated import Router

    queries = ["What is 256 * 4?", "time in Tokyo", "tell me a joke"]
    by_dtype = {}
    for dtype, want in (("float32", torch.float32), ("bfloat16", torch.bfloat16)):
        router = Router.from_run(tiny_run, dtype=dtype)
        assert next(router.model.parameters()).dtype == want
        by_dtype[dtype] = router.route_batch(queries)
    from routerforge.experts import expert_names

    assert len(by_dtype["bfloat16"]) == 3
    assert all(r.expert in expert_names() or r.error for rs in by_dtype.values() for r in rs)
    with pytest.raises(ValueError, match="dtype must be"):
        Router.from_run(tiny_run, dtype="float16")


def test_routerforge_dtype_chooses_for_auto(tiny_run, monkeypatch):
    import torch

    from routerforge.errors import InputError
    from routerforge.routers.generated import Router

    monkeypatch.setenv("ROUTERFORGE_DTYPE", "float32")
    assert next(Router.from_run(tiny_run).model.parameters()).dtype == torch.float32
    monkeypatch.setenv("ROUTERFORGE_DTYPE", "bfloat16")
    assert next(Router.from_run(tiny_run).model.parameters()).dtype == torch.bfloat16
    monkeypatch.setenv("ROUTERFORGE_DTYPE", "fp8")
    with pytest.raises(InputError, match="ROUTERFORGE_DTYPE"):
        Router.from_run(tiny_run)
