"""Dataclass configs from YAML: nested dataclasses, unknown keys are errors, dotted CLI overrides.

`load_config(Cls, path, overrides=["sft.lr=1e-4"])` reads YAML defaults, applies overrides (CLI
wins), and builds `Cls`, whose `__post_init__` checks values.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any

import yaml


from routerforge.errors import ConfigError  # noqa: E402  (re-exported: configtools.ConfigError)


def _field_types(cls) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.init}


def _dataclass_of(tp) -> type | None:
    if dataclasses.is_dataclass(tp):
        return tp
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            if dataclasses.is_dataclass(arg):
                return arg
    return None


def from_dict(cls, data: dict | None, where: str = ""):
    """Build dataclass `cls` from a mapping; unknown keys raise ConfigError naming the key."""
    data = dict(data or {})
    if hasattr(cls, "from_dict") and where:  # a section that knows how to build itself (e.g. DataConfig)
        return cls.from_dict(data)
    types_ = _field_types(cls)
    unknown = sorted(set(data) - set(types_))
    if unknown:
        prefix = f"{where}." if where else ""
        raise ConfigError(f"unknown config key(s): {', '.join(prefix + k for k in unknown)}; "
                          f"known: {', '.join(sorted(types_))}")
    kwargs = {}
    for name, value in data.items():
        key = f"{where}.{name}" if where else name
        sub = _dataclass_of(types_[name])
        if sub is not None and isinstance(value, dict):
            kwargs[name] = from_dict(sub, value, key)
        elif sub is not None and not isinstance(value, sub) and value is not None:
            raise ConfigError(f"{key} must be a section (a mapping of its keys), got {value!r}")
        else:
            kwargs[name] = check_type(key, types_[name], value)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where or cls.__name__}: {exc}") from None


_SCALARS = {int: "an integer", float: "a number", str: "text", bool: "true or false"}


def _type_name(tp) -> str:
    if tp in _SCALARS:
        return _SCALARS[tp]
    origin = typing.get_origin(tp)
    if origin in (list, tuple):
        return "a list"
    if origin is dict or tp is dict:
        return "a mapping"
    if origin is typing.Literal:
        return "one of " + ", ".join(map(repr, typing.get_args(tp)))
    return getattr(tp, "__name__", str(tp))


def _matches(tp, value) -> bool | None:
    """Whether `value` fits type hint `tp`; None when the hint is not one we check."""
    if tp is typing.Any:
        return True
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        results = [_matches(arg, value) for arg in typing.get_args(tp)]
        return True if any(r is True for r in results) else (None if None in results else False)
    if tp is type(None):
        return value is None
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    if origin in (list, tuple) or tp in (list, tuple):
        return isinstance(value, (list, tuple))
    if origin is dict or tp is dict:
        return isinstance(value, dict)
    if origin is typing.Literal:
        return value in typing.get_args(tp)
    return None


def _float_text(tp, value):
    """YAML 1.1 reads `1e-4` (no dot) as text: accept it where the field is a number."""
    args = typing.get_args(tp) if typing.get_origin(tp) in (typing.Union, types.UnionType) else (tp,)
    if float in args and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def check_type(key: str, tp, value):
    """`value`, checked against hint `tp`: a ConfigError names `key` and the expected type when it does
    not fit (so `--set sft.lr=banana` says `sft.lr must be a number, got 'banana'`)."""
    value = _float_text(tp, value)
    if _matches(tp, value) is False:
        args = [a for a in typing.get_args(tp) if a is not type(None)] or [tp]
        expected = " or ".join(_type_name(a) for a in args)
        if type(None) in typing.get_args(tp):
            expected += " (or null)"
        raise ConfigError(f"{key} must be {expected}, got {value!r}")
    return value


def apply_overrides(data: dict, overrides: list[str]) -> dict:
    """`a.b=value` pairs; values are parsed as YAML scalars (so 1e-4, true, [a,b] work)."""
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"override {item!r} is not KEY=VALUE")
        node = data
        parts = key.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ConfigError(f"override {item!r}: {p} is not a section")
        node[parts[-1]] = yaml.safe_load(raw)
    return data


def read_yaml(path: str | Path, *, kind: str = "config") -> dict:
    """The one YAML reader (configs, gates, sweeps): a mapping, or a one-line ConfigError."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such {kind} file: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping, got {type(data).__name__}")
    return data


def load_config(cls, path: str | Path | None = None, overrides: list[str] | None = None):
    data = read_yaml(path) if path else {}
    return from_dict(cls, apply_overrides(data, overrides or []))


def to_dict(obj) -> dict:
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return {f.name: (to_dict(getattr(obj, f.name)) if dataclasses.is_dataclass(getattr(obj, f.name))
                     else getattr(obj, f.name)) for f in dataclasses.fields(obj)}
