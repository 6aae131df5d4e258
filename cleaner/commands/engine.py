"""The `--engine` and `--ray-address` options, shared by the commands that can run on Ray."""

from __future__ import annotations

from typing import Annotated

import typer

from cleaner.errors import ConfigError

ENGINES = ("local", "ray")

EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        metavar="local|ray",
        help="Where to run: local (this machine's --workers processes) or ray (Ray Data, on "
        "--ray-address or a local Ray instance; needs pip install 'cleaner[ray]'). Same output.",
    ),
]
RayAddressOption = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        metavar="ADDRESS",
        help="Ray cluster to run on (HOST:6379, ray://HOST:10001 or auto); default: "
        "$RAY_ADDRESS, else a local Ray instance with --workers CPUs.",
    ),
]


def checked_engine(name: str, ray_address: str | None) -> str:
    """The engine name, checked with the address that goes with it."""
    if name not in ENGINES:
        raise ConfigError(f"--engine must be local or ray, not {name!r}")
    if ray_address is not None and name != "ray":
        raise ConfigError("--ray-address needs --engine ray")
    return name
