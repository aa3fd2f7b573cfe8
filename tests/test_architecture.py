"""The one-way architecture is enforced here, so `make test` (CI) fails on an upward import or a cycle.

The contracts live in pyproject.toml ([tool.importlinter]); `lint-imports` counts every import, also
those inside functions.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def test_import_contracts_are_kept(repo_root: Path):
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    proc = subprocess.run([exe, "--config", str(repo_root / "pyproject.toml")], cwd=repo_root,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_every_subcommand_module_imports():
    """A missing subcommand module is a broken install: the parser builds every command, none skipped."""
    from routerforge.cli import COMMANDS, build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)
