"""Options: one immutable, validated config object per stage, filled from TOML and the CLI.

A config file looks like this (every key is optional):

    stages = ["unicode", "langid", "boilerplate"]   # which stages run, in registry order
    skip = ["mt"]                                     # or: which of the default stages not to run
    rules = "my-rules/"                               # a rules folder replacing the shipped one

    [langid]
    min_chars = 30

On the command line the same options are `--stages`, `--skip`, `--rules` and
`--set langid.min_chars=30` (the value is read as a TOML value, so `true`, `3`, `"x"` work).
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, Self

from cleaner.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class StageConfig:
    """Base for stage configs: frozen dataclasses whose `__post_init__` validates eagerly."""

    @classmethod
    def from_options(cls, stage: str, options: dict[str, Any] | None) -> Self:
        options = dict(options or {})
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(options) - set(known))
        if unknown:
            names = ", ".join(sorted(known)) or "none"
            raise ConfigError(f"unknown option {stage}.{unknown[0]} (options of {stage}: {names})")
        hints = typing.get_type_hints(cls)
        for key, value in options.items():
            options[key] = _coerce(stage, key, value, hints[key])
        return cls(**options)


def _coerce(stage: str, key: str, value: Any, hint: Any) -> Any:
    allowed = _allowed_types(hint)
    if float in allowed and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tuple in allowed and isinstance(value, list):
        return tuple(value)
    if any(isinstance(value, kind) for kind in allowed) and not (
        isinstance(value, bool) and bool not in allowed
    ):
        return value
    names = " or ".join(sorted(kind.__name__ for kind in allowed))
    raise ConfigError(f"option {stage}.{key} must be {names}, not {value!r}")


def _allowed_types(hint: Any) -> set[type]:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        kinds: set[type] = set()
        for arg in typing.get_args(hint):
            kinds |= _allowed_types(arg)
        return kinds
    if origin is typing.Literal:
        return {type(arg) for arg in typing.get_args(hint)}
    if hint is type(None):
        return {type(None)}
    return {origin or hint}


def parse_assignment(assignment: str) -> tuple[str, str, Any]:
    """Read `stage.key=value` (value in TOML syntax, bare words taken as strings).

    >>> parse_assignment("langid.min_chars=30")
    ('langid', 'min_chars', 30)
    """
    name, sep, raw = assignment.partition("=")
    stage, dot, key = name.strip().partition(".")
    if not sep or not dot or not stage or not key:
        raise ConfigError(f"--set expects STAGE.OPTION=VALUE, got {assignment!r}")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return stage, key.strip(), value


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Read a TOML config file into plain data; errors name the file."""
    path = Path(path)
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read config file: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
