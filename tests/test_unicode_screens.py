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


def _whole_text_stage(config: UnicodeConfig):
    """The unicode stage without any screen or shortcut: every fix searches the whole text,
    ftfy's `fix_text` runs on every line where `SUSPICIOUS` matches, and a round ends by
    searching the whole text for `SUSPICIOUS` again. The stage must make the same changes."""

    def substitution(pattern, rule, replacement):
        def step(text):
            return [
                unicode.Edit(
                    match.start(),
                    match.end(),
                    replacement if isinstance(replacement, str) else replacement(match.group()),
                    rule,
                )
                for match in pattern.finditer(text)
            ]

        return step

    def mojibake(text):
        lines = unicode._line_spans(text, (m.start() for m in unicode.SUSPICIOUS.finditer(text)))
        return [
            unicode.Edit(start, end, ftfy.fix_text(text[start:end], unicode.FTFY_CONFIG), "m")
            for start, end in lines
        ]

    def nfc(text):
        edits, start = [], 0
        for line in text.split("\n"):
            normalized = unicode.unicodedata.normalize("NFC", line)
            if normalized != line:
                edits.append(unicode.Edit(start, start + len(line), normalized, "unicode.nfc"))
            start += len(line) + 1
        return edits

    steps = [substitution(unicode.LINE_BREAKS, "unicode.line_ending", "\n")]
    if config.unescape_html:
        steps.append(substitution(unicode.HTML_ENTITY, "unicode.html_entity", unicode._html_entity))
    steps += [
        substitution(unicode.C0_CONTROLS, "unicode.control_char", ""),
        substitution(unicode.INVISIBLE_CHARS_BUT_MOJIBAKE_BYTES, "unicode.invisible_char", ""),
    ]
    if config.normalize_spaces:
        steps.append(substitution(unicode.ODD_SPACES_BUT_MOJIBAKE_BYTES, "unicode.odd_space", " "))
    if config.fix_mojibake:
        steps.append(mojibake)
    steps += [
        substitution(unicode.C1_CONTROLS, "unicode.control_char", ""),
        substitution(unicode.INVISIBLE_CHARS, "unicode.invisible_char", ""),
    ]
    if config.normalize_spaces:
        steps += [
            substitution(unicode.ODD_SPACES, "unicode.odd_space", " "),
            substitution(unicode.SPACE_RUNS, "unicode.space_run", " "),
        ]
    steps.append(substitution(unicode.TRAILING_SPACES, "unicode.trailing_space", ""))
    if config.strip_leading_spaces:
        steps.append(substitution(unicode.LEADING_SPACES, "unicode.leading_space", ""))
    if config.collapse_blank_lines:
        steps += [
            substitution(unicode.BLANK_LINE_RUNS, "unicode.blank_lines", "\n\n"),
            substitution(unicode.EDGE_BLANK_LINES, "unicode.edge_blank_lines", ""),
        ]
    steps.append(nfc)

    def clean(doc):
        for _ in range(unicode.MAX_ROUNDS):
            mojibake_fixed = changed = 0
            for step in steps:
                edits = [
                    edit._replace(rule="unicode.mojibake") if step is mojibake else edit
                    for edit in step(doc.text)
                ]
                count = doc.apply("unicode", edits) if edits else 0
                changed += count
                if step is mojibake:
                    mojibake_fixed = count
            if not (mojibake_fixed or (changed and unicode.SUSPICIOUS.search(doc.text))):
                break
        return doc

    return clean


CONFIGS = [
    UnicodeConfig(),
    UnicodeConfig(fix_mojibake=False),
    UnicodeConfig(unescape_html=False, strip_leading_spaces=False),
    UnicodeConfig(normalize_spaces=False, collapse_blank_lines=False),
]
# Pieces of lines that exercise every fix and their interplay: entities that decode to line
# breaks, controls, odd spaces and mojibake; invisible characters inside mojibake; spaces
# around line breaks; combining marks that NFC composes into mojibake-looking letters.
PIECES = [
    "&#10;",
    "&#13;",
    "&amp;#8217;",
    "&nbsp;",
    "&#8203;",
    "&#x85;",
    "&#xc3;",
    "&#169;",
    "&am",
    "p;",
    "\u00ad",
    "\u00a0",
    "\u200b",
    "\u2009",
    "\t",
    "\x81",
    "\x92",
    "\x00",
    "\x1b[1m",
    "\r\n",
    "\r",
    "\u2028",
    "\x85",
    "\n",
    "\n\n\n",
    " \n",
    "\n ",
    "  ",
    " ",
    "A\u0302",
    "\u0301",
    "Ã",
    "©",
    "Â",
    "â€™",
    "Ã©",
    "Ð",
    "Р",
    "С",
    "в",
    "ї",
    "є",
    "’",
    "ﬁ",
    "\ufffd",
    "word",
    "Kyiv",
    "é",
    "Київ",
    # mojibake of a zero-width space, a soft hyphen, a thin space and a no-break space
    "â€‹",
    "Â\u00ad",
    "â€‰",
    "Â\u00a0",
]
pieced_text = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)


INTERPLAY = [
    # ftfy decodes a character that a later fix removes, on a line that was printable
    "ok\nthe city\u00e2\u20ac\u2039s mayor\nok\tthen",
    "a\u00c2\u00ad b\nsoft\u00ad hyphen",
    "x\u00e2\u20ac\u2030y \nthin\u2009space\u200b",
    # NFC composes a letter that reads as mojibake: the next round repairs it
    "caf\u00e9\nA\u0302\u00a9 2024",
    "A\u0302\u00a9\nz",
    # removing a C1 control or an invisible character completes a mojibake sequence
    "Ã\x81©  x\nÃ\u200b©",
    "the city\u00e2\u20ac\u00ad\u2122s",
    # an entity decodes to a line break, a control or mojibake
    "a&#10;  b &#13;c&#x85;d\n&#xc3;&#169; and&#8203;e&nbsp;\n",
    "  lead\t\n\n\n\n trail \u00a0\nРџСЂРёРІРµС‚\u00a0\n",
]


@pytest.mark.parametrize("config", CONFIGS, ids=["default", "no-mojibake", "keep-lead", "raw"])
@pytest.mark.parametrize("text", INTERPLAY)
def test_stage_makes_the_changes_of_the_whole_text_search_on_interplay(config, text):
    screened = UnicodeStage(config, shipped_rules_dir())(Document(id="t", text=text))
    reference = _whole_text_stage(config)(Document(id="t", text=text))
    assert screened.text == reference.text
    assert screened.changes == reference.changes


@pytest.mark.parametrize("config", CONFIGS, ids=["default", "no-mojibake", "keep-lead", "raw"])
@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        pieced_text,
        tricky_text,
        mojibake_lines().map(lambda line: line + "\n\n  " + line + " \n"),
        st.text(),
    )
)
def test_stage_makes_the_changes_of_the_whole_text_search(config, text):
    screened = UnicodeStage(config, shipped_rules_dir())(Document(id="t", text=text))
    reference = _whole_text_stage(config)(Document(id="t", text=text))
    assert screened.text == reference.text
    assert screened.changes == reference.changes


# Long stretches of printable text, so that runs of unprintable characters fall on and across
# the boundaries of the blocks `_unprintable_runs` looks at.
blocked_text = st.lists(
    st.sampled_from(
        ["a" * 250, "b" * 127, "\n", " ", "\t", "\u200b" * 3, "\u00a0", "\u00ad", "\x81"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=500)
@given(text=st.one_of(blocked_text, tricky_text, st.text()))
def test_unprintable_runs_are_the_maximal_runs_of_the_whole_text(text):
    expected = tuple(match.span() for match in unicode.UNPRINTABLE_RUNS.finditer(text))
    assert unicode._unprintable_runs(text) == expected


SPACING_ONLY_FIXES = [
    value
    for value in vars(unicode).values()
    if isinstance(value, unicode._Substitution) and value.spacing_only
]


@pytest.mark.parametrize("fix", SPACING_ONLY_FIXES, ids=lambda fix: fix.rule)
@settings(max_examples=300)
@given(text=st.one_of(pieced_text, tricky_text))
def test_spacing_only_fixes_cannot_make_a_mojibake_trace(fix, text):
    # The stage skips its final search for mojibake after such changes.
    if unicode.SUSPICIOUS.search(text):
        return
    doc = Document(id="t", text=text)
    doc.apply("unicode", fix(text))
    assert not unicode.SUSPICIOUS.search(doc.text)
