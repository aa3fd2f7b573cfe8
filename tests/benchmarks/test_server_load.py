"""benchmarks/server_load.py: a real server on the tiny run, both modes, 12 concurrent requests."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import server_load  # noqa: E402


def test_both_modes_answer_every_request_and_write_a_report(tiny_run, tmp_path):
    out = tmp_path / "load.json"
    assert server_load.main(["--run", str(tiny_run), "--n", "12", "--clients", "6", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert set(report["modes"]) == {"one_at_a_time", "micro_batched"}
    for mode in report["modes"].values():
        assert mode["statuses"] == {"200": 12} and mode["other_5xx"] == 0
        assert mode["answered_per_s"] > 0 and 0 <= mode["expert_accuracy"] <= 1
    one, batched = report["modes"]["one_at_a_time"], report["modes"]["micro_batched"]
    assert one["micro_batches"] == 0 and one["mean_batch"] is None  # every request its own router call
    assert 1 <= batched["micro_batches"] <= 12 and round(batched["mean_batch"] * batched["micro_batches"]) == 12
    assert "answered/s" in out.with_suffix(".md").read_text()


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    assert server_load.main(["--run", str(tmp_path / "nope")]) == 2
    assert "error:" in capsys.readouterr().err
