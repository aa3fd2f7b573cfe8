"""Serving: the HTTP layer (server.py, FastAPI) and the `route` / `serve` commands. Routers themselves
live in `routerforge.routers`."""
