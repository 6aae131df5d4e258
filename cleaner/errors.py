"""Typed exceptions. The library raises these; only the CLI turns them into messages and exit codes."""


class CleanerError(Exception):
    """Base class for every error `cleaner` raises on purpose."""


class ConfigError(CleanerError):
    """An option, stage name or config file is invalid (a usage error: exit code 2)."""


class RuleError(ConfigError):
    """A rule file is malformed; the message starts with `path:line`."""


class InputError(CleanerError):
    """One input (file or line) cannot be read; the message names the place."""
