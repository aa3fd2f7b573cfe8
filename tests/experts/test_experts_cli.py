"""`routerforge experts run|list`: one JSON object on stdout, exit codes 0/2."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from routerforge.cli import main


def _run(capsys, *argv):
    code = main(["experts", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_run_ok(capsys):
    code, out, err = _run(capsys, "run", "multiply: 256 * 4")
    assert code == 0 and err == ""
    assert out.count("\n") == 1
    assert json.loads(out) == {"expert": "multiply", "spec": "256 * 4", "result": "1024", "ok": True, "error": None}


def test_run_ignores_a_given_result(capsys):
    code, out, _ = _run(capsys, "run", "divide: 7 / 2 -> 99")
    assert code == 0 and json.loads(out)["result"] == "3.5"


@pytest.mark.parametrize("decision, fragment", [
    ("multiply: 1/0", "division by zero"),
    ("nope: 1", "unknown expert 'nope'"),
    ("not a decision", "malformed decision"),
    ("", "malformed decision"),
    ("time: Atlantis", "unknown place"),
    ("schedule: a:1h,b:1h | before(a,b),before(b,a)", "no schedule satisfies"),
])
def test_run_errors(capsys, decision, fragment):
    code, out, err = _run(capsys, "run", decision)
    assert code == 2
    record = json.loads(out)
    assert set(record) == {"expert", "spec", "result", "ok", "error"}
    assert record["ok"] is False and record["result"] is None and fragment in record["error"]
    assert fragment in err and "Traceback" not in err


def test_run_from_stdin(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("add: 0.1 + 0.2\n"))
    code, out, _ = _run(capsys, "run", "-")
    assert code == 0 and json.loads(out)["result"] == "0.3"


def test_list(capsys):
    code, out, _ = _run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    for name in ["add", "subtract", "multiply", "divide", "word_problem", "schedule", "time", "chat"]:
        assert any(line.split()[0] == name for line in lines[1:])
    assert any(line.split()[:2] == ["add", "math"] for line in lines)
    code, out, _ = _run(capsys, "list", "--json")
    rows = json.loads(out)
    assert {"name": "time", "class": "time"}.items() <= next(r for r in rows if r["name"] == "time").items()


def test_installed_script():
    script = Path(sys.executable).parent / "routerforge"
    if not script.exists():
        pytest.skip("console script not installed")
    proc = subprocess.run([str(script), "experts", "run", "word_problem: eggs:16 | -3 -4 *2"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["result"] == "18"
    proc = subprocess.run([str(script), "experts", "run", "add: __import__('os')"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "function calls" in proc.stderr and "Traceback" not in proc.stderr
