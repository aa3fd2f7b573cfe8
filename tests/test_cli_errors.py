"""User errors are one line and exit 2; internal bugs keep their traceback (issue 10)."""

import pytest

from routerforge import cli
from routerforge.errors import ConfigError, UserError


def _patched(monkeypatch, exc):
    """A `boom` subcommand that raises `exc`."""
    real = cli.build_parser

    def boom(args):
        raise exc

    def build():
        parser = real()
        sub = next(a for a in parser._actions if a.dest == "command")
        sub.add_parser("boom").set_defaults(func=boom)
        return parser

    monkeypatch.setattr(cli, "build_parser", build)


@pytest.mark.parametrize("exc", [UserError("bad thing"), ConfigError("sft.lr must be a number"),
                                 FileNotFoundError("no such file: x")])
def test_user_errors_are_one_line(monkeypatch, capsys, exc):
    _patched(monkeypatch, exc)
    assert cli.main(["boom"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


@pytest.mark.parametrize("exc", [KeyError("oops"), ValueError("internal"), TypeError("bug")])
def test_internal_errors_keep_their_traceback(monkeypatch, exc):
    _patched(monkeypatch, exc)
    with pytest.raises(type(exc)):
        cli.main(["boom"])
