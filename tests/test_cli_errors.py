"""User errors are one line and exit 2; internal bugs keep their traceback (issue 10)."""

import pytest

from routerforge import cli
from routerforge.errors import ConfigError, UserError


def _patched(monkeypatch, exc):
    import routerforge.experts.cli as experts_cli

    def boom(args):
        raise exc

    real = experts_cli.add_parser

    def add_parser(sub):
        real(sub)
        sub.choices["experts"].set_defaults(func=boom)

    monkeypatch.setattr(experts_cli, "add_parser", add_parser)


@pytest.mark.parametrize("exc", [UserError("bad thing"), ConfigError("sft.lr must be a number"),
                                 FileNotFoundError("no such file: x")])
def test_user_errors_are_one_line(monkeypatch, capsys, exc):
    _patched(monkeypatch, exc)
    assert cli.main(["experts", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


@pytest.mark.parametrize("exc", [KeyError("oops"), ValueError("internal"), TypeError("bug")])
def test_internal_errors_keep_their_traceback(monkeypatch, exc):
    _patched(monkeypatch, exc)
    with pytest.raises(type(exc)):
        cli.main(["experts", "list"])
