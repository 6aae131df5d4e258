"""`cleaner boilerplate ...`: corpus mode of the boilerplate stage.

`cleaner boilerplate mine INPUT...` finds lines that repeat across many documents (see
`cleaner.boilerplate_corpus` for the normalization and the thresholds), prints them with their
counts and example documents, and writes the accepted ones to a learned-lines rule file that
`cleaner clean --learned FILE` applies. The library does the work; this module only reads the
inputs, prints and asks.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from cleaner.boilerplate_corpus import Candidate, mine_repeated_lines, write_learned_rules
from cleaner.commands import EXIT_FAILED, command_group, fail
from cleaner.errors import CleanerError
from cleaner.io import find_sources, read_records
from cleaner.pipeline import Pipeline

app = command_group(
    "boilerplate", "Corpus mode of the boilerplate stage: lines that repeat across documents."
)


@app.command()
def mine(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="INPUT",
            help="Files, folders or - (standard input), as for `cleaner clean`.",
            show_default=False,
        ),
    ],
    min_docs: Annotated[
        int,
        typer.Option("--min-docs", min=2, metavar="N", help="A line must be in N documents."),
    ] = 5,
    min_share: Annotated[
        float,
        typer.Option(
            "--min-share",
            min=0.0,
            max=1.0,
            metavar="SHARE",
            help="... and in this share of all documents (0.01 = 1%).",
        ),
    ] = 0.01,
    max_chars: Annotated[
        int,
        typer.Option("--max-chars", min=1, metavar="N", help="Longer lines are never candidates."),
    ] = 200,
    write: Annotated[
        Path | None,
        typer.Option(
            "--write",
            metavar="FILE",
            help="Add the accepted lines to this learned-lines rule file (created if missing); "
            "needs --accept-all or --review.",
        ),
    ] = None,
    accept_all: Annotated[
        bool,
        typer.Option("--accept-all", help="Accept every candidate that passes the thresholds."),
    ] = False,
    review: Annotated[
        bool, typer.Option("--review", help="Ask y/n for each candidate before writing it.")
    ] = False,
    top: Annotated[
        int, typer.Option("--top", min=1, metavar="N", help="Print at most N candidates.")
    ] = 50,
    text_field: Annotated[
        str, typer.Option("--text-field", metavar="FIELD", help="JSONL field holding the text.")
    ] = "text",
    id_field: Annotated[
        str, typer.Option("--id-field", metavar="FIELD", help="JSONL field holding the id.")
    ] = "id",
) -> None:
    """Report lines that repeat across many documents, and write the accepted ones as rules.

    \b
    Examples:
      cleaner boilerplate mine corpus.jsonl --min-docs 20
      cleaner boilerplate mine crawl/ --write learned.yaml --review
      cleaner clean crawl/ -o out/ --learned learned.yaml
    """
    if write is not None and accept_all == review:
        raise fail("--write needs exactly one of --accept-all or --review")
    problems: list[str] = []
    try:
        result = mine_repeated_lines(
            _documents(inputs, text_field, id_field, problems),
            min_docs=min_docs,
            min_share=min_share,
            max_chars=max_chars,
        )
    except CleanerError as error:
        raise fail(str(error)) from None
    for problem in problems:
        typer.echo(problem, err=True)
    candidates = result.candidates
    typer.echo(
        f"{len(candidates)} repeated lines in {result.documents} documents "
        f"(in at least {min_docs} documents and {min_share:.1%} of them)"
    )
    for candidate in candidates[:top]:
        typer.echo(_describe(candidate))
    if write is not None:
        accepted = [c for c in candidates if accept_all or _confirm(c)]
        try:
            added = write_learned_rules(accepted, write, documents=result.documents)
        except (CleanerError, OSError) as error:
            raise fail(f"{write}: {error}") from None
        typer.echo(f"{write}: {added} rules added ({len(accepted) - added} already there)")
    if problems:
        raise typer.Exit(EXIT_FAILED)


def _documents(
    inputs: list[str], text_field: str, id_field: str, problems: list[str]
) -> Iterator[tuple[str, str]]:
    """(id, text) of every readable document, after the unicode stage (the form the
    boilerplate stage sees); unreadable ones are reported, not fatal."""
    normalize = Pipeline(stages=["unicode"])
    sources, warnings = find_sources(inputs)
    problems.extend(warnings)
    for source in sources:
        try:
            for record in read_records(
                source, text_field=text_field, id_field=id_field, stdin=sys.stdin.buffer
            ):
                if record.doc is None:
                    problems.append(f"{record.location}: {record.error or 'not a document'}")
                    continue
                yield record.doc.id, normalize.clean_text(record.doc.text)
        except CleanerError as error:
            problems.append(str(error))


def _describe(candidate: Candidate) -> str:
    return (
        f"{candidate.documents:7d}  {candidate.share:6.1%}  {candidate.example!r}  "
        f"(e.g. {', '.join(candidate.doc_ids)})"
    )


def _confirm(candidate: Candidate) -> bool:
    return typer.confirm(f"Remove {candidate.example!r} everywhere?", default=False)
