"""`cleaner rules ...`: check, review and measure the spelling rules.

    cleaner rules check [DIR]                  lint the rule files (exit 1 on problems)
    cleaner rules review INPUT... [--json | --markdown] [--interactive --rules DIR]
    cleaner rules stats INPUT... [--json]      how often each rule fired, which never did

A thin layer: the work is in `cleaner.spelling_rules` and `cleaner.spelling_review`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cleaner.commands import EXIT_FAILED, EXIT_OK, command_group, fail
from cleaner.document import Document
from cleaner.errors import CleanerError, ConfigError
from cleaner.pipeline import Pipeline, PipelineSettings
from cleaner.rules import resolve_rules_dir
from cleaner.spelling_review import (
    Candidate,
    accept_variant,
    add_entry,
    add_exception,
    load_rejected,
    paragraphs_in,
    read_corpus,
    reject,
    review,
    rule_stats,
)
from cleaner.spelling_rules import KINDS, STAGE, check_rules, load_language, load_rules
from cleaner.stages import REGISTRY

app = command_group(
    "rules", "Check, review and measure the spelling rules (rules/spelling/<lang>/*.yaml)."
)

RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", metavar="DIR", help="Rules folder to use instead of the shipped one."),
]
LangOption = Annotated[
    str, typer.Option("--lang", help="Language of the rules (the folder rules/spelling/LANG).")
]
InputsArgument = Annotated[
    list[Path],
    typer.Argument(metavar="INPUT...", help="Files (.txt, .md, .jsonl, .jsonl.gz) or folders."),
]
KIND_FILES = {
    "organisation": "organisations",
    "person": "people",
    "place-crimea": "places-crimea",
    "place-russia": "places-russia",
    "place-ukraine": "places-ukraine",
    "place-other": "places-other",
}


def _rules_dir(rules: Path | None) -> Path:
    try:
        return resolve_rules_dir(rules)
    except CleanerError as error:
        raise fail(str(error)) from None


@app.command("check")
def check_command(
    folder: Annotated[
        Path | None,
        typer.Argument(metavar="[DIR]", help="Rules folder (default: the shipped rules)."),
    ] = None,
    examples: Annotated[
        bool, typer.Option("--examples/--no-examples", help="Also run every entry's examples.")
    ] = True,
) -> None:
    """Lint the spelling rule files: schema, sorting, duplicates and shadowed variants, chains
    and cycles, exceptions that can never match, bad patterns, failing examples.

    Prints `path:line: rule ID: message` per problem. Exit codes: 0 clean, 1 problems found,
    2 the folder does not exist or has no spelling rules.
    """
    rules_dir = _rules_dir(folder)
    if not (rules_dir / STAGE).is_dir():
        raise fail(f"{rules_dir}: no {STAGE}/ folder with rule files")
    problems = check_rules(rules_dir, run_examples=examples)
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {rules_dir / STAGE}", err=True)
        raise typer.Exit(EXIT_FAILED)
    counts = {}
    try:
        counts = {lang: len(entries) for lang, entries in load_rules(rules_dir).items()}
    except CleanerError as error:  # pragma: no cover - check_rules reports these first
        raise fail(str(error)) from None
    summary = ", ".join(f"{lang}: {count} entries" for lang, count in sorted(counts.items()))
    typer.echo(f"ok ({summary})", err=True)


@app.command("review")
def review_command(
    inputs: InputsArgument,
    rules: RulesOption = None,
    lang: LangOption = "en",
    as_json: Annotated[bool, typer.Option("--json", help="Print the candidates as JSON.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print a Markdown table.")] = False,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive",
            "-i",
            help="Decide on each candidate and write the decisions into the --rules folder.",
        ),
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many.")] = 50,
    min_score: Annotated[
        float, typer.Option("--min-score", min=0, max=100, help="Fuzzy score cutoff (0-100).")
    ] = 80.0,
    text_field: Annotated[str, typer.Option("--text-field", help="JSONL text field.")] = "text",
) -> None:
    """Find spellings in a corpus that are probably variants of known names but not in the
    rules yet, ranked by score and frequency, with keyword-in-context lines. Only paragraphs
    in --lang (by the langid stage) are read."""
    if as_json and markdown:
        raise fail("choose one of --json and --markdown")
    if interactive and rules is None:
        raise fail(
            "--interactive writes decisions into rule files: give the folder with --rules DIR"
        )
    rules_dir = _rules_dir(rules)
    errors: list[str] = []
    try:
        entries = load_language(rules_dir, lang)
        if not entries:
            raise fail(f"{rules_dir / STAGE / lang}: no spelling rules for language {lang!r}")
        texts = paragraphs_in(
            (text for _, text in read_corpus(inputs, text_field=text_field, errors=errors)), lang
        )
        candidates = review(
            texts,
            entries,
            min_score=min_score,
            rejected=load_rejected(rules_dir, lang),
            limit=limit,
        )
    except CleanerError as error:
        raise fail(str(error)) from None
    for message in errors:
        typer.echo(message, err=True)
    if interactive:
        _decide(candidates, rules_dir, lang, {entry.id: entry.kind for entry in entries})
    elif as_json:
        typer.echo(json.dumps([c.to_dict() for c in candidates], ensure_ascii=False, indent=2))
    elif markdown:
        typer.echo(_markdown(candidates))
    else:
        _table(candidates)
    raise typer.Exit(EXIT_FAILED if errors else EXIT_OK)


def _markdown(candidates: list[Candidate]) -> str:
    lines = ["| spelling | count | suggestions | in context |", "|---|---:|---|---|"]
    for c in candidates:
        suggestions = "; ".join(f"{s.canonical} ({s.score:.0f})" for s in c.suggestions)
        context = " / ".join(c.contexts).replace("|", "\\|")
        lines.append(f"| {c.text} | {c.count} | {suggestions} | {context} |")
    return "\n".join(lines)


def _table(candidates: list[Candidate]) -> None:
    if not candidates:
        typer.echo("no candidates", err=True)
        return
    table = Table("spelling", "count", "suggestions (score)", "in context")
    for c in candidates:
        table.add_row(
            c.text,
            str(c.count),
            "\n".join(f"{s.canonical} ({s.score:.0f})" for s in c.suggestions),
            "\n".join(c.contexts),
        )
    Console().print(table)


def _decide(candidates: list[Candidate], rules_dir: Path, lang: str, kinds: dict[str, str]) -> None:
    """Ask about each candidate and write each decision at once (so quitting loses nothing)."""
    for number, candidate in enumerate(candidates, 1):
        typer.echo(
            f"\n[{number}/{len(candidates)}] {candidate.text!r}, seen {candidate.count} time(s)"
        )
        for context in candidate.contexts:
            typer.echo(f"    … {context} …")
        for index, suggestion in enumerate(candidate.suggestions, 1):
            typer.echo(
                f"  {index}: variant of {suggestion.canonical} ({suggestion.entry_id}, score {suggestion.score:.0f})"
            )
        choices = "/".join(str(i) for i in range(1, len(candidate.suggestions) + 1))
        answer = (
            typer.prompt(
                f"  {choices} accept as variant, e exception of 1, n new entry, r reject, s skip, q quit",
                default="s",
            )
            .strip()
            .lower()
        )
        try:
            if answer == "q":
                break
            if answer.isdigit() and 1 <= int(answer) <= len(candidate.suggestions):
                target = candidate.suggestions[int(answer) - 1]
                path = accept_variant(rules_dir, lang, target.entry_id, candidate.text)
                typer.echo(f"  {path}: {candidate.text!r} added to {target.entry_id}")
            elif answer == "e":
                target = candidate.suggestions[0]
                path = add_exception(rules_dir, lang, target.entry_id, candidate.text)
                typer.echo(f"  {path}: exception {candidate.text!r} added to {target.entry_id}")
            elif answer == "n":
                _new_entry(candidate, rules_dir, lang, kinds)
            elif answer == "r":
                path = reject(rules_dir, lang, candidate.text)
                typer.echo(f"  {path}: {candidate.text!r} will not be suggested again")
        except CleanerError as error:
            typer.echo(f"  not written: {error}", err=True)
    problems = check_rules(rules_dir)
    for problem in problems:
        typer.echo(str(problem), err=True)


def _new_entry(candidate: Candidate, rules_dir: Path, lang: str, kinds: dict[str, str]) -> None:
    canonical = typer.prompt("  canonical spelling").strip()
    default_kind = (
        kinds.get(candidate.suggestions[0].entry_id, "place-other")
        if candidate.suggestions
        else "place-other"
    )
    kind = typer.prompt(f"  kind ({', '.join(KINDS)})", default=default_kind).strip()
    if kind not in KINDS:
        raise ConfigError(f"kind must be one of {', '.join(KINDS)}")
    slug = re.sub(r"[^a-z0-9]+", "-", canonical.casefold()).strip("-")
    entry_id = typer.prompt("  id", default=f"{STAGE}.{lang}.{slug}").strip()
    description = typer.prompt("  description (what it is, and the authority)").strip()
    path = add_entry(
        rules_dir,
        lang,
        KIND_FILES[kind],
        entry_id=entry_id,
        canonical=canonical,
        kind=kind,
        description=description,
        variants=[candidate.text],
    )
    typer.echo(f"  {path}: new entry {entry_id}")


@app.command("stats")
def stats_command(
    inputs: InputsArgument,
    rules: RulesOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
    text_field: Annotated[str, typer.Option("--text-field", help="JSONL text field.")] = "text",
) -> None:
    """Clean the inputs up to the spelling stage and count how often each spelling rule fired;
    list the rules that never fired."""
    rules_dir = _rules_dir(rules)
    names = list(REGISTRY)
    stages = names[: names.index(STAGE) + 1]
    errors: list[str] = []
    try:
        pipeline = Pipeline(PipelineSettings.build(stages=stages, rules_dir=rules_dir))
        entries = [e for lang_entries in load_rules(rules_dir).values() for e in lang_entries]
        docs = (
            pipeline(Document(id=doc_id, text=text))
            for doc_id, text in read_corpus(inputs, text_field=text_field, errors=errors)
        )
        stats = rule_stats(docs, [entry.id for entry in entries])
    except CleanerError as error:
        raise fail(str(error)) from None
    for message in errors:
        typer.echo(message, err=True)
    if as_json:
        typer.echo(json.dumps(stats.to_dict(), ensure_ascii=False, indent=2))
    else:
        table = Table("rule", "fired")
        for rule, count in sorted(stats.fired.items(), key=lambda kv: (-kv[1], kv[0])):
            table.add_row(rule, str(count))
        Console().print(table)
        typer.echo(
            f"{stats.documents} documents; {len(stats.fired)} rules fired, "
            f"{len(stats.never)} never fired:"
        )
        for rule in stats.never:
            typer.echo(f"  {rule}")
    raise typer.Exit(EXIT_FAILED if errors else EXIT_OK)
