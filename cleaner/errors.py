"""Typed exceptions. The library raises these; only the CLI turns them into messages and exit codes."""


class CleanerError(Exception):
    """Base class for every error `cleaner` raises on purpose."""


class ConfigError(CleanerError):
    """An option, stage name or config file is invalid (a usage error: exit code 2)."""


class RuleError(ConfigError):
    """A rule file is malformed; the message starts with `path:line`."""


class InputError(CleanerError):
    """One input (file or line) cannot be read; the message names the place."""


class NotTextError(InputError):
    """An input is binary (it holds NUL bytes), so it is skipped rather than cleaned."""


class OutputError(CleanerError):
    """The output folder cannot be created or written (exit code 2 before a run starts)."""


class EngineError(CleanerError):
    """A distributed run failed (a worker or the cluster); outputs already finished are complete."""
