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


class ConfigError(ValueError):
    pass


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
        sub = _dataclass_of(types_[name])
        if sub is not None and isinstance(value, dict):
            kwargs[name] = from_dict(sub, value, f"{where}.{name}" if where else name)
        else:
            kwargs[name] = value
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where or cls.__name__}: {exc}") from None


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


def read_yaml(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such config file: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping")
    return data


def load_config(cls, path: str | Path | None = None, overrides: list[str] | None = None):
    data = read_yaml(path) if path else {}
    return from_dict(cls, apply_overrides(data, overrides or []))


def to_dict(obj) -> dict:
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return {f.name: (to_dict(getattr(obj, f.name)) if dataclasses.is_dataclass(getattr(obj, f.name))
                     else getattr(obj, f.name)) for f in dataclasses.fields(obj)}
