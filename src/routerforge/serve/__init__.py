"""Serving: the router interface and registry (base.py), the fast model runtime (runtime.py),
hidden-state probes (probe.py) and the HTTP server (server.py)."""
