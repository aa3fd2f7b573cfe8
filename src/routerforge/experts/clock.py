"""The injectable clock used by time-dependent experts, so tests and rewards are deterministic.

`now()` is the current UTC time unless a `frozen(dt)` block (or `set_clock`) is active.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone
from typing import Callable, Iterator

_clock: Callable[[], datetime] | None = None


def now() -> datetime:
    return _clock() if _clock is not None else datetime.now(timezone.utc)


def set_clock(fn: Callable[[], datetime] | None) -> None:
    global _clock
    _clock = fn


@contextlib.contextmanager
def frozen(at: datetime) -> Iterator[datetime]:
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    global _clock
    old, _clock = _clock, (lambda: at)
    try:
        yield at
    finally:
        _clock = old
