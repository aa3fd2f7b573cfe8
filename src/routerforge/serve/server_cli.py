"""`routerforge serve`: build a router (the trained run, or a named baseline) and serve it over HTTP
with uvicorn; plus `ServerThread`, the same server on a background thread for tests and demos.

    routerforge serve --run runs/router --host 127.0.0.1 --port 8000
    routerforge serve --router rules --port 8001
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

from routerforge.errors import UserError


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("serve", help="serve a router over HTTP (route, batch, OpenAI chat, metrics)",
                              description="Serve a router over HTTP: POST /v1/route, /v1/route/batch, "
                              "/v1/chat/completions (OpenAI-compatible); GET /healthz, /metrics. See docs/serving.md.")
    p.add_argument("--run", help="training run directory to serve (required unless --router needs none)")
    p.add_argument("--router", help="serve a registered router by name (e.g. rules) or 'pkg.mod:factory' "
                   "instead of the trained model; built as factory(run=RUN)")
    p.add_argument("--routes", help="a run trained on a routes file: serve it with this file's upstreams instead "
                   "(same routes, other URLs, models or keys)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: reachable from this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--max-body-bytes", type=int, default=64 * 1024, help="request body limit (default 65536)")
    p.add_argument("--max-query-chars", type=int, default=2000, help="query length limit (default 2000)")
    p.add_argument("--max-batch", type=int, default=32, help="queries per /v1/route/batch request (default 32)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per request in the router (default 30)")
    p.add_argument("--max-pending", type=int, default=64,
                   help="requests waiting for the router at once; more get 503 + Retry-After (default 64)")
    p.add_argument("--engine", choices=["torch", "llama.cpp"],
                   help="what runs the trained router's passes (default $ROUTERFORGE_ENGINE, else torch); "
                   "llama.cpp needs `make llamacpp` (docs/runtime.md)")
    p.add_argument("--micro-batch", type=int, default=16,
                   help="most /v1/route requests one router call answers together; 1 = one at a time (default 16)")
    p.add_argument("--batch-window-ms", type=float, default=5.0,
                   help="how long a micro-batch that is not full waits for more requests (default 5)")
    p.add_argument("--reports", action="append", default=[], metavar="DIR",
                   help="also browse the reports (and sweep logbook) in DIR on the web page; repeatable")
    p.add_argument("--no-web", action="store_true", help="no web page at / and no /api (the JSON API only)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    p.set_defaults(func=run)


def build_router(run_dir: str | None, router_name: str | None) -> Any:
    """The router to serve: `build_routers([name], run=...)` (the one registry), or the trained model from `run_dir`."""
    from routerforge.routers.base import BaseRouter

    run_path = Path(run_dir) if run_dir else None
    if run_path is not None and not run_path.is_dir():
        raise UserError(f"run directory not found: {run_path}")
    if router_name:
        from routerforge.routers.registry import build_routers

        router = build_routers([router_name], run=run_path)[router_name]
    else:
        if run_path is None:
            raise UserError("serve needs --run RUN (a training run directory) or --router NAME")
        try:
            from routerforge.routers.generated import Router  # lazy: pulls in torch/transformers

            router = Router.from_run(run_path)
        except ModuleNotFoundError as exc:
            if (exc.name or "").startswith("routerforge"):
                raise  # our bug, not the user's setup
            raise UserError(f"serving a trained run needs {exc.name}: pip install 'routerforge[train]'") from None
    if not isinstance(router, BaseRouter):
        raise UserError(f"{router_name or run_path} did not build a router (needs .name, .route, .route_batch)")
    return router


def serve_routes(run_dir: str | None, routes_path: str | None) -> Any:
    """The routes the gateway forwards by: the run's routes file (if it was trained on one), or --routes."""
    if run_dir is None:
        if routes_path:
            raise UserError("--routes needs --run (a run trained on a routes file)")
        return None
    from routerforge.models.runs import read_run_info
    from routerforge.serve.gateway import gateway_routes

    return gateway_routes(read_run_info(run_dir), routes_path)


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind before starting uvicorn so a busy port is one clear error (uvicorn would sys.exit(1))."""
    if not 0 <= port <= 65535:
        raise UserError(f"--port must be between 0 and 65535, got {port}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except (OSError, OverflowError) as exc:
        sock.close()
        raise UserError(f"cannot listen on {host}:{port}: {getattr(exc, 'strerror', None) or exc}") from None
    sock.set_inheritable(True)
    return sock


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _limits(args: argparse.Namespace) -> Any:
    from routerforge.serve.server import ServerLimits

    return ServerLimits(max_body_bytes=args.max_body_bytes, max_query_chars=args.max_query_chars,
                        max_batch=args.max_batch, timeout_s=args.timeout, max_pending=args.max_pending,
                        micro_batch=args.micro_batch, batch_window_ms=args.batch_window_ms)  # ValueError -> exit 2


def run(args: argparse.Namespace) -> int:
    if args.engine:  # read by Router.from_run, also in Ray's router actors (they inherit the environment)
        os.environ["ROUTERFORGE_ENGINE"] = args.engine
    try:
        import uvicorn

        from routerforge.serve.server import create_app
    except ModuleNotFoundError as exc:
        raise UserError(f"serving needs {exc.name}: pip install 'routerforge[serve]'") from None
    limits = _limits(args)
    if not 0 <= args.port <= 65535:  # checked before the (slow) model load
        raise UserError(f"--port must be between 0 and 65535, got {args.port}")
    missing = [d for d in args.reports if not Path(d).is_dir()]
    if missing:  # before the (slow) model load, like the port
        raise UserError(f"--reports directory not found: {missing[0]}")
    router = build_router(args.run, args.router)
    routes = serve_routes(args.run, args.routes)
    sock = bind_socket(args.host, args.port)
    host, port = sock.getsockname()[:2]
    if not _is_loopback(args.host):
        print(f"warning: listening on {args.host}, reachable from other machines; the server has no "
              "authentication", file=sys.stderr)
    print(f"serving router {router.name!r} on http://{host}:{port} (POST /v1/route, /v1/route/batch, "
          "/v1/chat/completions; GET /healthz, /metrics)", file=sys.stderr)
    if routes is not None:
        print("gateway: " + ", ".join(f"{r.name} -> {getattr(r.target, 'upstream', None) or r.target.expert}"
                                      for r in routes.routes), file=sys.stderr)
    app = create_app(router, limits=limits, routes=routes, run_dir=args.run, reports=args.reports,
                     web=not args.no_web)
    if not args.no_web:
        print(f"web page: http://{host}:{port}/ (playground, reports)", file=sys.stderr)
    config = uvicorn.Config(app, log_level=args.log_level)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


class ServerThread:
    """Run the app for `router` with uvicorn on a background thread (port 0 = a free port):

        with ServerThread(router) as srv:
            httpx.get(srv.url + "/healthz")
    """

    def __init__(self, router: Any, *, limits: Any = None, host: str = "127.0.0.1", port: int = 0,
                 log_level: str = "warning", **app_kw: Any) -> None:
        import uvicorn

        from routerforge.serve.server import create_app

        self.app = create_app(router, limits=limits, **app_kw)
        self._sock = bind_socket(host, port)
        self.host, self.port = self._sock.getsockname()[:2]
        self.url = f"http://{self.host}:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level=log_level))
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self._sock]},
                                        name="routerforge-server", daemon=True)

    def start(self, timeout: float = 10.0) -> "ServerThread":
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server did not start within {timeout} s")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._sock.close()

    def __enter__(self) -> "ServerThread":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
