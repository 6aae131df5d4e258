"""The `cleaner` command: a thin layer that builds arguments, calls the library, and turns its
exceptions into one-line messages and exit codes (0 all cleaned, 1 some documents failed,
2 usage or configuration error).

Other modules add their sub-commands at the end of this file, one line each:
`app.add_typer(some_app, name="...")` or `app.command(name="...")(some_function)`.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import sys
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Annotated, Any

import typer

from cleaner import __version__
from cleaner.batch import BatchOptions, Engine, Summary, run_batch
from cleaner.commands import EXIT_FAILED, EXIT_OK, command_group, fail
from cleaner.commands import boilerplate as boilerplate_commands
from cleaner.commands.dedup import dedup as dedup_command
from cleaner.commands.engine import EngineOption, RayAddressOption, checked_engine
from cleaner.commands.rules import app as rules_app
from cleaner.config import parse_assignment
from cleaner.errors import ConfigError, EngineError, OutputError
from cleaner.io import DEFAULT_MAX_DOC_BYTES, AtomicWriter, Record, Source
from cleaner.pipeline import PipelineSettings
from cleaner.report import (
    document_entry,
    is_report,
    original_text,
    read_report,
    rule_descriptions,
)
from cleaner.rules import resolve_rules_dir
from cleaner.stages import REGISTRY

app = command_group(
    "cleaner", "Clean scraped, machine-translated news text and show exactly what changed and why."
)

StagesOption = Annotated[
    str | None,
    typer.Option(
        "--stages",
        metavar="STAGE,...",
        help=f"Run only these stages (comma-separated, run in registry order: {', '.join(REGISTRY)}).",
    ),
]
SkipOption = Annotated[
    str | None,
    typer.Option("--skip", metavar="STAGE,...", help="Do not run these stages (comma-separated)."),
]
RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", metavar="DIR", help="Rules folder to use instead of the shipped one."),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", metavar="FILE", help="TOML config file (stages, skip, rules, [stage] options)."
    ),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="STAGE.KEY=VALUE",
        help="Set a stage option (repeatable; VALUE in TOML syntax, e.g. langid.min_chars=30).",
    ),
]
TextFieldOption = Annotated[
    str, typer.Option("--text-field", metavar="FIELD", help="JSONL field holding the text.")
]
IdFieldOption = Annotated[
    str, typer.Option("--id-field", metavar="FIELD", help="JSONL field holding the id.")
]
MaxDocBytesOption = Annotated[
    int,
    typer.Option(
        "--max-doc-bytes",
        min=1,
        metavar="BYTES",
        help="Largest document (a text file, or a JSONL line) to read; larger ones are reported "
        "as failed and left out, so memory stays bounded.",
    ),
]
StdinFormatOption = Annotated[
    str,
    typer.Option("--stdin-format", metavar="text|jsonl", help="Format of standard input (-)."),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cleaner {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Clean scraped, machine-translated news text and show exactly what changed and why.

    Exit codes: 0 all documents cleaned, 1 some failed (one `path:line: message` line each),
    2 usage or configuration error.
    """


def _names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [name.strip() for name in value.split(",") if name.strip()]


def _settings(
    stages: str | None,
    skip: str | None,
    rules: Path | None,
    config: Path | None,
    assignments: list[str] | None,
) -> PipelineSettings:
    options: dict[str, dict[str, Any]] = {}
    for assignment in assignments or ():
        stage, key, value = parse_assignment(assignment)
        options.setdefault(stage, {})[key] = value
    return PipelineSettings.build(
        stages=_names(stages),
        skip=_names(skip) or (),
        rules_dir=rules,
        options=options,
        config_file=config,
    )


@app.command()
def clean(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="INPUT",
            help="Files, folders (walked recursively) or - for standard input. "
            "Formats: .txt and .md (one document per file), .jsonl and .jsonl.gz (one per line).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="OUTDIR",
            help="Output folder; mirrors the input tree and formats. Without it, standard "
            "input is cleaned to standard output.",
        ),
    ] = None,
    stages: StagesOption = None,
    skip: SkipOption = None,
    rules: RulesOption = None,
    config: ConfigOption = None,
    assignments: SetOption = None,
    text_field: TextFieldOption = "text",
    id_field: IdFieldOption = "id",
    stdin_format: StdinFormatOption = "text",
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-j",
            min=1,
            metavar="N",
            help="Worker processes (default: all cores). The output is the same for any N.",
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Skip inputs whose output already exists and is newer (outputs are written "
            "atomically, so an existing one is complete); refuses a folder written with other "
            "settings.",
        ),
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="FILE",
            help="Write a JSON Lines report: one line per document (id, lang, changes, flags), "
            "then a summary line.",
        ),
    ] = None,
    diff: Annotated[
        bool,
        typer.Option("--diff", help="Show what would change (a unified diff); write nothing."),
    ] = False,
    max_doc_bytes: MaxDocBytesOption = DEFAULT_MAX_DOC_BYTES,
    drop_foreign: Annotated[
        bool,
        typer.Option(
            "--drop-foreign",
            help="Remove paragraphs in another language than their document (mt stage; "
            "otherwise they are only flagged).",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print errors only: no progress, no summary.")
    ] = False,
    learned: Annotated[
        Path | None,
        typer.Option(
            "--learned",
            metavar="FILE",
            help="Also remove the lines of this learned-lines rule file "
            "(written by `cleaner boilerplate mine --write`).",
        ),
    ] = None,
    engine: EngineOption = "local",
    ray_address: RayAddressOption = None,
) -> None:
    """Clean files, folders or standard input into OUTDIR, mirroring the input tree.

    \b
    Examples:
      cleaner clean samples/input -o out/
      cleaner clean corpus.jsonl.gz --text-field body -o out/ --report report.jsonl
      cat article.txt | cleaner clean -
      cleaner clean samples/input --diff --stages unicode
      cleaner clean corpus/ -o out/ --engine ray --ray-address ray://head:10001
    """
    if stdin_format not in ("text", "jsonl"):
        raise fail(f"--stdin-format must be text or jsonl, not {stdin_format!r}")
    report_writer: AtomicWriter | None = None
    if drop_foreign:
        assignments = [*(assignments or ()), "mt.drop_foreign=true"]
    if learned is not None:
        assignments = [*(assignments or []), f"boilerplate.learned={json.dumps(str(learned))}"]
    try:
        settings = _settings(stages, skip, rules, config, assignments)
        options = BatchOptions(
            text_field=text_field,
            id_field=id_field,
            workers=workers,
            resume=resume,
            write=not diff,
            max_doc_bytes=max_doc_bytes,
            stdin_format=stdin_format,  # type: ignore[arg-type]
        )
        chosen_engine = _engine(engine, ray_address)
        if report is not None:
            _check_report_outside_inputs(report, inputs)
            report_writer = AtomicWriter(report)
        console = _Console(quiet=quiet)
        with console.progress() as on_progress:
            summary = run_batch(
                inputs,
                output,
                settings,
                options,
                stdin=sys.stdin.buffer,
                stdout=sys.stdout.buffer,
                on_document=_document_handler(report_writer, diff),
                on_problem=console.problem,
                on_progress=on_progress,
                engine=chosen_engine,
            )
        if report_writer is not None:
            report_writer.write(_json_line({"summary": summary.to_dict()}))
            report_writer.commit()
            report_writer = None
    except (ConfigError, OutputError) as error:
        raise fail(str(error)) from None
    except EngineError as error:
        raise fail(
            f"{error}; finished outputs are complete, rerun with --resume", EXIT_FAILED
        ) from None
    except BrokenProcessPool:
        raise fail(
            "a worker process died (out of memory?); finished outputs are complete, rerun "
            "with --resume and fewer --workers or a lower --max-doc-bytes",
            EXIT_FAILED,
        ) from None
    except KeyboardInterrupt:
        raise fail(
            "interrupted; outputs already finished are complete, rerun with --resume", 130
        ) from None
    finally:
        if report_writer is not None:
            report_writer.abort()
    if not quiet:
        typer.echo(_summary_line(summary), err=True)
    raise typer.Exit(EXIT_OK if summary.ok else EXIT_FAILED)


def _engine(name: str, ray_address: str | None) -> Engine | None:
    if checked_engine(name, ray_address) == "local":
        return None
    from cleaner.ray_engine import RayEngine

    return RayEngine(address=ray_address)


def _check_report_outside_inputs(report: Path, inputs: list[str]) -> None:
    """A report written into an input folder would be read as input by the next run."""
    target = Path(os.path.realpath(report))
    for given in inputs:
        folder = Path(os.path.realpath(given))
        if given != "-" and folder.is_dir() and folder in target.parents:
            raise ConfigError(f"--report {report} is inside the input folder {given}")


def _json_line(entry: dict[str, Any]) -> bytes:
    return (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass")


def _document_handler(report_writer: AtomicWriter | None, diff: bool):
    if report_writer is None and not diff:
        return None  # then the workers send back only what is written, not whole documents
    color = diff and sys.stdout.isatty()

    def handle(source: Source, record: Record) -> None:
        if report_writer is not None:
            report_writer.write(_json_line(document_entry(source, record)))
        if diff and record.doc is not None and record.doc.changes and not record.error:
            for line in _diff_lines(source, record, color):
                typer.echo(line)

    return handle


def _diff_lines(source: Source, record: Record, color: bool) -> Iterator[str]:
    assert record.doc is not None
    name = source.relative if record.line is None else f"{source.relative}:{record.line}"
    before = original_text(record.doc).splitlines()
    after = record.doc.text.splitlines()
    lines = difflib.unified_diff(before, after, f"a/{name}", f"b/{name}", lineterm="")
    for line in lines:
        if color and line.startswith("-") and not line.startswith("---"):
            yield typer.style(line, fg="red")
        elif color and line.startswith("+") and not line.startswith("+++"):
            yield typer.style(line, fg="green")
        else:
            yield line


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _summary_line(summary: Summary) -> str:
    parts = [
        f"cleaned {_plural(summary.documents, 'document')}",
        _plural(summary.files, "file"),
        f"{summary.bytes_in / 1e6:.1f} MB in {summary.seconds:.1f}s",
        _plural(sum(summary.changes.values()), "change"),
    ]
    if summary.files_resumed:
        parts.append(f"{summary.files_resumed} already done (--resume)")
    if summary.files_skipped:
        parts.append(f"{summary.files_skipped} skipped")
    if summary.failed:
        parts.append(f"{summary.failed} FAILED")
    return ", ".join(parts)


class _Console:
    """Messages and progress on standard error: a progress bar only on a terminal."""

    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self._rich: Any = None

    def problem(self, message: str, is_error: bool) -> None:
        if self.quiet and not is_error:
            return
        if self._rich is not None:
            self._rich.console.print(message, markup=False, highlight=False)
        else:
            typer.echo(message, err=True)

    def progress(self) -> Any:
        if self.quiet or not sys.stderr.isatty():
            return contextlib.nullcontext(None)
        return self._progress_bar()

    @contextlib.contextmanager
    def _progress_bar(self) -> Iterator[Any]:
        # rich is imported only when a terminal will show the bar.
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        columns = [
            TextColumn("cleaning"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
        ]
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("clean", total=None)

            def update(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total or None)

            self._rich = progress
            try:
                yield update
            finally:
                self._rich = None


@app.command()
def explain(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A report written by `clean --report`, or an input file to clean now.",
            show_default=False,
        ),
    ],
    doc_id: Annotated[
        str | None, typer.Option("--id", metavar="ID", help="Only the document with this id.")
    ] = None,
    find: Annotated[
        str | None,
        typer.Option(
            "--find",
            metavar="TEXT",
            help="Only changes whose text before or after contains TEXT (why did it vanish?).",
        ),
    ] = None,
    stages: StagesOption = None,
    skip: SkipOption = None,
    rules: RulesOption = None,
    config: ConfigOption = None,
    assignments: SetOption = None,
    text_field: TextFieldOption = "text",
    id_field: IdFieldOption = "id",
    max_doc_bytes: MaxDocBytesOption = DEFAULT_MAX_DOC_BYTES,
) -> None:
    """Show each change with its rule id and the rule's description.

    FILE is a report written by `cleaner clean --report`, or an input file, which is then
    cleaned on the spot (with the same stage options as `clean`) without writing anything.

    \b
    Examples:
      cleaner explain report.jsonl --find "Source link"
      cleaner explain samples/input/some-article.txt
    """
    failed = False
    try:
        settings = _settings(stages, skip, rules, config, assignments)
        descriptions = rule_descriptions(resolve_rules_dir(settings.rules_dir))
        if not file.exists():
            raise ConfigError(f"{file}: no such file")
        if is_report(file):
            entries = list(read_report(file))
        else:
            entries = []

            def collect(source: Source, record: Record) -> None:
                entries.append(document_entry(source, record))

            summary = run_batch(
                [file],
                None,
                settings,
                BatchOptions(
                    text_field=text_field,
                    id_field=id_field,
                    workers=1,
                    write=False,
                    max_doc_bytes=max_doc_bytes,
                ),
                on_document=collect,
                on_problem=lambda message, is_error: typer.echo(message, err=True),
            )
            failed = not summary.ok
    except ConfigError as error:
        raise fail(str(error)) from None
    shown = 0
    for entry in entries:
        if doc_id is not None and str(entry.get("id")) != doc_id:
            continue
        lines = list(_explain_entry(entry, descriptions, find))
        if lines:
            shown += 1
            for line in lines:
                typer.echo(line)
    if shown == 0:
        what = f"containing {find!r}" if find is not None else "to show"
        typer.echo(f"no change {what}", err=True)
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


def _explain_entry(
    entry: dict[str, Any], descriptions: dict[str, str], find: str | None
) -> Iterator[str]:
    changes = [
        change
        for change in entry.get("changes", [])
        if find is None or find in change.get("before", "") or find in change.get("after", "")
    ]
    flags = [
        flag for flag in entry.get("flags", []) if find is None or find in flag.get("message", "")
    ]
    if not changes and not flags and (find is not None or "error" not in entry):
        return
    where = entry.get("input", "")
    if entry.get("line"):
        where = f"{where}:{entry['line']}"
    yield f"{entry.get('id')} ({where}, lang {entry.get('lang', '?')})"
    if "error" in entry:
        yield f"  error: {entry['error']}"
    for change in changes:
        start, end = change.get("span", [None, None])
        before, after = _trimmed(change["before"], change["after"])
        yield f"  {change['rule']} [{start}:{end}] {before} -> {after}"
        yield f"      {descriptions.get(change['rule'], '(no description in the rule files)')}"
    for flag in flags:
        span = f" [{flag['start']}:{flag['end']}]" if "start" in flag else ""
        yield f"  flag {flag['rule']}{span}: {flag.get('message', '')}"
        if flag["rule"] in descriptions:
            yield f"      {descriptions[flag['rule']]}"


def _trimmed(before: str, after: str, context: int = 30, limit: int = 200) -> tuple[str, str]:
    """Both sides of a change, quoted, with a long shared start and end cut down to some
    context, so a one-letter fix inside a long line shows where it is."""
    prefix = 0
    while prefix < min(len(before), len(after)) and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(before), len(after)) - prefix
        and before[len(before) - 1 - suffix] == after[len(after) - 1 - suffix]
    ):
        suffix += 1
    cut_start = max(0, prefix - context)
    cut_end = max(0, suffix - context)

    def shown(text: str) -> str:
        middle = text[cut_start : len(text) - cut_end]
        if len(middle) > limit:
            middle = middle[: limit // 2] + "…" + middle[-limit // 2 :]
        quoted = "".join(
            char if char.isprintable() else f"\\u{ord(char):04x}"
            for char in json.dumps(middle, ensure_ascii=False)
        )
        return ("…" if cut_start else "") + quoted + ("…" if cut_end else "")

    return shown(before), shown(after)


def main() -> None:
    app(prog_name="cleaner")


app.command(name="dedup")(dedup_command)
app.add_typer(rules_app, name="rules")
app.add_typer(boilerplate_commands.app, name="boilerplate")
