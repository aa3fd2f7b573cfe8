"""`routerforge serve`: bad arguments fail with exit 2 and one clear line; a real `serve` process
(a keyword router from test_server.py, by dotted path) answers over HTTP and stops on SIGINT."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


from routerforge.cli import main  # noqa: E402

HERE = Path(__file__).parent
ROUTER = "test_server:KeywordRouter"


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(["serve", *argv])
    return code, capsys.readouterr().err


def test_missing_run_dir(tmp_path, capsys):
    code, err = _run(capsys, "--run", str(tmp_path / "nope"))
    assert code == 2 and "run directory not found" in err and "nope" in err and "Traceback" not in err


def test_needs_run_or_router(capsys):
    code, err = _run(capsys)
    assert code == 2 and "--run" in err and "--router" in err


def test_unknown_router(tmp_path, capsys):
    code, err = _run(capsys, "--router", "no_such_router", "--run", str(tmp_path))
    assert code == 2 and "no_such_router" in err


@pytest.mark.parametrize("argv, needle", [
    (["--port", "70000"], "--port"),
    (["--port", "abc"], "invalid int"),
    (["--max-query-chars", "0"], "max_query_chars"),
    (["--timeout", "-1"], "timeout"),
    (["--micro-batch", "0"], "micro_batch"),
    (["--batch-window-ms", "-1"], "batch_window_ms"),
])
def test_bad_numbers(tmp_path, capsys, argv, needle):
    code, err = _run(capsys, "--run", str(tmp_path), *argv)
    assert code == 2 and needle in err


def test_port_in_use(capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        code, err = _run(capsys, "--router", ROUTER, "--port", str(busy.getsockname()[1]))
    assert code == 2 and "cannot listen on 127.0.0.1" in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_process_end_to_end():
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "routerforge.cli", "serve", "--router", ROUTER,
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.communicate()[1]
            try:
                if httpx.get(f"{url}/healthz", timeout=1).json()["router"] == "keyword":
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve never became healthy"
            time.sleep(0.1)
        r = httpx.post(f"{url}/v1/route", json={"query": "256 * 4"}, timeout=10)
        assert r.status_code == 200 and r.json()["result"] == "1024"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert proc.returncode in (0, 130), err  # uvicorn handles SIGINT and shuts down cleanly
    assert f"on http://127.0.0.1:{port}" in err
