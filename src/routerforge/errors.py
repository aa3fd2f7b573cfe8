"""The user-facing error types. A `UserError` (or a subclass) is something the user can fix — bad input,
a missing file, a wrong config value — and the CLI prints it as one line with exit code 2. Anything else
that escapes a command is an internal bug and keeps its traceback."""

from __future__ import annotations


class UserError(Exception):
    """An error the user can fix; printed without a traceback, exit code 2."""


class ConfigError(UserError, ValueError):
    """A config file, section or `--set` override that is wrong; the message names the key."""


class RunDirError(UserError, FileNotFoundError):
    """A run directory that is missing, not a run, interrupted, or already there."""


class InputError(UserError, ValueError):
    """Bad input data or a bad name: a malformed row or file, an unknown router or benchmark."""
