"""The docs/routes.md tutorial, timed: `routerforge init` -> `train --routes` -> two stand-in upstreams ->
`routerforge serve` (the gateway) -> one chat request per route. Prints each step's wall time, the held-out
accuracy of the run, and what the gateway answered; exits 1 if a step fails.

    python benchmarks/routes_tutorial.py [--out runs/tutorial] [--keep]

Run it on an otherwise idle machine: the numbers in docs/routes.md come from here.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
QUERIES = {"billing": "Hey, I think you charged my card two times for one order.",
           "bug_report": "Since this morning the app closes itself whenever I press save.",
           "math": "What is 48 * 12?",
           "small_talk": "Good evening! How has your day been?"}


def wait_up(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up within {seconds:.0f} s")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="runs/tutorial", help="the run directory to train (replaced)")
    p.add_argument("--port", type=int, default=8000, help="gateway port; upstreams use the example's 8001/8002")
    p.add_argument("--keep", action="store_true", help="keep the init directory (printed)")
    args = p.parse_args(argv)
    desk = Path(tempfile.mkdtemp(prefix="routerforge-desk-"))
    rf, env = str(BIN / "routerforge"), {**os.environ, "HF_HUB_OFFLINE": "1", "BILLING_KEY": "demo-key"}
    times, procs = {}, []
    t_all = time.perf_counter()
    try:
        t0 = time.perf_counter()
        subprocess.run([rf, "init", str(desk / "desk"), "--force"], check=True, env=env, stdout=subprocess.DEVNULL)
        times["init"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        train = subprocess.run([rf, "train", "--routes", str(desk / "desk/routes.yaml"), "--config",
                                str(desk / "desk/train.yaml"), "--out", args.out, "--force"], env=env,
                               capture_output=True, text=True)
        times["train"] = time.perf_counter() - t0
        print(train.stdout.splitlines()[-1] if train.stdout else train.stderr[-2000:])
        if train.returncode != 0:
            print(train.stderr[-2000:], file=sys.stderr)
            return 1
        t0 = time.perf_counter()
        for port in (8001, 8002):
            procs.append(subprocess.Popen([str(BIN / "python"), str(desk / "desk/upstream.py"), "--port", str(port)],
                                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        procs.append(subprocess.Popen([rf, "serve", "--run", args.out, "--port", str(args.port), "--log-level",
                                       "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        base = f"http://127.0.0.1:{args.port}"
        wait_up(base + "/healthz")
        times["serve_start"] = time.perf_counter() - t0
        answers = {}
        for route, query in QUERIES.items():
            r = httpx.post(base + "/v1/chat/completions", timeout=60,
                           json={"messages": [{"role": "user", "content": query}]})
            answers[route] = {"status": r.status_code, "route": r.headers.get("x-routerforge-route"),
                              "router_ms": r.headers.get("x-routerforge-router-ms"),
                              "fallback": r.headers.get("x-routerforge-fallback"),
                              "content": r.json()["choices"][0]["message"]["content"] if r.status_code == 200 else r.text}
        times["total"] = time.perf_counter() - t_all
        m = json.loads((Path(args.out) / "eval" / "metrics.json").read_text())["routers"]["trained"]
        print(json.dumps({"seconds": {k: round(v, 1) for k, v in times.items()},
                          "heldout": {"n": m["n"], "route_accuracy": m["expert_accuracy"],
                                      "per_route": {k: v["accuracy"] for k, v in m["per_class"].items()},
                                      "math_answers": m.get("answer_accuracy")},
                          "gateway": answers}, indent=2))
        return 0 if all(a["route"] == route and a["status"] == 200 for route, a in answers.items()) else 1
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
        if args.keep:
            print(f"kept {desk / 'desk'}")
        else:
            shutil.rmtree(desk, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
