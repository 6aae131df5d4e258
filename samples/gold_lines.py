"""The gold set as data: every sample document, and which of its input lines are boilerplate.

A sample document is a `.txt`/`.md` file under `samples/input/` or one record of a `.jsonl`
file there; its gold is the file (or the record with the same id) under `samples/expected/`.

Line labels are derived, not hand-listed twice: the input is first put through the `unicode`
stage (line endings, mojibake, stray spaces), then its non-empty lines are aligned in order with
the non-empty gold lines (a monotone alignment that maximizes the summed similarity of matched
pairs, `rapidfuzz.fuzz.ratio`; pairs below `MIN_SIMILARITY` never match). A matched input line is
content (it may still be edited by mt or spelling, or lose a site-name suffix); an unmatched one
is boilerplate. The same alignment against a pipeline's output says which lines it removed, so

    >>> from gold_lines import load_samples, score_removal  # doctest: +SKIP
    >>> score_removal(sample, cleaned_text)  # doctest: +SKIP
    LineScore(removed_boilerplate=5, removed_content=0, kept_boilerplate=0, kept_content=14)

gives line precision and recall of boilerplate removal. `tests/test_samples.py` checks the
derived labels against hand-counted numbers of boilerplate lines per sample.

Import it with `samples/` on `sys.path` (it is not part of the installed package).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

SAMPLES_DIR = Path(__file__).resolve().parent
INPUT_DIR = SAMPLES_DIR / "input"
EXPECTED_DIR = SAMPLES_DIR / "expected"
TEXT_SUFFIXES = (".txt", ".md")
# Edited content lines (spelling, MT fixes, a dropped site-name suffix, stripped HTML tags)
# score above 0.85 against their gold line; residue lines score below 0.5 against any gold line.
MIN_SIMILARITY = 0.6


@dataclass(frozen=True)
class Sample:
    """One gold document. `id` is the input path relative to `samples/input/`, plus `#record-id`
    for a JSONL record. `expected` has no final newline (a gold text file ends with exactly one).
    `fields` are the other fields of a JSONL record, in order (empty for text files)."""

    id: str
    path: str
    text: str
    expected: str
    fields: dict[str, Any] = field(default_factory=dict)
    expected_fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LineLabel:
    """A non-empty line of the unicode-normalized input, with the gold line it became (None:
    boilerplate, removed in the gold)."""

    number: int  # 1-based line number in the unicode-normalized input
    text: str
    gold_line: str | None

    @property
    def is_boilerplate(self) -> bool:
        return self.gold_line is None


@dataclass(frozen=True)
class LineScore:
    removed_boilerplate: int
    removed_content: int
    kept_boilerplate: int
    kept_content: int

    def __add__(self, other: LineScore) -> LineScore:
        """Scores of several documents add up line by line."""
        return LineScore(
            self.removed_boilerplate + other.removed_boilerplate,
            self.removed_content + other.removed_content,
            self.kept_boilerplate + other.kept_boilerplate,
            self.kept_content + other.kept_content,
        )

    @property
    def precision(self) -> float:
        """Of the lines removed, the share that gold says are boilerplate."""
        removed = self.removed_boilerplate + self.removed_content
        return self.removed_boilerplate / removed if removed else 1.0

    @property
    def recall(self) -> float:
        """Of the gold boilerplate lines, the share removed."""
        boilerplate = self.removed_boilerplate + self.kept_boilerplate
        return self.removed_boilerplate / boilerplate if boilerplate else 1.0

    @property
    def content_kept(self) -> float:
        """Of the gold content lines, the share kept (issue 3's "precision")."""
        content = self.kept_content + self.removed_content
        return self.kept_content / content if content else 1.0


def load_samples(input_dir: Path = INPUT_DIR, expected_dir: Path = EXPECTED_DIR) -> list[Sample]:
    """Every sample document, sorted by id."""
    samples: list[Sample] = []
    for path in sorted(p for p in input_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(input_dir).as_posix()
        gold_path = expected_dir / relative
        if path.suffix in TEXT_SUFFIXES:
            gold = gold_path.read_bytes().decode("utf-8")
            samples.append(
                Sample(
                    id=relative,
                    path=relative,
                    text=path.read_bytes().decode("utf-8"),
                    expected=gold[:-1] if gold.endswith("\n") else gold,
                )
            )
        elif path.suffix == ".jsonl":
            gold_records = {record["id"]: record for record in _read_jsonl(gold_path)}
            for record in _read_jsonl(path):
                gold_record = gold_records[record["id"]]
                samples.append(
                    Sample(
                        id=f"{relative}#{record['id']}",
                        path=relative,
                        text=record["text"],
                        expected=gold_record["text"],
                        fields={k: v for k, v in record.items() if k != "text"},
                        expected_fields={k: v for k, v in gold_record.items() if k != "text"},
                    )
                )
    return samples


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@lru_cache(maxsize=1)
def _unicode_pipeline():
    from cleaner import Pipeline

    return Pipeline(stages=["unicode"])


def normalized_input(sample: Sample) -> str:
    """The input after the unicode stage: the text whose lines later stages keep or drop."""
    return _unicode_pipeline().clean_text(sample.text)


def line_labels(sample: Sample) -> list[LineLabel]:
    """Each non-empty input line (after the unicode stage), with its gold line or None."""
    lines = _numbered_lines(normalized_input(sample))
    matches = align(
        [text for _, text in lines], [text for _, text in _numbered_lines(sample.expected)]
    )
    return [
        LineLabel(number, text, matches.get(index)) for index, (number, text) in enumerate(lines)
    ]


def boilerplate_lines(sample: Sample) -> list[LineLabel]:
    """The input lines that the gold removes entirely."""
    return [label for label in line_labels(sample) if label.is_boilerplate]


def score_removal(sample: Sample, output: str) -> LineScore:
    """Compare which input lines `output` (a cleaned text of the sample) kept with the gold."""
    lines = _numbered_lines(normalized_input(sample))
    texts = [text for _, text in lines]
    gold = align(texts, [text for _, text in _numbered_lines(sample.expected)])
    kept = align(texts, [text for _, text in _numbered_lines(output)])
    counts = {"rb": 0, "rc": 0, "kb": 0, "kc": 0}
    for index in range(len(texts)):
        key = ("k" if index in kept else "r") + ("c" if index in gold else "b")
        counts[key] += 1
    return LineScore(counts["rb"], counts["rc"], counts["kb"], counts["kc"])


def align(source: list[str], target: list[str]) -> dict[int, str]:
    """Monotone alignment of `source` lines onto `target` lines maximizing total similarity:
    {source index: target line} for the matched source lines.

    >>> align(
    ...     ["Floods cut off villages – The Guardian", "Also read: more floods", "Kiev said so ."],
    ...     ["Floods cut off villages", "Kyiv said so."],
    ... )
    {0: 'Floods cut off villages', 2: 'Kyiv said so.'}
    """
    rows, cols = len(source), len(target)
    similarity = [[_similarity(s, t) for t in target] for s in source]
    best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            if similarity[i][j] >= MIN_SIMILARITY:
                options.append(similarity[i][j] + best[i + 1][j + 1])
            best[i][j] = max(options)
    matches: dict[int, str] = {}
    i = j = 0
    while i < rows and j < cols:
        score = similarity[i][j]
        if score >= MIN_SIMILARITY and best[i][j] == score + best[i + 1][j + 1]:
            matches[i] = target[j]
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return matches


def _similarity(a: str, b: str) -> float:
    return fuzz.ratio(a, b) / 100.0


def _numbered_lines(text: str) -> list[tuple[int, str]]:
    return [(number, line) for number, line in enumerate(text.split("\n"), 1) if line.strip()]


if __name__ == "__main__":
    for sample in load_samples():
        removed = boilerplate_lines(sample)
        print(f"{sample.id}: {len(removed)} boilerplate lines")
        for label in removed:
            print(f"  {label.number:3d}: {label.text[:100]}")
