"""The `routerforge` command line: one subcommand per stage of the loop.

Each subcommand lives next to its stage and exposes `add_parser(subparsers)`, which adds a parser
whose default `func(args) -> int` runs it. Errors a user can fix (bad input, missing files, a wrong
config value) are `routerforge.errors.UserError`s (or a missing/existing file): printed as one clear
line on stderr with exit code 2. Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from routerforge import __version__
from routerforge.errors import UserError

# subcommand -> module with add_parser(subparsers)
COMMANDS: dict[str, str] = {
    "experts": "routerforge.experts.cli",
    "data": "routerforge.data.cli",
    "train": "routerforge.train.cli",
    "sweep": "routerforge.train.sweep_cli",
    "route": "routerforge.serve.cli",
    "probe": "routerforge.train.probe_cli",
    "init": "routerforge.train.routes_init",
    "serve": "routerforge.serve.server_cli",
    "eval": "routerforge.evaluate.cli",
    "plan": "routerforge.plans.cli",
    "demo": "routerforge.demo",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="routerforge", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"routerforge {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMANDS.values():
        # a missing module is a broken install, not a feature to skip silently: let it raise
        importlib.import_module(module_name).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints its own message
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (UserError, FileNotFoundError, FileExistsError, IsADirectoryError, NotADirectoryError,
            PermissionError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
