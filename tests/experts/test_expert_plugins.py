"""A user's own expert plugs in by class object or by dotted path, and then runs like a built-in."""

import textwrap

import pytest

from routerforge.experts import EXPERTS, Expert, ExpertError, get_expert, register_expert, run_decision
from routerforge.registry import RegistryError


class ShoutExpert(Expert):
    name = "shout"
    description = "upper-cases text"
    examples = [("Shout hello", "hello")]

    def parse(self, spec):
        if not spec:
            raise ExpertError("nothing to shout")
        return spec

    def execute(self, parsed):
        return parsed.upper()


class BuggyExpert(ShoutExpert):
    name = "buggy"

    def execute(self, parsed):
        raise KeyError("oops")


@pytest.fixture
def cleanup():
    names = []
    yield names
    for name in names:
        EXPERTS.unregister(name)


def test_register_class(cleanup):
    cleanup += ["shout", "buggy"]
    register_expert(ShoutExpert)
    assert get_expert("shout").label == "shout"
    assert run_decision("shout: hi there")[1].value == "HI THERE"
    assert "nothing to shout" in run_decision("shout:")[1].error
    register_expert(BuggyExpert())
    result = run_decision("buggy: x")[1]  # a plug-in's bug becomes an error value, not a traceback
    assert not result.ok and "internal error" in result.error
    with pytest.raises(RegistryError, match="already registered"):
        register_expert(ShoutExpert)


def test_register_dotted_path(tmp_path, monkeypatch, cleanup):
    (tmp_path / "my_experts_plugin.py").write_text(textwrap.dedent('''
        from routerforge.experts import Expert

        class ReverseExpert(Expert):
            name = "reverse"
            description = "reverses text"

            def parse(self, spec):
                return spec

            def execute(self, parsed):
                return parsed[::-1]
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    cleanup.append("reverse")
    expert = register_expert("my_experts_plugin:ReverseExpert")
    assert expert.name == "reverse"
    assert run_decision("reverse: abc")[1].value == "cba"


def test_bad_plugins():
    with pytest.raises(RegistryError, match="cannot import"):
        register_expert("no_such_module_xyz:Thing")
    with pytest.raises(RegistryError, match="not an Expert"):
        register_expert("fractions:Fraction")
