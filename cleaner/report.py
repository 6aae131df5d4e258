"""The `--report` format (JSON Lines) and what `cleaner explain` needs to read it back.

One line per document, in input order:

    {"id": "kyiv.txt", "input": "in/kyiv.txt", "line": null, "lang": "en",
     "lang_confidence": 0.99,
     "changes": [{"stage": "unicode", "rule": "unicode.odd_space", "span": [12, 13],
                  "before": "\\u00a0", "after": " "}],
     "flags": []}

A line that could not be cleaned carries `error` instead. The last line is
`{"summary": {...}}` (documents, bytes, changes per stage and per rule, errors, time).
`span` is the place of `before` in the text as it was just before that change, so replaying
the changes in order turns the input text into the output text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cleaner.document import Change, Document
from cleaner.errors import ConfigError, InputError
from cleaner.io import Record, Source
from cleaner.rules import load_stage_rules
from cleaner.stages import REGISTRY


def change_entry(change: Change) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "stage": change.stage,
        "rule": change.rule,
        "span": [change.start, change.end],
        "before": change.before,
        "after": change.after,
    }
    if change.confidence is not None:
        entry["confidence"] = change.confidence
    return entry


def document_entry(source: Source, record: Record) -> dict[str, Any]:
    """The report line of one document (or of a line that is not one)."""
    entry: dict[str, Any] = {
        "id": record.doc.id if record.doc is not None else record.location,
        "input": source.name,
        "line": record.line,
    }
    if record.error:
        entry["error"] = record.error
    doc = record.doc
    if doc is not None and not record.error:
        entry["lang"] = doc.lang
        entry["lang_confidence"] = round(doc.lang_confidence, 4)
        entry["changes"] = [change_entry(change) for change in doc.changes]
        entry["flags"] = [flag.to_dict() for flag in doc.flags]
    return entry


def original_text(doc: Document) -> str:
    """The text before cleaning, rebuilt by undoing the recorded changes in reverse order.

    >>> doc = Document(id="x", text="a  b")
    >>> _ = doc.replace_text("unicode", "unicode.space_run", "a b")
    >>> original_text(doc)
    'a  b'
    """
    text = doc.text
    for change in reversed(doc.changes):
        end = change.start + len(change.after)
        text = text[: change.start] + change.before + text[end:]
    return text


def rule_descriptions(rules_dir: Path) -> dict[str, str]:
    """Rule id -> description, across the rule files of every stage."""
    descriptions: dict[str, str] = {}
    for stage in REGISTRY:
        for entry in load_stage_rules(rules_dir, stage):
            descriptions[entry.id] = str(entry.fields["description"])
    return descriptions


def is_report(path: Path) -> bool:
    """Whether a file is a report written by `--report` (its first line says so)."""
    try:
        with path.open(encoding="utf-8") as stream:
            first = stream.readline(1 << 20)
        entry = json.loads(first)
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    if not isinstance(entry, dict):
        return False
    return "summary" in entry or ("input" in entry and ("changes" in entry or "error" in entry))


def read_report(path: Path) -> Iterator[dict[str, Any]]:
    """The document lines of a report (the summary line is skipped)."""
    try:
        with path.open(encoding="utf-8") as stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                except ValueError as error:
                    raise InputError(f"{path}:{number}: not a report line ({error})") from None
                if isinstance(entry, dict) and "summary" not in entry:
                    yield entry
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
