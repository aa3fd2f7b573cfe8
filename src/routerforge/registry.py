"""A plain name -> object registry with a dotted-path fallback (like TRL's reward registry or
RouteLLM's ROUTER_CLS): `resolve("rules")` looks up a registered name, `resolve("pkg.mod:obj")` or
`resolve("pkg.mod.obj")` imports a user's own object without registering it first."""

from __future__ import annotations

import importlib
from typing import Generic, Iterator, TypeVar

from routerforge.errors import UserError

T = TypeVar("T")


class RegistryError(UserError, KeyError):
    """Unknown name or unimportable dotted path."""

    def __str__(self) -> str:  # KeyError quotes its message; we want plain text
        return str(self.args[0]) if self.args else ""


def import_dotted(path: str) -> object:
    """Import `pkg.mod:attr` or `pkg.mod.attr`; raise RegistryError with a clear message."""
    if ":" in path:
        mod_name, _, attr = path.partition(":")
    else:
        mod_name, _, attr = path.rpartition(".")
    if not mod_name or not attr:
        raise RegistryError(f"not a dotted path: {path!r} (use 'package.module:name')")
    try:
        module = importlib.import_module(mod_name)
    except ImportError as exc:
        raise RegistryError(f"cannot import module {mod_name!r} for {path!r}: {exc}") from None
    try:
        return getattr(module, attr)
    except AttributeError:
        raise RegistryError(f"module {mod_name!r} has no attribute {attr!r}") from None


class Registry(Generic[T]):
    """Name -> object mapping. `kind` names what is registered, for error messages."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str, obj: T, *, overwrite: bool = False) -> T:
        if name in self._items and not overwrite:
            raise RegistryError(f"{self.kind} {name!r} is already registered")
        self._items[name] = obj
        return obj

    def resolve(self, name: str) -> T:
        if name in self._items:
            return self._items[name]
        if "." in name or ":" in name:
            return import_dotted(name)  # type: ignore[return-value]
        known = ", ".join(sorted(self._items)) or "(none)"
        raise RegistryError(f"unknown {self.kind} {name!r}; known: {known}")

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def names(self) -> list[str]:
        return list(self._items)

    def items(self):
        return self._items.items()

    def unregister(self, name: str) -> None:
        self._items.pop(name, None)
