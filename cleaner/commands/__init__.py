"""Sub-commands of `cleaner` other than clean and explain, one module each, and what every
command shares: exit codes, the one-line error, the Typer settings."""

import typer

EXIT_OK = 0
EXIT_FAILED = 1  # some documents (or rules) failed; each failure reported on its own line
EXIT_USAGE = 2  # usage, configuration or rule-file error


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print `cleaner: error: MESSAGE` on standard error; raise the returned exit."""
    typer.echo(f"cleaner: error: {message}", err=True)
    return typer.Exit(code)


def command_group(name: str, help: str) -> typer.Typer:
    """A Typer app with the settings every `cleaner` command group uses: plain help text,
    no shell-completion options, no rich tracebacks (a user error is one line, never a
    traceback)."""
    return typer.Typer(
        name=name,
        help=help,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
