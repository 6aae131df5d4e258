"""The mt stage's fast paths only decide where its regexes look, never what they find: the
Aho-Corasick automaton and the `str.find` loops must locate every place the whole-text regex
scans would match, and the stage's view of which text is English must be `Document.lang_at`'s."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.document import UNDETERMINED, Document, Edit, Paragraph
from cleaner.rules import shipped_rules_dir
from cleaner.stages import mt
from cleaner.stages.mt import MtConfig, MtStage

STAGE = MtStage(MtConfig(), shipped_rules_dir())
NAMES = next(fix for fix in STAGE.fixes if isinstance(fix, mt.LowercaseNames))
PHRASES = next(fix for fix in STAGE.fixes if isinstance(fix, mt.PhraseRules))

# Names and triggers cut and glued to each other and to the characters that may come before
# a word (or that must not come after a name), with non-ASCII letters and a lone surrogate so
# that positions in characters and in UTF-8 bytes differ.
PIECES = (
    sorted(NAMES.literals.words)[:40]
    + ["kyiv", "kyivindependent", "kryvyi rih", "since", "Since", "SINCE", "the ukraine"]
    + ["shrapper", "novel", "per cent", "%", "mio.", "in the frame of", "the occupant"]
    + list(" \n(“”\"'«.:/@#-_1aéï\u212a\ud800")
    + ["kyï", "иї", "😀"]
)
glued = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
cut = st.lists(st.sampled_from(PIECES), max_size=30).map(lambda parts: "".join(parts)[1:-1])
texts = st.one_of(glued, cut, st.text(max_size=80))


def _spans(matches):
    return [(m.span(), m.group(1)) for m in matches]


@settings(max_examples=400)
@given(text=texts)
def test_names_are_found_where_the_regex_scans_find_them(text):
    fast = mt._word_starts(NAMES.literals, NAMES.scans, text)
    assert [_spans(found) for found in fast] == [_spans(s.finditer(text)) for s in NAMES.scans]


@settings(max_examples=400)
@given(text=texts)
def test_triggers_are_found_where_the_regex_scans_find_them(text):
    fast = mt._word_starts(PHRASES.literals, PHRASES.trigger_scans, text)
    exhaustive = [_spans(scan.finditer(text)) for scan in PHRASES.trigger_scans]
    assert [_spans(found) for found in fast] == exhaustive


@settings(max_examples=400)
@given(words=st.lists(st.sampled_from(PIECES[-30:]), min_size=1, unique=True), text=texts)
def test_literals_find_every_occurrence_in_characters(words, text):
    words = [word for word in words if word]
    expected = sorted(
        (start, index)
        for index, word in enumerate(words)
        for start in range(len(text))
        if text.startswith(word, start)
    )
    assert mt.Literals(words).find(text) == [(index, start) for start, index in expected]


@settings(max_examples=300)
@given(text=texts, candidates=st.lists(st.integers(0, 90)))
def test_finditer_at_a_superset_of_the_match_starts_is_finditer(text, candidates):
    pattern = NAMES.scans[0]
    starts = {m.start() for m in pattern.finditer(text)}
    everywhere = sorted(starts | {c for c in candidates if c <= len(text)})
    assert _spans(mt._finditer_at(pattern, text, everywhere)) == _spans(pattern.finditer(text))


@settings(max_examples=300)
@given(text=texts)
def test_positions_are_those_of_a_character_class(text):
    for chars in (mt.DIAERESIS_LETTERS, mt.QUOTE_MARKS):
        expected = [m.start() for m in re.finditer(f"[{re.escape(chars)}]", text)]
        assert mt._positions(text, chars) == expected


LANGS = st.sampled_from(["en", "fr", UNDETERMINED])


@st.composite
def documents(draw):
    text = draw(st.text(alphabet="ab \n", max_size=40))
    bounds = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    paragraphs = [
        Paragraph(start, end, draw(LANGS), 1.0)
        for start, end in zip(bounds[::2], bounds[1::2], strict=False)
        if end > start
    ]
    return Document(id="d", text=text, lang=draw(LANGS), paragraphs=paragraphs)


@settings(max_examples=300)
@given(doc=documents())
def test_scope_is_lang_at(doc):
    scope = mt.Scope(doc, "en")
    assert [scope(p) for p in range(len(doc.text) + 1)] == [
        doc.lang_at(p) == "en" for p in range(len(doc.text) + 1)
    ]


@settings(max_examples=300)
@given(doc=documents(), cuts=st.lists(st.integers(0, 40), max_size=6, unique=True))
def test_a_text_wholly_in_the_language_stays_so_after_edits(doc, cuts):
    """The stage does not rebuild its scope after edits to a text wholly in the language."""
    if not mt.Scope(doc, "en").everywhere:
        return
    points = sorted(c for c in cuts if c <= len(doc.text))
    doc.apply("mt", [Edit(a, b, "x", "t") for a, b in zip(points[::2], points[1::2], strict=False)])
    assert mt.Scope(doc, "en").everywhere


ARTIFACTS = st.sampled_from(
    PIECES
    + list(' .,:;!?“”"’)\n\nïëaA')
    + ["the the ", "The the ", "Mr. ", ". on ", " .", " ,", "“ ", " ”", "Andreï ", "Hawaï "]
    + ["It rained all day. ", "It rained all day? ", "It rained all day.” ", "a a a "]
)


@st.composite
def foreign_documents(draw):
    """A document in French with some lines in English (or undetermined)."""
    text = draw(st.lists(ARTIFACTS, max_size=40).map("".join))
    paragraphs, start = [], 0
    for line in text.split("\n"):
        if line.strip():
            paragraphs.append(Paragraph(start, start + len(line), draw(LANGS), 1.0))
        start += len(line) + 1
    return Document(id="d", text=text, lang="fr", paragraphs=paragraphs)


@settings(max_examples=500)
@given(doc=foreign_documents())
def test_a_fix_that_may_not_find_anything_in_the_english_lines_finds_nothing(doc):
    scope = mt.Scope(doc, "en")
    lines = scope.screen_text(doc.text)
    if lines is None:
        return
    for fix in STAGE.fixes:
        if not fix.may_find(lines):
            assert list(fix(doc.text, scope)) == [], type(fix).__name__


REPEATS = next(fix for fix in STAGE.fixes if isinstance(fix, mt.RepeatedSentences))
SENTENCE = st.builds(
    "".join,
    st.tuples(
        st.sampled_from(
            ["The mayor spoke to the crowd", "Why", "He said Mr", "Then the U.S", "Ok"]
        ),
        st.sampled_from([".", "?", "!", "", ":"]),
        st.sampled_from(["", '"', "”", "’", ")"]),
    ),
)


@st.composite
def lines_with_repeats(draw):
    """Sentences (with marks, closing quotes and brackets), one run of them repeated in place."""
    sentences = draw(st.lists(SENTENCE, min_size=1, max_size=8))
    start = draw(st.integers(0, len(sentences) - 1))
    size = draw(st.integers(1, 3))
    run = sentences[start : start + size]
    return " ".join(sentences[: start + size] + run + sentences[start + size :])


@settings(max_examples=1000)
@given(st.lists(lines_with_repeats(), min_size=1, max_size=3).map("\n".join))
def test_the_repeated_sentence_screen_passes_every_line_with_a_repeat(text):
    start = 0
    for line in text.split("\n"):
        if list(REPEATS._repeats(line, start)):
            assert any(piece in line for piece in mt._repeated_pieces(text))
            assert REPEATS.may_find(line)
        start += len(line) + 1


def test_a_repeat_after_a_question_is_found():
    text = "Why? The mayor spoke to the crowd. The mayor spoke to the crowd."
    assert [finding.rule for finding in REPEATS(text, mt.Scope(Document("d", text, "en"), "en"))]
