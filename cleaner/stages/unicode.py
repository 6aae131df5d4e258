"""Stage `unicode`: repair mojibake and odd characters, normalize whitespace and line structure.

Text that is already right is never changed: curly quotes, dashes, ellipses and accented
letters stay as written. ftfy runs only on lines that a cheap screen finds suspicious, because
`ftfy.fix_text` (and its own badness check) costs about as much as the rest of the pipeline.
Every fix is recorded under its rule id; the ids, descriptions and examples are in
`rules/unicode/normalize.yaml`.

Speed: a regex character class scans Python text at about 50 MB/s, so each fix first asks a
question that CPython answers at hundreds of MB/s or more (`"\r" in text`, `str.isprintable`,
a byte-level search of the UTF-8 encoding) and runs its regex only where it can match: the runs
of spaces, of line breaks, of unprintable characters, the lines with an entity or a trace of
mojibake. What a round has learnt is kept while it stays true: the runs of unprintable
characters are found once and followed through the fixes that change only them (and ftfy's
repaired lines), and after ftfy found nothing, new traces of mojibake are looked for only
beside the later changes that could make one. The screens never decide anything: where they look, the same regexes
run as before (tests/test_unicode_screens.py checks the stage against a whole-text search).
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import ftfy

from cleaner.config import StageConfig
from cleaner.document import Document, Edit, line_starts

# Why each ftfy option is set the way it is:
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # entities are handled by our own `unicode.html_entity` rule
    remove_terminal_escapes=True,  # ANSI colour codes are never content
    fix_encoding=True,  # the point: UTF-8 read as Windows-1252/Latin-1 and similar
    restore_byte_a0=True,  # mojibake whose U+00A0 byte was turned into a space
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,  # mojibake mixed with correct text on one line
    fix_c1_controls=True,  # C1 controls are Windows-1252 punctuation decoded as Latin-1
    fix_latin_ligatures=True,  # "ﬁ" is a PDF presentation form, never a spelling
    fix_character_width=False,  # full-width forms are correct in CJK text
    uncurl_quotes=False,  # curly quotes are right; straightening them would change good text
    fix_line_breaks=False,  # our `unicode.line_ending` rule does this, recorded separately
    fix_surrogates=True,
    remove_control_chars=False,  # our `unicode.control_char` rule does this, recorded separately
    normalization=None,  # NFC is our `unicode.nfc` rule, recorded separately
    explain=False,
)
# The fixes `ftfy.fix_text` applies after `fix_encoding`, in its order (ftfy/__init__.py,
# `fix_and_explain`), as FTFY_CONFIG selects them.
FTFY_FIXES_AFTER_ENCODING = tuple(
    ftfy.FIXERS[name]
    for name in (
        "fix_c1_controls",
        "fix_latin_ligatures",
        "fix_character_width",
        "uncurl_quotes",
        "fix_line_breaks",
        "fix_surrogates",
        "remove_terminal_escapes",
        "remove_control_chars",
    )
    if getattr(FTFY_CONFIG, name)
)

_CP1252_HIGH = "\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d"
_CP1252_HIGH += (
    "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
)
# A line is handed to ftfy only if it shows a trace of mojibake: a UTF-8 lead byte read as
# Latin-1/Windows-1252 followed by a continuation byte read the same way, a UTF-8 lead read as
# Windows-1251 (Р/С/в) followed by a continuation, C1 controls, ligatures, lone surrogates,
# terminal escapes or the replacement character. After С and в, the continuations read as
# є ѕ і ї ј are left out: they would stand for archaic Cyrillic (U+047x) or CJK radicals, while
# "ві", "Сі" are everyday Ukrainian ("вік", "Січень") and sent most Ukrainian lines to ftfy.
_CP1251_CONTINUATION = "\u0080-\u00bf\u0402-\u040f\u2010-\u203a\u2116\u20ac"
SUSPICIOUS = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf" + _CP1252_HIGH + "]"
    "|[\u00c2\u00c3][ ]"
    "|\u0420[" + _CP1251_CONTINUATION + "\u0452-\u045f]"
    "|[\u0421\u0432][" + _CP1251_CONTINUATION + "\u0452\u0453\u0459-\u045f]"
    "|[\u0080-\u009f\ufb00-\ufb06\ud800-\udfff\x1b\ufffd]"
)
LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\u0085]")
# `&amp;` chains are double-escaped entities ("&amp;#8217;"): one match, decoded to the end.
HTML_ENTITY = re.compile(
    r"&(?:amp;)*(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)
MAX_ROUNDS = 3
C0_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")
C1_CONTROLS = re.compile("[\x80-\x9f]+")
# Zero-width joiners (U+200C, U+200D) are spelling in Persian, Indic scripts and emoji: kept.
INVISIBLE_CHARS = re.compile(
    "[\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]+"
)
ODD_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# A soft hyphen (0xAD) and a no-break space (0xA0) are also bytes of Windows-1251 and
# Latin-1 mojibake ("Эти" read as Windows-1251 is "Р\u00adС‚Рё"): before ftfy they stay.
INVISIBLE_CHARS_BUT_MOJIBAKE_BYTES = re.compile(
    "[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]+"
)
ODD_SPACES_BUT_MOJIBAKE_BYTES = re.compile("[\t\u1680\u2000-\u200a\u202f\u205f\u3000]+")
SPACES = re.compile(" +")
# Blocks of text `_unprintable_runs` asks `str.isprintable` about: about two lines of news.
UNPRINTABLE_BLOCK = 256
LINE_BREAK_RUN = re.compile("\n+")
# Runs of every character a fix of unprintable characters removes or replaces.
UNPRINTABLE_RUNS = re.compile(
    "["
    + "".join(
        pattern.pattern[1:-2] for pattern in (C0_CONTROLS, C1_CONTROLS, INVISIBLE_CHARS, ODD_SPACES)
    )
    + "]+"
)
SPACE_RUNS = re.compile("(?<=\\S)  +(?=\\S)")
TRAILING_SPACES = re.compile(" +$", re.MULTILINE)
LEADING_SPACES = re.compile("^ +", re.MULTILINE)
BLANK_LINE_RUNS = re.compile("\n(?: *\n){2,}")
EDGE_BLANK_LINES = re.compile(r"\A\n+|\n+\Z")
LINE_BREAK_CHARS = ("\r", "\u2028", "\u2029", "\u0085")
# The UTF-8 form of every `SUSPICIOUS` match contains one of these byte patterns (they mirror
# its branches, by the lead bytes of the characters involved). Each starts with a literal byte,
# so `re` finds it with a fast scan (hundreds of MB/s, against about 35 for the `str` regex),
# and a pattern whose first byte is absent (`in`, several GB/s) is not searched at all. Lone
# surrogates are encoded with `surrogatepass`.
SUSPICIOUS_UTF8 = tuple(
    (lead, re.compile(re.escape(lead) + rest))
    for lead, rest in (
        (b"\xc3", rb"(?:[\x82-\xb4][\xc2\xc5\xc6\xcb\xe2]|[\x82\x83] )"),
        (
            b"\xd0",
            rb"(?:\xa0(?:\xc2|\xd0[\x82-\x8f]|\xd1[\x92-\x9f]|\xe2)"
            rb"|[\xa1\xb2](?:\xc2|\xd0[\x82-\x8f]|\xd1[\x92\x93\x99-\x9f]|\xe2))",
        ),
        (b"\xc2", rb"[\x80-\x9f]"),
        (b"\xef", rb"(?:\xac[\x80-\x86]|\xbf\xbd)"),
        (b"\xed", rb"[\xa0-\xbf]"),
        (b"\x1b", b""),
    )
)


@dataclasses.dataclass(frozen=True)
class UnicodeConfig(StageConfig):
    """Options of the unicode stage (all on by default)."""

    fix_mojibake: bool = True
    unescape_html: bool = True
    normalize_spaces: bool = True
    strip_leading_spaces: bool = True
    collapse_blank_lines: bool = True


class UnicodeStage:
    name = "unicode"
    Config = UnicodeConfig

    def __init__(self, config: UnicodeConfig, rules_dir: Path) -> None:
        self.config = config
        # Order matters: entities, stray controls, invisible characters and odd spaces can hide
        # mojibake ("Ã&#8203;©", "Â\t€"), so they go before ftfy, except those that are
        # themselves mojibake bytes (C1 controls, soft hyphen, no-break space), removed after.
        steps: list[Callable[[str], Iterator[Edit]]] = [_line_endings]
        if config.unescape_html:
            steps.append(_html_entities)
        steps += [_c0_controls, _invisible_chars_but_mojibake_bytes]
        if config.normalize_spaces:
            steps.append(_odd_spaces_but_mojibake_bytes)
        if config.fix_mojibake:
            steps.append(_mojibake)
        steps += [_c1_controls, _invisible_chars]
        if config.normalize_spaces:
            steps += [_odd_spaces, _space_runs]
        steps.append(_trailing_spaces)
        if config.strip_leading_spaces:
            steps.append(_leading_spaces)
        if config.collapse_blank_lines:
            # Trailing spaces are gone by now (`_trailing_spaces` always runs before), so a run
            # of blank lines is a run of three or more line breaks: no need to look further.
            blank_line_runs = dataclasses.replace(_blank_line_runs, screen=_line_break_runs)
            steps += [blank_line_runs, _edge_blank_lines]
        steps.append(_nfc)
        self.steps = steps
        self._kinds = [
            (step, _fixes_unprintable(step), getattr(step, "spacing_only", False)) for step in steps
        ]

    def __call__(self, doc: Document) -> Document:
        # Repaired mojibake can decode to characters an earlier step handles (a zero-width
        # space, an odd space), and removing a stray C1 control can complete a mojibake
        # sequence, so a document goes round again while a round changed something that
        # touches mojibake; ftfy's output is stable, so this ends.
        for _ in range(MAX_ROUNDS):
            mojibake_fixed = changed = 0
            # Whether the text may hold a trace of mojibake: unknown until the mojibake step
            # has looked; then only a later change that is not spacing only can make one, and
            # only right beside itself.
            may_hold_mojibake = True
            # Where the fixes of unprintable characters search, once the first has asked:
            # `_unprintable_runs`. Those fixes and ftfy change only spans they know, so after
            # them the spans are followed rather than searched for again.
            unprintable: tuple[tuple[int, int], ...] | None = None
            for step, fixes_unprintable, spacing_only in self._kinds:
                if fixes_unprintable:
                    if unprintable is None:
                        unprintable = _unprintable_runs(doc.text)
                    edits = step(doc.text, unprintable)
                else:
                    edits = list(step(doc.text))
                if step is _mojibake:
                    may_hold_mojibake = bool(edits)
                if not edits:
                    continue
                count = doc.apply(self.name, edits)
                changed += count
                if step is _mojibake:
                    mojibake_fixed = count
                elif count and not (spacing_only or may_hold_mojibake):
                    may_hold_mojibake = _traces_beside(doc.text, edits)
                if unprintable is not None and count:
                    if step is _mojibake:
                        remade = [(edit.start, edit.end) for edit in edits]
                        unprintable = _follow_spans(doc.text, unprintable, edits, remade)
                    elif fixes_unprintable:
                        unprintable = _follow_spans(doc.text, unprintable, edits)
                    else:
                        unprintable = None
            if not (
                mojibake_fixed
                or (changed and may_hold_mojibake and any(_suspicious_lines(doc.text)))
            ):
                break
        return doc


Screen = Callable[[str], Iterable[tuple[int, int]]]


@dataclasses.dataclass(frozen=True)
class _Substitution:
    """A fix that replaces every match of `pattern`, searched only in the spans (lines) that
    `screen` selects, or in the whole text when there is no screen. A screen must select every
    line that holds a match (tests/test_unicode_screens.py checks each one against the
    unscreened search)."""

    pattern: re.Pattern
    rule: str
    replacement: str | Callable[[str], str]
    screen: Screen | None = None
    # True for a fix that only shortens runs of spaces or line breaks: it never brings two
    # other characters together nor adds one, so it cannot complete a mojibake sequence.
    spacing_only: bool = False

    def __call__(self, text: str, spans: Iterable[tuple[int, int]] | None = None) -> list[Edit]:
        """The edits of every match in `spans`, by default the spans the screen selects."""
        if spans is None:
            spans = self.screen(text) if self.screen else ((0, len(text)),)
        if not spans:
            return []
        replacement, rule = self.replacement, self.rule
        return [
            Edit(
                match.start(),
                match.end(),
                replacement if isinstance(replacement, str) else replacement(match.group()),
                rule,
            )
            for start, end in spans
            for match in self.pattern.finditer(text, start, end)
        ]


def _line_spans(text: str, positions: Iterable[int]) -> Iterator[tuple[int, int]]:
    """The distinct lines (start, end) holding the given positions, in order."""
    last_end = -1
    for position in positions:
        if position <= last_end:
            continue
        start = text.rfind("\n", 0, position) + 1
        end = text.find("\n", position)
        end = len(text) if end == -1 else end
        last_end = end
        yield start, end


def _occurrences(text: str, needle: str, offset: int = 0) -> Iterator[int]:
    """Positions of `needle` in `text` (plus `offset`), found with `str.find`."""
    position = text.find(needle)
    while position != -1:
        yield position + offset
        position = text.find(needle, position + len(needle))


def _whole_text_if(*needles: str) -> Screen:
    def screen(text: str) -> list[tuple[int, int]]:
        return [(0, len(text))] if any(needle in text for needle in needles) else []

    return screen


def _runs_of(*chars: str) -> Screen:
    """Spans around each run of `chars`, one character past its end: a pattern whose matches
    start with one of them and are at most two characters long matches only there ("\r\n")."""

    def screen(text: str) -> list[tuple[int, int]]:
        positions = sorted(
            itertools.chain.from_iterable(
                _occurrences(text, char) for char in chars if char in text
            )
        )
        spans: list[tuple[int, int]] = []
        for position in positions:
            if spans and position <= spans[-1][1]:
                spans[-1] = (spans[-1][0], min(position + 2, len(text)))
            else:
                spans.append((position, min(position + 2, len(text))))
        return spans

    return screen


def _lines_with(needle: str) -> Screen:
    def screen(text: str) -> list[tuple[int, int]]:
        if needle not in text:
            return []
        return list(_line_spans(text, _occurrences(text, needle)))

    return screen


def _runs(text: str, needle: str, run: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """Each match of `run` from an occurrence of `needle` on, found with `str.find`."""
    position = text.find(needle)
    while position != -1:
        end = run.match(text, position).end()
        yield position, end
        position = text.find(needle, end)


def _runs_of_spaces(text: str) -> list[tuple[int, int]]:
    """Each run of two or more spaces and the character after it, which the lookahead of
    `SPACE_RUNS` reads (its lookbehind reads before the start of a span)."""
    return [(start, min(end + 1, len(text))) for start, end in _runs(text, "  ", SPACES)]


def _trailing_space_runs(text: str) -> list[tuple[int, int]]:
    """Each run of spaces before a line break or at the end of the text."""
    spans = []
    for position in _occurrences(text, " \n"):
        start = position
        while start and text[start - 1] == " ":
            start -= 1
        spans.append((start, position + 1))
    if text.endswith(" "):
        spans.append((len(text.rstrip(" ")), len(text)))
    return spans


def _leading_space_runs(text: str) -> list[tuple[int, int]]:
    """Each run of spaces after a line break or at the start of the text."""
    starts = itertools.chain((0,) if text.startswith(" ") else (), _occurrences(text, "\n ", 1))
    return [(start, SPACES.match(text, start).end()) for start in starts]


def _unprintable_lines(text: str) -> tuple[tuple[int, int], ...]:
    """Lines holding a character that `str.isprintable` rejects: every control, format
    (zero-width, bidi, soft hyphen) and non-ASCII space character is among them (a test checks
    this for the whole of Unicode)."""
    if text.replace("\n", " ").isprintable():
        return ()
    lines = text.split("\n")
    unprintable = itertools.compress(
        range(len(lines)), map(operator.not_, map(str.isprintable, lines))
    )
    starts = line_starts(lines)
    return tuple((starts[i], starts[i] + len(lines[i])) for i in unprintable)


def _fixes_unprintable(step: object) -> bool:
    return isinstance(step, _Substitution) and step.screen is _unprintable_lines


def _unprintable_runs(text: str) -> tuple[tuple[int, int], ...]:
    """The maximal runs of `UNPRINTABLE_RUNS`: every match of a fix of unprintable characters
    lies within one (its class is part of theirs), and no such fix can join two of them, since
    each is bounded by characters none of those fixes touch. They are searched only in the
    blocks of text that `str.isprintable` rejects, each run followed past its block's end.

    >>> _unprintable_runs("a b\\nc\\u200b\\u00a0d\\te")
    ((5, 7), (8, 9))
    """
    flat = text.replace("\n", " ")
    if flat.isprintable():
        return ()
    runs = []
    searched_to = 0
    for block_start in range(0, len(flat), UNPRINTABLE_BLOCK):
        block_end = block_start + UNPRINTABLE_BLOCK
        if block_end <= searched_to or flat[block_start:block_end].isprintable():
            continue
        for match in UNPRINTABLE_RUNS.finditer(text, max(block_start, searched_to), block_end):
            start, end = match.span()
            if end == block_end and (rest := UNPRINTABLE_RUNS.match(text, end)):
                end = rest.end()
            runs.append((start, end))
            searched_to = end
    return tuple(runs)


def _follow_spans(
    text: str,
    spans: tuple[tuple[int, int], ...],
    edits: list[Edit],
    remade_lines: Iterable[tuple[int, int]] = (),
) -> tuple[tuple[int, int], ...] | None:
    """The `spans` that are still unprintable after `edits` made `text`, moved to their new
    place, and the lines of `remade_lines` (whole lines ftfy repaired) that are unprintable now.
    Each edit lies within one of the spans or is a whole remade line; text elsewhere did not
    change, so the spans cover every character the fixes of unprintable characters look for,
    as `_unprintable_runs(text)` does. None when an edit adds a line break.

    >>> _follow_spans("a\\nb c\\nd\\u200b", ((3, 4), (7, 8)), [Edit(3, 4, " ", "odd_space")])
    ((7, 8),)
    """
    edits = sorted(edits)
    if any("\n" in edit.replacement for edit in edits):
        return None
    remade_lines = sorted(remade_lines)
    candidates = sorted(
        [
            (start, end)
            for start, end in spans
            if not any(line[0] <= start and end <= line[1] for line in remade_lines)
        ]
        + remade_lines
    )
    followed = []
    shift = 0
    edit_index = 0
    for start, end in candidates:
        while edit_index < len(edits) and edits[edit_index].start < start:
            edit = edits[edit_index]
            shift += len(edit.replacement) - (edit.end - edit.start)
            edit_index += 1
        new_start = start + shift
        while edit_index < len(edits) and edits[edit_index].start <= end:
            edit = edits[edit_index]
            shift += len(edit.replacement) - (edit.end - edit.start)
            edit_index += 1
        if not text[new_start : end + shift].isprintable():
            followed.append((new_start, end + shift))
    return tuple(followed)


def _line_break_runs(text: str) -> list[tuple[int, int]]:
    """Each run of three or more line breaks."""
    return list(_runs(text, "\n\n\n", LINE_BREAK_RUN))


def _traces_beside(text: str, edits: list[Edit]) -> bool:
    """Whether `SUSPICIOUS` matches around one of `edits` in `text`, the text they made: its
    replacement with a character on either side. A trace of mojibake that a change made (by
    adding characters or bringing two together) is there.

    >>> _traces_beside("\\u00c3\\u00a9 ok", [Edit(1, 2, "", "invisible_char")])
    True
    """
    shift = 0
    for start, end, replacement, *_ in sorted(edits):
        new_start = start + shift
        window = text[max(new_start - 1, 0) : new_start + len(replacement) + 1]
        if SUSPICIOUS.search(window):
            return True
        shift += len(replacement) - (end - start)
    return False


def _edge_newlines(text: str) -> list[tuple[int, int]]:
    """The line breaks at the start and at the end of the text."""
    if not (text.startswith("\n") or text.endswith("\n")):
        return []
    head, tail = len(text) - len(text.lstrip("\n")), len(text.rstrip("\n"))
    if head >= tail:
        return [(0, len(text))]
    return [span for span in ((0, head), (tail, len(text))) if span[0] < span[1]]


def _suspicious_lines(text: str) -> Iterator[tuple[int, int]]:
    """Lines where `SUSPICIOUS` matches, found through the byte-level screen."""
    if text.isascii() and "\x1b" not in text:
        return
    data = text.encode("utf-8", "surrogatepass")
    hits = sorted(
        itertools.chain.from_iterable(
            map(re.Match.start, pattern.finditer(data))
            for lead, pattern in SUSPICIOUS_UTF8
            if lead in data
        )
    )
    byte_cursor = char_cursor = 0
    line_end = -1
    for hit in hits:
        if hit <= line_end:
            continue
        line_start = data.rfind(b"\n", 0, hit) + 1
        line_end = data.find(b"\n", hit)
        line_end = len(data) if line_end == -1 else line_end
        char_cursor += len(data[byte_cursor:line_start].decode("utf-8", "surrogatepass"))
        char_end = char_cursor + len(data[line_start:line_end].decode("utf-8", "surrogatepass"))
        if SUSPICIOUS.search(text, char_cursor, char_end):
            yield char_cursor, char_end
        byte_cursor = line_start


def _mojibake(text: str) -> Iterator[Edit]:
    """ftfy on each suspicious line only.

    >>> [e.replacement for e in _mojibake("ok\\nthe city\\u00e2\\u20ac\\u2122s mayor")]
    ['the city’s mayor']
    """
    for start, end in _suspicious_lines(text):
        yield Edit(start, end, _fix_text(text[start:end]), "unicode.mojibake")


def _fix_text(line: str) -> str:
    """`ftfy.fix_text(line, FTFY_CONFIG)` for a line, without the round that cannot change it.

    `fix_text` repeats its fixes (`fix_encoding`, then the others) until a round changes
    nothing. When the others leave the result of `fix_encoding` as it was, the next round is
    known to change nothing: `fix_encoding` only stops at a text it leaves unchanged. Skipping
    that round saves a third of ftfy's time (tests/test_unicode.py checks the results are
    `fix_text`'s).

    >>> _fix_text("LoÃ¯c TassÃ©")
    'Loïc Tassé'
    """
    if len(line) > FTFY_CONFIG.max_decode_length:
        return ftfy.fix_text(line, FTFY_CONFIG)
    while True:
        before = line
        line = encoding_fixed = ftfy.fix_encoding(line)
        for fix in FTFY_FIXES_AFTER_ENCODING:
            line = fix(line)
        if line in (before, encoding_fixed):
            return line


def _html_entity(entity: str) -> str:
    """Decode an entity, and the entity an `&amp;` chain spells once decoded.

    >>> _html_entity("&amp;amp;#8217;")
    '’'
    """
    decoded = html.unescape(entity)
    while decoded != entity and decoded.startswith("&"):
        entity, decoded = decoded, html.unescape(decoded)
    return decoded


def _nfc(text: str) -> Iterator[Edit]:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return
    for start, end, line in _lines(text):
        normalized = unicodedata.normalize("NFC", line)
        if normalized != line:
            yield Edit(start, end, normalized, "unicode.nfc")


def _lines(text: str) -> Iterator[tuple[int, int, str]]:
    start = 0
    for line in text.split("\n"):
        yield start, start + len(line), line
        start += len(line) + 1


_line_endings = _Substitution(LINE_BREAKS, "unicode.line_ending", "\n", _runs_of(*LINE_BREAK_CHARS))
_html_entities = _Substitution(HTML_ENTITY, "unicode.html_entity", _html_entity, _lines_with("&"))
_c0_controls = _Substitution(C0_CONTROLS, "unicode.control_char", "", _unprintable_lines)
_c1_controls = _Substitution(C1_CONTROLS, "unicode.control_char", "", _unprintable_lines)
_invisible_chars = _Substitution(INVISIBLE_CHARS, "unicode.invisible_char", "", _unprintable_lines)
_invisible_chars_but_mojibake_bytes = _Substitution(
    INVISIBLE_CHARS_BUT_MOJIBAKE_BYTES, "unicode.invisible_char", "", _unprintable_lines
)
_odd_spaces_but_mojibake_bytes = _Substitution(
    ODD_SPACES_BUT_MOJIBAKE_BYTES, "unicode.odd_space", " ", _unprintable_lines
)
_odd_spaces = _Substitution(ODD_SPACES, "unicode.odd_space", " ", _unprintable_lines)
_space_runs = _Substitution(
    SPACE_RUNS, "unicode.space_run", " ", _runs_of_spaces, spacing_only=True
)
_trailing_spaces = _Substitution(
    TRAILING_SPACES,
    "unicode.trailing_space",
    "",
    _trailing_space_runs,
    spacing_only=True,
)
_leading_spaces = _Substitution(
    LEADING_SPACES, "unicode.leading_space", "", _leading_space_runs, spacing_only=True
)
_blank_line_runs = _Substitution(
    BLANK_LINE_RUNS,
    "unicode.blank_lines",
    "\n\n",
    _whole_text_if("\n\n\n", "\n "),
    spacing_only=True,
)
_edge_blank_lines = _Substitution(
    EDGE_BLANK_LINES, "unicode.edge_blank_lines", "", _edge_newlines, spacing_only=True
)
