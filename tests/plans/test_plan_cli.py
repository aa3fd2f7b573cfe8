"""`routerforge plan ...` exit codes: missing files and bad arguments are user errors (2)."""

import pytest

from routerforge.cli import main


@pytest.mark.parametrize("argv", [
    ["plan", "prepare", "--input", "{tmp}/nope.jsonl", "--out", "{tmp}/out"],
    ["plan", "eval", "--pred", "{tmp}/nope.jsonl", "--gold", "{tmp}/nope.jsonl", "--report", "{tmp}/r"],
    ["plan", "eval", "--pred", "{tmp}/g.jsonl", "--gold", "{tmp}/g.jsonl", "--report", "{tmp}/r",
     "--gate", "{tmp}/missing.yaml"],
    ["plan", "generate", "--out", "{tmp}/gen", "--examples", "0"],
    ["plan", "generate", "--out", "{tmp}/gen", "--examples", "5", "--val-ratio", "0.7", "--test-ratio", "0.5"],
    ["plan"],
])
def test_user_errors_exit_2(tmp_path, capsys, argv):
    (tmp_path / "g.jsonl").write_text('{"completion": "{}"}\n')
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert not (tmp_path / "gen").exists()


def test_existing_output_needs_force(tmp_path, capsys):
    out = tmp_path / "gen"
    assert main(["plan", "generate", "--out", str(out), "--examples", "20"]) == 0
    assert main(["plan", "generate", "--out", str(out), "--examples", "20"]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["plan", "generate", "--out", str(out), "--examples", "20", "--force"]) == 0
