import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaner.document import Document
from cleaner.rules import load_stage_rules, shipped_rules_dir
from cleaner.stages.unicode import UnicodeConfig, UnicodeStage

STAGE = UnicodeStage(UnicodeConfig(), shipped_rules_dir())
EXAMPLES = [
    pytest.param(example["text"], example["expected"], id=f"{entry.id}-{number}")
    for entry in load_stage_rules(shipped_rules_dir(), "unicode")
    for number, example in enumerate(entry.fields["examples"])
]


def clean(text: str) -> Document:
    return STAGE(Document(id="t", text=text))


@pytest.mark.parametrize("text_in, text_out", EXAMPLES)
def test_rule_file_examples(text_in, text_out):
    assert clean(text_in).text == text_out


@pytest.mark.parametrize(
    "text_in, text_out",
    [
        ("Russiaâ€™s Belgorod region", "Russia’s Belgorod region"),
        ("Listen to LoÃ¯c TassÃ© :", "Listen to Loïc Tassé :"),
        ("Line one  \r\n\r\n\r\n\r\n  • Also read: x", "Line one\n\n• Also read: x"),
        ("a\u00a0b\u2009c", "a b c"),
        # must not change: text that is already right
        ("“Shahed” drones — 17 in May… Zaporizhzhia", "“Shahed” drones — 17 in May… Zaporizhzhia"),
        (
            "Ærø, Øresund, São Paulo, Łódź, İstanbul, Ñuñoa",
            "Ærø, Øresund, São Paulo, Łódź, İstanbul, Ñuñoa",
        ),
        ("«Bonjour», dit-il. „Guten Tag“, sagte er.", "«Bonjour», dit-il. „Guten Tag“, sagte er."),
        ("Москва и Київ; القدس", "Москва и Київ; القدس"),
        ("5 €, 10 £, naïve café façade", "5 €, 10 £, naïve café façade"),
        ("1\n2\n\n3", "1\n2\n\n3"),
        # residue that hides mojibake is removed before ftfy looks at the line
        ("Â\x00€ and Â\u200b€ and Â\t€", "€ and € and €"),
        ("Caf&#195;&#169; &amp;amp; &amp;#8217;", "Café & ’"),
        # mojibake that decodes to characters an earlier step handles
        ("zero\u00e2\u20ac\u2039width", "zerowidth"),
        ("\x9d\u00c2\u20ac", "€"),
        # soft hyphen and no-break space are bytes of Windows-1251 mojibake
        ("Эти слова".encode().decode("cp1251"), "Эти слова"),
        ("Ã\u00a0 la une", "à la une"),
    ],
)
def test_text_in_text_out(text_in, text_out):
    assert clean(text_in).text == text_out


def test_each_fix_is_recorded_with_its_rule():
    doc = clean("Russiaâ€™s\u200b  region \r\n")
    assert {change.rule for change in doc.changes} == {
        "unicode.line_ending",
        "unicode.mojibake",
        "unicode.invisible_char",
        "unicode.space_run",
        "unicode.trailing_space",
        "unicode.edge_blank_lines",
    }


def test_clean_text_needs_no_change_records():
    doc = clean("Already clean text.\n\nSecond paragraph.")
    assert doc.changes == []


def test_options_switch_fixes_off():
    stage = UnicodeStage(UnicodeConfig(fix_mojibake=False), shipped_rules_dir())
    assert stage(Document(id="t", text="cityâ€™s")).text == "cityâ€™s"


@given(st.text())
def test_idempotent_and_never_raises(text):
    once = clean(text).text
    assert clean(once).text == once
