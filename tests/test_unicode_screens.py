"""The unicode stage's fast screens only decide where its regexes look, never what they find:
each screened fix must give exactly the edits of the same regex run over the whole text."""

import dataclasses
import sys

import ftfy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.document import Document
from cleaner.rules import shipped_rules_dir
from cleaner.stages import unicode
from cleaner.stages.unicode import UnicodeConfig, UnicodeStage

SCREENED_FIXES = [
    value
    for value in vars(unicode).values()
    if isinstance(value, unicode._Substitution) and value.screen is not None
]
TRICKY = (
    "a b\n\n\r\t&#;amp1x  Ã©Â€’“Ã\u00a0\u00ad\u200b\u200d\u2009\u2028\u2029\u0085\x00\x07\x1b"
    "\x81\x9dРСвіїєЂђ–\u0301e\ufffdﬁ\ufeff\u3000\ud800 "
)
tricky_text = st.text(alphabet=st.sampled_from(TRICKY), max_size=60)


@pytest.mark.parametrize("fix", SCREENED_FIXES, ids=lambda fix: fix.rule)
@settings(max_examples=300)
@given(text=st.one_of(tricky_text, st.text()))
def test_screened_fix_finds_what_the_whole_text_search_finds(fix, text):
    unscreened = dataclasses.replace(fix, screen=None)
    assert list(fix(text)) == list(unscreened(text))


@settings(max_examples=500)
@given(text=st.one_of(tricky_text, st.text()))
def test_suspicious_lines_are_the_lines_with_a_suspicious_match(text):
    expected = list(
        unicode._line_spans(text, (m.start() for m in unicode.SUSPICIOUS.finditer(text)))
    )
    assert list(unicode._suspicious_lines(text)) == expected


@pytest.mark.parametrize("pattern", ["C0_CONTROLS", "C1_CONTROLS", "INVISIBLE_CHARS", "ODD_SPACES"])
def test_characters_behind_the_printable_screen_are_all_unprintable(pattern):
    regex = getattr(unicode, pattern)
    printable = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if regex.match(chr(code)) and chr(code).isprintable()
    ]
    assert printable == []


UKRAINIAN = "Мер Києва Віталій Кличко заявив, що вибухи чули у Вінниці — «вільний» і сильний."
STAGE = UnicodeStage(UnicodeConfig(), shipped_rules_dir())


@pytest.mark.parametrize(
    "text_in, text_out",
    [
        # everyday Ukrainian "ві", "Сі" is not mistaken for Windows-1251 mojibake
        ("Січень, вік, півень, Вінниця, рівень", "Січень, вік, півень, Вінниця, рівень"),
        # while real Windows-1251 mojibake still is repaired
        ("Херсон".encode().decode("cp1251"), "Херсон"),
        ("Сімферополь".encode().decode("cp1251"), "Сімферополь"),
        (UKRAINIAN.encode().decode("cp1251"), UKRAINIAN),
        ("Січень і вік. " + "Киев".encode().decode("cp1251"), "Січень і вік. Киев"),
    ],
)
def test_cyrillic_screen(text_in, text_out):
    assert STAGE(Document(id="t", text=text_in)).text == text_out


def test_ukrainian_lines_are_not_sent_to_ftfy():
    assert list(unicode._suspicious_lines("Вінниця і Січеслав, вівторок\nвік")) == []


WORDS = st.text(
    alphabet=st.sampled_from(
        list("aeo nrt,.’“”—…àéèüößçñłąžšćÉÜØÆ€£©°½") + list("авгдеиклмнопрстуыэюяёіїєґАВКМСЖЩЪ")
    ),
    max_size=40,
)
# Clean text that cannot read as mojibake itself: no Latin-1 letters ("Æ£" is "ƣ" read as
# Windows-1252), and a character that Windows-1250, 1251 or 1252 puts in the range of UTF-8
# continuation bytes (’ “ — ł ą ё ї ...) never right after one they put in the range of lead
# bytes (ć, Cyrillic letters): "ć“ą" is "擹" read as Windows-1250, "С—" is "ї" read as
# Windows-1251.
CLEAN_WORDS = st.lists(
    st.one_of(
        st.sampled_from(list("aeo nrt,.ć") + list("авгдеиклмнопрстуыэюяАВКМСЖЩЪ")),
        st.tuples(st.sampled_from(list("aeo nrt,.")), st.sampled_from(list("’“”—…łąžšёіїєґ"))).map(
            "".join
        ),
    ),
    max_size=30,
).map("".join)
CYRILLIC_WORDS = st.text(
    alphabet=st.sampled_from(list(" ,.’“”—…") + list("авгдеиклмнопрстуыэюяёіїєґАВКМСЖЩЪ")),
    max_size=40,
)
ENCODINGS = ["sloppy-windows-1252", "latin-1", "sloppy-windows-1251", "macroman", "cp437"]


@st.composite
def mojibake_lines(draw, words=WORDS, encodings=ENCODINGS, decodings=(0, 2)):
    """Lines of text decoded with the wrong code page (up to twice, its no-break spaces maybe
    turned into spaces) and clean text, with the odd C1 control, ligature, replacement
    character or terminal escape."""
    pieces = []
    for text in draw(st.lists(words, min_size=1, max_size=4)):
        for _ in range(draw(st.integers(*decodings))):
            text = text.encode("utf-8").decode(draw(st.sampled_from(encodings)), "replace")
            if draw(st.booleans()):
                text = text.replace("\u00a0", " ")
        pieces.append(text)
        pieces.append(draw(st.sampled_from(["", " ", "\x85", "\x92", "ﬁ", "\ufffd", "\x1b[1m"])))
    return "".join(pieces)


@settings(max_examples=1000)
@given(line=mojibake_lines())
def test_fix_text_shortcut_gives_what_ftfy_fix_text_gives(line):
    assert unicode._fix_text(line) == ftfy.fix_text(line, unicode.FTFY_CONFIG)


@settings(max_examples=300)
@given(
    lines=st.lists(
        st.one_of(
            CLEAN_WORDS.map(lambda text: (text, False)),
            st.one_of(
                mojibake_lines(WORDS, ["sloppy-windows-1252", "latin-1"], decodings=(1, 1)),
                mojibake_lines(CYRILLIC_WORDS, ["sloppy-windows-1251"], decodings=(1, 1)),
            ).map(lambda text: (text, True)),
        ),
        max_size=5,
    )
)
def test_mojibake_lines_are_fixed_as_ftfy_fixes_them_and_clean_lines_kept(lines):
    # The screen looks for traces of UTF-8 decoded once as latin-1 or Windows-1252, and of
    # Cyrillic decoded as Windows-1251: such lines get ftfy's repair; clean lines stay as they
    # are. Not flagged (ftfy would repair them): Latin-1 symbols and letters through
    # Windows-1251 ("«»" as "В«В»", "é" as "Г©"), mojibake of mojibake ("£" through
    # Windows-1252 then Windows-1251 is "Г‚ВЈ").
    text = "\n".join(line for line, _ in lines)
    doc = Document(id="t", text=text)
    doc.apply("unicode", unicode._mojibake(text))
    expected = [ftfy.fix_text(line, unicode.FTFY_CONFIG) if bad else line for line, bad in lines]
    assert doc.text.split("\n") == (expected or [""])
