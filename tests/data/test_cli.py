"""`routerforge data generate|show`: exit codes and messages."""

import json

from routerforge.cli import main


def test_generate_then_refuse_then_force_then_show(tmp_path, capsys):
    out = tmp_path / "data"
    assert main(["data", "generate", "--out", str(out), "--examples", "40", "--seed", "2"]) == 0
    assert {p.name for p in out.iterdir()} >= {"train.jsonl", "val.jsonl", "test.jsonl", "stats.json", "COMPLETE"}
    capsys.readouterr()
    assert main(["data", "generate", "--out", str(out), "--examples", "40"]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["data", "generate", "--out", str(out), "--examples", "30", "--force"]) == 0
    assert json.loads((out / "stats.json").read_text())["examples"] == 30
    capsys.readouterr()
    assert main(["data", "show", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "word_problem" in shown and "train" in shown


def test_bad_config_key_exits_2_with_a_clear_message(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("examples: 10\nexampels: 3\n")
    assert main(["data", "generate", "--config", str(cfg), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "exampels" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_flags_override_yaml(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("data:\n  examples: 500\n  seed: 1\n  mix: {chat: 1}\ntrain: {whatever: 1}\n")
    assert main(["data", "generate", "--config", str(cfg), "--out", str(tmp_path / "o"), "--examples", "9"]) == 0
    stats = json.loads((tmp_path / "o" / "stats.json").read_text())
    assert stats["examples"] == 9 and stats["seed"] == 1 and set(stats["counts"]["train"]) == {"chat"}


def test_bad_values_and_missing_dirs_exit_2(tmp_path, capsys):
    assert main(["data", "generate", "--out", str(tmp_path / "o"), "--examples", "0"]) == 2
    assert "examples" in capsys.readouterr().err
    assert main(["data", "show", str(tmp_path / "nothing")]) == 2
    assert main(["data", "generate", "--out", str(tmp_path / "o"), "--config", str(tmp_path / "no.yaml")]) == 2
