import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaner.document import Change, Document, Edit, Flag, Paragraph


def replay(original: str, changes: list[Change]) -> str:
    text = original
    for change in changes:
        text = change.apply_to(text)
    return text


def test_apply_records_only_real_edits_with_replayable_spans():
    doc = Document(id="d", text="Kiev ,today . ok")
    count = doc.apply(
        "mt",
        [Edit(4, 6, ",", "mt.a"), Edit(11, 13, ".", "mt.b"), Edit(14, 16, "ok", "mt.same")],
    )
    assert count == 2
    assert doc.text == "Kiev,today. ok"
    assert [c.rule for c in doc.changes] == ["mt.a", "mt.b"]
    assert replay("Kiev ,today . ok", doc.changes) == doc.text


def test_overlapping_edits_are_a_programming_error():
    doc = Document(id="d", text="abcdef")
    with pytest.raises(ValueError, match="overlapping"):
        doc.apply("x", [Edit(0, 3, "", "x.a"), Edit(2, 4, "", "x.b")])


def test_paragraph_languages_follow_the_text_through_edits():
    text = "Hello there\nBonjour à tous\nAnd more"
    doc = Document(id="d", text=text, lang="en")
    doc.paragraphs = [
        Paragraph(0, 11, "en", 1.0),
        Paragraph(12, 26, "fr", 1.0),
        Paragraph(27, 35, "en", 1.0),
    ]
    doc.apply("boilerplate", [Edit(0, 12, "", "bp.drop")])
    assert doc.text == "Bonjour à tous\nAnd more"
    assert doc.lang_at(0) == "fr"
    assert doc.lang_at(doc.text.index("And")) == "en"
    assert [(p.start, p.end) for p in doc.paragraphs] == [(0, 14), (15, 23)]


def test_lang_at_falls_back_to_the_document_language():
    doc = Document(id="d", text="Short\nA longer English paragraph", lang="en")
    doc.paragraphs = [Paragraph(0, 5, "und", 0.0), Paragraph(6, 31, "de", 0.9)]
    assert doc.lang_at(2) == "en"
    assert doc.lang_at(10) == "de"


def test_replace_text_records_the_smallest_span():
    doc = Document(id="d", text="abc XYZ def")
    doc.replace_text("s", "s.r", "abc xyz def")
    assert doc.changes == [Change("s", "s.r", 4, 7, "XYZ", "xyz")]


def edits_of(text, raw_edits, *, changing_only=True):
    """Sorted, non-overlapping edits of `text` (by default only those that change it), from
    (offset, length, replacement) triples."""
    edits, cursor = [], 0
    for offset, length, replacement in sorted(raw_edits):
        start = max(offset, cursor)
        end = min(start + length, len(text))
        if start > len(text):
            break
        if not changing_only or text[start:end] != replacement:
            edits.append(Edit(start, end, replacement, "r"))
        cursor = end if end > start else start + 1
    return edits


@given(
    st.text(alphabet="ab \n", max_size=40),
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 5), st.text(alphabet="xy\n", max_size=3)),
        max_size=6,
    ),
)
def test_changes_always_replay_to_the_output(text, raw_edits):
    edits = edits_of(text, raw_edits, changing_only=False)  # no-op edits too: apply skips them
    doc = Document(id="d", text=text)
    doc.apply("s", edits)
    assert replay(text, doc.changes) == doc.text


def moved_boundary(position, edits, *, is_end):
    """Where a paragraph boundary lands after `edits`, worked out on its own: shifted by every
    edit that ends at or before it, snapped to the replacement when an edit covers it."""
    shift = 0
    for edit in edits:
        if edit.start > position:
            break
        if position < edit.end:
            return edit.start + shift + (len(edit.replacement) if is_end else 0)
        shift += len(edit.replacement) - (edit.end - edit.start)
    return position + shift


@given(
    st.lists(st.text(alphabet="ab ", min_size=1, max_size=8), min_size=1, max_size=6),
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 6), st.text(alphabet="xy\n", max_size=4)),
        max_size=6,
    ),
)
def test_paragraphs_move_with_the_edits(lines, raw_edits):
    text = "\n".join(lines)
    paragraphs, start = [], 0
    for number, line in enumerate(lines):
        paragraphs.append(Paragraph(start, start + len(line), ("en", "fr")[number % 2], 0.9))
        start += len(line) + 1
    edits = edits_of(text, raw_edits)
    doc = Document(id="d", text=text, paragraphs=list(paragraphs))
    doc.apply("s", edits)
    expected = []
    for paragraph in paragraphs:
        new_start = moved_boundary(paragraph.start, edits, is_end=False)
        new_end = moved_boundary(paragraph.end, edits, is_end=True)
        if new_end > new_start:
            expected.append((new_start, new_end, paragraph.lang))
    assert [(p.start, p.end, p.lang) for p in doc.paragraphs] == expected


def test_flag_spans_follow_the_text_through_later_edits():
    doc = Document(id="d", text="Kiev said. the mayor left.")
    doc.flag("mt", "mt.sentence_break", "period before a lowercase word", start=9, end=10)
    doc.flag("dedup", "dedup.near_duplicate", "whole document")
    doc.apply("spelling", [Edit(0, 4, "Kyiv city", "spelling.place")])
    assert doc.text[doc.flags[0].start : doc.flags[0].end] == "."
    assert (doc.flags[1].start, doc.flags[1].end) == (None, None)
    doc.apply("x", [Edit(14, 18, "", "x.cut")])  # removes ". th": the span is left empty
    assert (doc.flags[0].start, doc.flags[0].end) == (14, 14)


@given(
    st.text(alphabet="ab \n", max_size=30),
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 8)), max_size=4),
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 5), st.text(alphabet="xy", max_size=3)),
        max_size=5,
    ),
)
def test_flags_move_like_paragraph_boundaries(text, spans, raw_edits):
    doc = Document(id="d", text=text)
    for start, length in spans:
        start = min(start, len(text))
        doc.flag("s", "r", "m", start=start, end=min(start + length, len(text)))
    edits = edits_of(text, raw_edits)
    flags = list(doc.flags)
    doc.apply("s", edits)
    assert [(flag.start, flag.end) for flag in doc.flags] == [
        (
            moved_boundary(flag.start, edits, is_end=False),
            moved_boundary(flag.end, edits, is_end=True),
        )
        for flag in flags
    ]


def test_a_flag_as_a_dict_has_every_field_that_is_set_in_field_order():
    flag = Flag("dedup", "dedup.kept", "kept copy", 3, 9, 0.5, {"cluster": "c1", "ids": [1]})
    record = flag.to_dict()
    fields = [field.name for field in dataclasses.fields(Flag)]
    assert list(record) == fields
    assert record == dataclasses.asdict(flag)
    record["data"]["ids"].append(2)  # a copy: the flag itself does not change
    assert flag.data == {"cluster": "c1", "ids": [1]}
    assert Flag("mt", "mt.x", "note").to_dict() == {
        "stage": "mt",
        "rule": "mt.x",
        "message": "note",
    }
