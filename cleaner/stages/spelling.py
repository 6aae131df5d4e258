"""Stage `spelling`: place and person names put in one canonical spelling (Kiev -> Kyiv).

The entries of a language (`rules/spelling/<lang>/*.yaml`, see `cleaner.spelling_rules`) are
compiled into one Aho-Corasick automaton over the lowercased text, so a pass costs about the
same with 50 entries as with 5,000. Every occurrence the automaton reports is then checked
where it stands, which is cheap because names are rare in running text:

- whole words only: no letter, digit, `_`, `@`, `#` or `/` on either side, and not inside a
  domain name (`kiev.ua`), so hashtags, handles and URLs keep their spelling;
- case: a variant matches as written, in capitals or (unless the entry says `lowercase:
  false`) in lowercase; capitals give the canonical form in capitals ("KIEV" -> "KYIV"), any
  other shape gives the canonical form as written ("kyiv" -> "Kyiv");
- exceptions: an occurrence covered by one of its entry's exception matches on the same line
  stays ("chicken Kiev");
- leftmost-longest: where matches overlap, the one that starts first wins, then the longest,
  so "Vitaliy Klychko" is one name, and a canonical name ("Bilhorod-Dnistrovskyi") protects the
  shorter names inside it.

A paragraph gets the rules of its own language (`doc.lang_at`); where langid could not tell,
`undetermined_as` decides (English by default, so the stage works on its own too).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import ahocorasick

from cleaner.config import StageConfig
from cleaner.document import UNDETERMINED, Document, Edit
from cleaner.errors import ConfigError
from cleaner.spelling_rules import APOSTROPHES, SpellingEntry, iter_forms, load_rules

_LEFT_STOPS = frozenset("_@#/\\")
_RIGHT_STOPS = frozenset("_@/\\")


@dataclasses.dataclass(frozen=True)
class SpellingConfig(StageConfig):
    """Options of the spelling stage.

    `extra_rules`: a rules folder (laid out like `rules/`: `DIR/spelling/<lang>/*.yaml`) merged
    on top of the rules in use; its entries replace entries with the same id or canonical form.
    `disabled_rules`: rule ids to switch off. `undetermined_as`: the language assumed for
    paragraphs langid could not identify ("" to leave them alone).
    """

    extra_rules: str | None = None
    disabled_rules: tuple[str, ...] = ()
    undetermined_as: str = "en"

    def __post_init__(self) -> None:
        if self.extra_rules is not None and not Path(self.extra_rules).is_dir():
            raise ConfigError(f"option spelling.extra_rules: folder {self.extra_rules!r} not found")
        if not all(isinstance(rule, str) for rule in self.disabled_rules):
            raise ConfigError("option spelling.disabled_rules must be a list of rule ids")


class Form(NamedTuple):
    """One spelling the automaton looks for, and what it becomes."""

    spelled: str
    entry: SpellingEntry
    is_canonical: bool


class Match(NamedTuple):
    start: int
    end: int
    entry: SpellingEntry
    replacement: str


class Matcher:
    """All entries of one language compiled into one automaton.

    >>> from cleaner.rules import shipped_rules_dir
    >>> from cleaner.spelling_rules import load_rules
    >>> Matcher(load_rules(shipped_rules_dir())["en"]).replace("KIEV: kyiv's mayor, Vitaliy Klychko")
    "KYIV: Kyiv's mayor, Vitali Klitschko"
    """

    def __init__(self, entries: Iterable[SpellingEntry]) -> None:
        self.entries = list(entries)
        keys: dict[str, list[Form]] = {}
        for form, entry, is_canonical in iter_forms(self.entries):
            for spelled in _apostrophe_forms(form):
                keys.setdefault(spelled.lower(), []).append(Form(spelled, entry, is_canonical))
        self.automaton = ahocorasick.Automaton()
        for key, forms in keys.items():
            self.automaton.add_word(key, (len(key), tuple(forms)))
        self.empty = not keys
        if not self.empty:
            self.automaton.make_automaton()

    def find(self, text: str) -> Iterator[Match]:
        """The replacements to make in `text`, left to right, non-overlapping."""
        if self.empty:
            return
        lowered = _lower_same_length(text)
        candidates = []
        for last, (length, forms) in self.automaton.iter(lowered):
            start, end = last + 1 - length, last + 1
            if not _whole_word(text, start, end):
                continue
            found = _accept(text[start:end], forms)
            if found is not None:
                candidates.append((start, -end, found))
        if not candidates:
            return
        candidates.sort(key=lambda c: (c[0], c[1]))
        cursor = 0
        for start, negative_end, (form, replacement) in candidates:
            end = -negative_end
            if start < cursor:
                continue
            if replacement != text[start:end] and _excepted(text, start, end, form.entry):
                continue
            cursor = end
            if replacement != text[start:end]:
                yield Match(start, end, form.entry, replacement)

    def replace(self, text: str) -> str:
        pieces = []
        cursor = 0
        for match in self.find(text):
            pieces += [text[cursor : match.start], match.replacement]
            cursor = match.end
        return "".join(pieces) + text[cursor:]


def _apostrophe_forms(form: str) -> list[str]:
    if not any(a in form for a in APOSTROPHES):
        return [form]
    return [form.translate({ord(a): target for a in APOSTROPHES}) for target in APOSTROPHES]


def _lower_same_length(text: str) -> str:
    """`text.lower()`, except that the few characters whose lowercase is longer ("İ") stay, so
    that offsets in the lowered text are offsets in the text."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _whole_word(text: str, start: int, end: int) -> bool:
    if start > 0:
        before = text[start - 1]
        if before.isalnum() or before in _LEFT_STOPS:
            return False
        if (before == "." or before in APOSTROPHES) and start > 1 and text[start - 2].isalnum():
            return False  # a domain name ("www.kiev.ua") or a French elision ("d'Odessa")
    if end < len(text):
        after = text[end]
        if after.isalnum() or after in _RIGHT_STOPS or after == "\u0308":
            return False
        if after == "." and end + 1 < len(text) and text[end + 1].isalnum():
            return False
    return True


def _accept(occurrence: str, forms: tuple[Form, ...]) -> tuple[Form, str] | None:
    """The form whose case shape the occurrence has, and the occurrence's replacement."""
    for form in forms:
        spelled = form.spelled
        if occurrence == spelled:
            return form, form.entry.canonical if not form.is_canonical else occurrence
        if occurrence == spelled.upper() and occurrence != occurrence.lower():
            return form, form.entry.canonical.upper()
        if occurrence == spelled.lower() and form.entry.lowercase:
            return form, form.entry.canonical
    return None


def _excepted(text: str, start: int, end: int, entry: SpellingEntry) -> bool:
    if not entry.exceptions:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    for exception in entry.exceptions:
        for found in exception.pattern.finditer(text, line_start, line_end):
            if found.start() <= start and end <= found.end():
                return True
    return False


class SpellingStage:
    name = "spelling"
    Config = SpellingConfig

    def __init__(self, config: SpellingConfig, rules_dir: Path) -> None:
        self.config = config
        extra = Path(config.extra_rules) if config.extra_rules else None
        disabled = set(config.disabled_rules)
        self.matchers = {
            lang: Matcher(entry for entry in entries if entry.id not in disabled)
            for lang, entries in load_rules(rules_dir, extra).items()
        }

    def __call__(self, doc: Document) -> Document:
        present = {self._resolve(p.lang) for p in doc.paragraphs} | {self._resolve(doc.lang)}
        edits = []
        for lang, matcher in self.matchers.items():
            if lang not in present:
                continue
            for match in matcher.find(doc.text):
                if self._resolve(doc.lang_at(match.start)) == lang:
                    edits.append(Edit(match.start, match.end, match.replacement, match.entry.id))
        doc.apply(self.name, edits)
        return doc

    def _resolve(self, lang: str) -> str:
        return self.config.undetermined_as if lang == UNDETERMINED else lang
