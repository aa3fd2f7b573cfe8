"""A plug-in expert registered by *entry point* gets everything the loop gives a built-in, with no other
edit: training data from its declared templates, constrained decoding (its name in the trie, its spec
charset as a mask), and per-class metrics under its own class (not `other`)."""

from __future__ import annotations

import random
import sys
import textwrap

import pytest

import routerforge.experts as experts_pkg
from routerforge.experts import EXPERTS, class_of, expert_classes

PLUGIN = textwrap.dedent('''
    """A tiny unit-conversion expert shipped by a third-party package."""
    import random

    from routerforge.data.templates.base import Sample, Template
    from routerforge.experts import Expert, ExpertError

    FACTORS = {"km": 1000, "cm": 0.01}


    class MetresExpert(Expert):
        name = "metres"
        description = "converts a length to metres: N unit"
        expert_class = "units"
        spec_charset = "0123456789. kmc"
        templates = (__name__,)  # this module holds the templates

        def parse(self, spec):
            parts = spec.split()
            if len(parts) != 2 or parts[1] not in FACTORS:
                raise ExpertError("expected 'N km' or 'N cm'")
            return float(parts[0]), parts[1]

        def execute(self, parsed):
            value, unit = parsed
            return value * FACTORS[unit]


    def _render(pattern):
        def render(rng: random.Random, pools):
            n, unit = rng.randint(1, 99), rng.choice(sorted(FACTORS))
            return Sample(pattern.format(n=n, unit=unit), f"{n} {unit}", {"n": n})
        return render


    TEMPLATES = [Template(f"metres.t{i}", "metres", _render(p), p) for i, p in enumerate([
        "How many metres is {n} {unit}?", "Convert {n} {unit} to metres", "{n} {unit} in metres please",
        "what is {n} {unit} in meters", "express {n} {unit} as metres"])]
''')


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """Install the plug-in as a real distribution with an entry point in `routerforge.experts`."""
    (tmp_path / "rf_units_plugin.py").write_text(PLUGIN)
    dist = tmp_path / "rf_units_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: rf-units-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[routerforge.experts]\nmetres = rf_units_plugin:MetresExpert\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(experts_pkg, "_loaded", False)  # load built-ins and entry points again
    experts_pkg.ensure_loaded()
    yield
    EXPERTS.unregister("metres")
    sys.modules.pop("rf_units_plugin", None)


def test_entry_point_expert_is_registered(plugin):
    assert class_of("metres") == "units" and "units" in expert_classes()


def test_plugin_gets_training_data_from_its_templates(plugin):
    from routerforge.data import DataConfig, generate_rows

    rows = generate_rows(DataConfig(examples=120, seed=3))  # the default mix covers every class
    plugin_rows = [r for split in rows.values() for r in split if r["expert"] == "metres"]
    assert plugin_rows and all(r["expert_class"] == "units" for r in plugin_rows)
    assert all(r["result"] is not None for r in plugin_rows)  # every target verified by execution
    assert {r["template_id"] for r in rows["test"] if r["expert"] == "metres"}.isdisjoint(
        {r["template_id"] for r in rows["train"] if r["expert"] == "metres"})  # held-out templates


def test_plugin_gets_constrained_decoding(plugin, tiny_model_dir):
    from routerforge.models.loading import load_model
    from routerforge.routers.generated import Router

    router = Router(*load_model(tiny_model_dir), max_spec_tokens=4)
    assert "metres" in router.experts and "metres" in router.spec_masks
    texts = [router.tok.decode([i]) for i in range(len(router.tok))]
    allowed = {t for t, ok in zip(texts, router.spec_masks["metres"].tolist()) if ok and t}
    # the spec's own characters, plus the `->` that ends a decision
    texts_eos = {router.tok.decode([i]) for i in router.eos_ids}
    assert allowed and all(set(t) <= set("0123456789. kmc->") for t in allowed - texts_eos)
    assert not any(set(t) & set("xyzXYZ") for t in allowed - texts_eos)
    for routed in router.route_batch(["Convert 5 km to metres", "hello"]):
        assert routed.expert in router.experts  # decoding only ever emits registered names


def test_plugin_gets_per_class_metrics(plugin):
    from routerforge.evaluate.harness import evaluate_routers
    from routerforge.routers.base import Routed

    class Fixed:
        name = "fixed"

        def route(self, query):
            return self.route_batch([query])[0]

        def route_batch(self, queries):
            return [Routed(q, "metres", "5 km", result="5000") for q in queries]

    rows = [{"query": "Convert 5 km to metres", "expert_class": "units", "expected_expert": "metres"}]
    metrics = evaluate_routers(rows, {"fixed": Fixed()}, progress=False)["routers"]["fixed"]
    assert metrics["expert_accuracy"] == 1.0
    assert "units" in metrics["per_class"] and "other" not in metrics["per_class"]
