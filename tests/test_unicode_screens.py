"""The unicode stage's fast screens only decide where its regexes look, never what they find:
each screened fix must give exactly the edits of the same regex run over the whole text."""

import dataclasses
import sys

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
