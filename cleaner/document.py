"""The one document type that flows through every stage, and the record of what was changed.

A stage never assigns `doc.text` directly: it proposes `Edit`s (spans of the current text and
their replacements) and calls `Document.apply`, which rewrites the text, records one `Change` per
real edit and keeps the paragraph languages and the flags' spans aligned with the new text. That
single path is what makes every edit explainable and replayable.
"""

from __future__ import annotations

import bisect
import copy
import dataclasses
import itertools
import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

UNDETERMINED = "und"


class Edit(NamedTuple):
    """A proposed replacement of `text[start:end]`, in the coordinates of the text it is applied to."""

    start: int
    end: int
    replacement: str
    rule: str
    confidence: float | None = None


# The sort key of edits: (start, end).
SPAN = operator.itemgetter(0, 1)
# Where a paragraph starts: `lang_at` bisects the paragraphs by it, without a list of starts.
PARAGRAPH_START = operator.attrgetter("start")


class Change(NamedTuple):
    """One edit a stage made (a named tuple: stages make many, and a frozen dataclass costs
    four times as much to create). `start:end` is the span of `before` in the text as it was just
    before this change, so applying the changes in order replays the cleaning:

    >>> text = "Kiev ,today"
    >>> for c in [Change("mt", "mt.space", 4, 6, " ,", ","), Change("mt", "mt.x", 5, 5, "", " ")]:
    ...     text = c.apply_to(text)
    >>> text
    'Kiev, today'
    """

    stage: str
    rule: str
    start: int
    end: int
    before: str
    after: str
    confidence: float | None = None

    def apply_to(self, text: str) -> str:
        if text[self.start : self.end] != self.before:
            raise ValueError(f"change {self.rule} does not apply at {self.start}:{self.end}")
        return text[: self.start] + self.after + text[self.end :]

    def to_dict(self) -> dict[str, Any]:
        record = self._asdict()
        if self.confidence is None:
            del record["confidence"]
        return record


@dataclass(frozen=True, slots=True)
class Flag:
    """Something a stage noticed but did not change (a judgement too uncertain to act on, a
    near-duplicate cluster, ...). `data` carries machine-readable details."""

    stage: str
    rule: str
    message: str
    start: int | None = None
    end: int | None = None
    confidence: float | None = None
    data: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        record = {"stage": self.stage, "rule": self.rule, "message": self.message}
        for key in ("start", "end", "confidence"):
            value = getattr(self, key)
            if value is not None:
                record[key] = value
        if self.data is not None:
            record["data"] = copy.deepcopy(self.data)
        return record


@dataclass(slots=True)
class Paragraph:
    """The language of one paragraph (a non-empty line), as found by the langid stage."""

    start: int
    end: int
    lang: str
    confidence: float


@dataclass
class Document:
    """A document: identity, text, language, the input's other fields, and what cleaning did."""

    id: str
    text: str
    lang: str = UNDETERMINED
    lang_confidence: float = 0.0
    metadata: dict[str, Any] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)

    def apply(self, stage: str, edits: Iterable[Edit]) -> int:
        """Apply non-overlapping edits (spans of the current text), record a `Change` for each
        one that really changes something, and return how many did."""
        text = self.text
        real = [e for e in sorted(edits, key=SPAN) if text[e.start : e.end] != e.replacement]
        if not real:
            return 0
        pieces: list[str] = []
        cursor = 0
        shift = 0
        for edit in real:
            if edit.start < cursor:
                raise ValueError(f"overlapping edits in stage {stage!r}: {edit.rule}")
            before = text[edit.start : edit.end]
            pieces.append(text[cursor : edit.start])
            pieces.append(edit.replacement)
            self.changes.append(
                Change(
                    stage,
                    edit.rule,
                    edit.start + shift,
                    edit.end + shift,
                    before,
                    edit.replacement,
                    edit.confidence,
                )
            )
            shift += len(edit.replacement) - (edit.end - edit.start)
            cursor = edit.end
        pieces.append(text[cursor:])
        self.text = "".join(pieces)
        self._remap_paragraphs(real)
        if self.flags:
            self._remap_flags(real)
        return len(real)

    def replace_text(self, stage: str, rule: str, new_text: str) -> int:
        """Replace the whole text, recording the smallest differing span as one change."""
        old = self.text
        if new_text == old:
            return 0
        prefix = 0
        limit = min(len(old), len(new_text))
        while prefix < limit and old[prefix] == new_text[prefix]:
            prefix += 1
        suffix = 0
        while (
            suffix < limit - prefix
            and old[len(old) - 1 - suffix] == new_text[len(new_text) - 1 - suffix]
        ):
            suffix += 1
        return self.apply(
            stage,
            [Edit(prefix, len(old) - suffix, new_text[prefix : len(new_text) - suffix], rule)],
        )

    def flag(self, stage: str, rule: str, message: str, **details: Any) -> None:
        self.flags.append(Flag(stage, rule, message, **details))

    def lang_at(self, position: int) -> str:
        """Language of the paragraph holding `position`; the document's language where the
        paragraph's own could not be determined."""
        index = bisect.bisect_right(self.paragraphs, position, key=PARAGRAPH_START) - 1
        if index >= 0:
            paragraph = self.paragraphs[index]
            if paragraph.start <= position < paragraph.end and paragraph.lang != UNDETERMINED:
                return paragraph.lang
        return self.lang

    def lines(self) -> Iterator[tuple[int, int, str]]:
        """Yield `(start, end, line)` for every line of the text, newline excluded."""
        start = 0
        text = self.text
        while start <= len(text):
            end = text.find("\n", start)
            if end == -1:
                end = len(text)
            yield start, end, text[start:end]
            start = end + 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "lang": self.lang,
            "lang_confidence": round(self.lang_confidence, 4),
            "changes": [change.to_dict() for change in self.changes],
            "flags": [flag.to_dict() for flag in self.flags],
            "paragraphs": [
                {
                    "start": p.start,
                    "end": p.end,
                    "lang": p.lang,
                    "confidence": round(p.confidence, 4),
                }
                for p in self.paragraphs
            ],
        }

    def _remap_paragraphs(self, edits: list[Edit]) -> None:
        """Move paragraph boundaries as `_mover` moves positions, in one walk over the edits
        (boundaries come in text order; stages call this on every document, so it does not
        search the edits per boundary)."""
        paragraphs = self.paragraphs
        if not paragraphs:
            return
        # Paragraphs that end before the first edit do not move.
        unmoved = 0
        first_start = edits[0].start
        while unmoved < len(paragraphs) and paragraphs[unmoved].end < first_start:
            unmoved += 1
        remapped = paragraphs[:unmoved]
        count = len(edits)
        following = 0  # edits[:following] start at or before the boundary
        shift = 0  # total length change of edits[:following - 1]
        last_shift = 0  # ... and of edits[:following]
        for paragraph in paragraphs[unmoved:]:
            while following < count and edits[following].start <= paragraph.start:
                edit = edits[following]
                shift = last_shift
                last_shift += len(edit.replacement) - (edit.end - edit.start)
                following += 1
            if (following == count or paragraph.end < edits[following].start) and (
                not following or paragraph.start >= edits[following - 1].end
            ):
                # No edit touches the paragraph: it moves by the length changes before it.
                if paragraph.end > paragraph.start:
                    remapped.append(
                        Paragraph(
                            paragraph.start + last_shift,
                            paragraph.end + last_shift,
                            paragraph.lang,
                            paragraph.confidence,
                        )
                        if last_shift
                        else paragraph
                    )
                continue
            moved = []
            for position, is_end in ((paragraph.start, False), (paragraph.end, True)):
                while following < count and edits[following].start <= position:
                    edit = edits[following]
                    shift = last_shift
                    last_shift += len(edit.replacement) - (edit.end - edit.start)
                    following += 1
                if not following:
                    moved.append(position)
                    continue
                edit = edits[following - 1]
                if position >= edit.end:
                    moved.append(position + last_shift)
                elif is_end:
                    moved.append(edit.start + shift + len(edit.replacement))
                else:
                    moved.append(edit.start + shift)
            start, end = moved
            if end > start:
                remapped.append(Paragraph(start, end, paragraph.lang, paragraph.confidence))
        self.paragraphs = remapped

    def _remap_flags(self, edits: list[Edit]) -> None:
        """Keep every flag's span on the text it was raised about (an edit that removes the
        span leaves it empty, where the text was)."""
        moved = _mover(edits)
        self.flags = [
            flag
            if flag.start is None or flag.end is None
            else dataclasses.replace(
                flag, start=moved(flag.start, False), end=moved(flag.end, True)
            )
            for flag in self.flags
        ]


def line_starts(lines: list[str]) -> list[int]:
    """Where each of `lines` (a text split at its line breaks) starts in the text, and one past
    the end of the last: the lengths of the lines before it plus one line break for each.

    >>> line_starts("ab\\n\\nc".split("\\n"))
    [0, 3, 4, 6]
    """
    return list(
        map(operator.add, itertools.accumulate(map(len, lines), initial=0), itertools.count())
    )


def _mover(edits: list[Edit]) -> Callable[[int, bool], int]:
    """Where a position of the text lands after `edits` (sorted, non-overlapping): shifted by
    the length changes of the edits before it; inside a replaced span, snapped to the side of
    the replacement it belongs to (a start to its start, an end to its end)."""
    starts = [edit.start for edit in edits]
    shifts = list(
        itertools.accumulate(
            (len(edit.replacement) - (edit.end - edit.start) for edit in edits), initial=0
        )
    )

    def moved(position: int, is_end: bool) -> int:
        following = bisect.bisect_right(starts, position)
        if not following:
            return position
        edit = edits[following - 1]
        if position >= edit.end:
            return position + shifts[following]
        return edit.start + shifts[following - 1] + (len(edit.replacement) if is_end else 0)

    return moved
