"""Corpus mode: lines that repeat across many documents are boilerplate candidates.

A site's template adds the same lines to every article ("Share this article", "Sign up for our
morning briefing", the outlet's own disclaimer). No hand-written rule knows them all, but a
corpus shows them: a short line found in many different documents is almost never story text.

Lines are compared in a normalized form (`normalize_line`: casefolded, digit runs folded to
`0`, whitespace folded, list markers dropped) and counted by a 64-bit hash of that form, once
per document. A line is a candidate when

- it is at most `max_chars` characters long (default 200: story paragraphs are longer, and
  long repeated passages are near-duplicates, the dedup stage's business),
- it has at least `min_chars` characters (default 3) and a letter,
- it occurs in at least `min_docs` documents (default 5) and in at least `min_share` of all
  documents (default 0.01, i.e. 1 %).

Memory grows with the number of distinct short lines (about 200 bytes each), not with the
corpus size. Accepted candidates are written to a learned-lines rule file (`write_learned_rules`)
that the boilerplate stage applies with its `learned` option (`cleaner clean --learned FILE`).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cleaner.boilerplate_rules import LIST_MARKERS
from cleaner.errors import ConfigError
from cleaner.rules import RuleEntry, load_rule_file

DIGITS = re.compile(r"\d+")
LETTER = re.compile(r"[^\W\d_]")
LEARNED_HEADER = """\
# Learned boilerplate lines, written by `cleaner boilerplate mine`.
# Each entry removes every line whose normalized form (casefolded, digit runs as 0, whitespace
# folded, list markers dropped) equals `line`. `examples.match` holds the line as it was seen;
# apply with `cleaner clean --learned FILE` (stage option boilerplate.learned). Delete an entry
# to stop removing its line.
"""


def normalize_line(line: str) -> str:
    """The form in which lines are compared across documents.

    >>> normalize_line("  • Comments (12)   Share ")
    'comments (0) share'
    """
    folded = DIGITS.sub("0", line.strip().lstrip(LIST_MARKERS).casefold())
    return " ".join(folded.split())


def line_hash(normalized: str) -> int:
    """A stable 64-bit hash (the same in every process, unlike `hash`)."""
    return int.from_bytes(hashlib.blake2b(normalized.encode(), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class Candidate:
    """A line found in many documents."""

    line: str
    example: str
    documents: int
    share: float
    doc_ids: tuple[str, ...]

    @property
    def rule_id(self) -> str:
        return f"learned.{line_hash(self.line):016x}"


@dataclass(frozen=True)
class MiningResult:
    candidates: list[Candidate]
    documents: int


def mine_repeated_lines(
    docs: Iterable[tuple[str, str]],
    *,
    min_docs: int = 5,
    min_share: float = 0.01,
    max_chars: int = 200,
    min_chars: int = 3,
    example_ids: int = 3,
) -> MiningResult:
    """Lines of `docs` (pairs of id and text) that repeat across documents, most frequent first.

    >>> stories = ["Floods in Odesa.", "Talks in Geneva.", "A strike in Kharkiv.", "Grain prices.",
    ...            "A new metro line.", "Power cuts in Kyiv."]
    >>> docs = [(f"d{n}", f"{story}\\nShare this article") for n, story in enumerate(stories)]
    >>> result = mine_repeated_lines(docs, min_docs=5)
    >>> [(c.line, c.documents, c.doc_ids) for c in result.candidates]
    [('share this article', 6, ('d0', 'd1', 'd2'))]
    """
    if min_docs < 2:
        raise ConfigError(f"min_docs must be >= 2, got {min_docs}")
    if not 0.0 <= min_share <= 1.0:
        raise ConfigError(f"min_share must be between 0 and 1, got {min_share}")
    if not 1 <= min_chars <= max_chars:
        raise ConfigError(f"need 1 <= min_chars <= max_chars, got {min_chars} and {max_chars}")
    if example_ids < 1:
        raise ConfigError(f"example_ids must be >= 1, got {example_ids}")
    stats: dict[int, list[Any]] = {}
    total = 0
    for doc_id, text in docs:
        total += 1
        seen: set[int] = set()
        for raw in text.split("\n"):
            if len(raw) > max_chars + 8:
                continue
            normalized = normalize_line(raw)
            if not min_chars <= len(normalized) <= max_chars or not LETTER.search(normalized):
                continue
            key = line_hash(normalized)
            if key in seen:
                continue
            seen.add(key)
            entry = stats.get(key)
            if entry is None:
                stats[key] = [1, normalized, raw.strip(), [doc_id]]
            else:
                entry[0] += 1
                if len(entry[3]) < example_ids:
                    entry[3].append(doc_id)
    needed = max(min_docs, min_share * total)
    candidates = [
        Candidate(normalized, example, count, count / total, tuple(ids))
        for count, normalized, example, ids in stats.values()
        if count >= needed
    ]
    candidates.sort(key=lambda c: (-c.documents, c.line))
    return MiningResult(candidates, total)


class LearnedLines:
    """Learned lines, looked up by the hash of their normalized form (one lookup per line,
    whatever their number)."""

    def __init__(self) -> None:
        self.rules: dict[int, str] = {}
        self.max_chars = 0

    def add(self, entry: RuleEntry) -> None:
        line = entry.require("line")
        normalized = normalize_line(line)
        if normalized != line or not normalized:
            raise entry.error(f"`line` must be normalized, e.g. {normalized!r}")
        examples = entry.require("examples", dict).get("match")
        if not isinstance(examples, list) or not examples:
            raise entry.error("examples.match must be a non-empty list of lines")
        for example in examples:
            if not isinstance(example, str) or normalize_line(example) != line:
                raise entry.error(f"example does not match: {example!r}")
        self.rules[line_hash(line)] = entry.id
        self.max_chars = max(self.max_chars, len(line))

    def match(self, key: str) -> str | None:
        """The rule id of a learned line equal to `key` once normalized, or None."""
        if len(key) > self.max_chars + 8 or not self.rules:
            return None
        return self.rules.get(line_hash(normalize_line(key)))


def load_learned_lines(path: Path) -> LearnedLines:
    """Read a learned-lines rule file; errors name `path:line` and the rule id."""
    learned = LearnedLines()
    for entry in load_rule_file(path):
        if entry.require("kind") != "learned":
            raise entry.error("a learned-lines file holds entries of kind `learned` only")
        learned.add(entry)
    return learned


def write_learned_rules(candidates: Iterable[Candidate], path: Path, *, documents: int) -> int:
    """Add candidates to a learned-lines rule file (created if missing, entries already in it
    kept), atomically. Returns how many entries were added."""
    existing: list[dict[str, Any]] = []
    if path.exists():
        existing = [dict(entry.fields) for entry in load_rule_file(path)]
    known = {entry["id"] for entry in existing}
    added = [
        {
            "id": candidate.rule_id,
            "description": (
                f"Line repeated in {candidate.documents} of {documents} documents "
                f"({candidate.share:.1%}), e.g. {', '.join(candidate.doc_ids)}"
            ),
            "kind": "learned",
            "action": "remove",
            "line": candidate.line,
            "examples": {"match": [candidate.example]},
        }
        for candidate in candidates
        if candidate.rule_id not in known
    ]
    body = yaml.safe_dump(existing + added, allow_unicode=True, sort_keys=False, width=100)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(LEARNED_HEADER + body)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(added)
