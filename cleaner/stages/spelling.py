"""Stage `spelling`: place and person names put in one canonical spelling (Kiev -> Kyiv).

The entries of a language (`rules/spelling/<lang>/*.yaml`, see `cleaner.spelling_rules`) are
compiled into one Aho-Corasick automaton (ahocorasick-rs; every spelling in the case shapes it
may take), so a pass costs about the same with 50 entries as with 5,000. Every occurrence the automaton
reports is then checked where it stands, which is cheap because names are rare in running
text:

- whole words only: no letter, digit, `_`, `@`, `#` or `/` on either side, and not inside a
  domain name (`kiev.ua`), so hashtags, handles and URLs keep their spelling;
- case: a variant matches as written, in capitals or (unless the entry says `lowercase:
  false`) in lowercase; capitals give the canonical form in capitals ("KIEV" -> "KYIV"), any
  other shape gives the canonical form as written ("kyiv" -> "Kyiv");
- exceptions: an occurrence covered by one of its entry's exceptions stays ("chicken Kiev"):
  a phrase is compared in place around the occurrence, a regex searched on its line, up to
  `REGEX_REACH` (150) characters away;
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

from ahocorasick_rs import AhoCorasick, MatchKind

from cleaner.config import StageConfig
from cleaner.document import UNDETERMINED, Document, Edit
from cleaner.errors import ConfigError
from cleaner.spelling_rules import APOSTROPHES, SpellingEntry, fold_phrase, iter_forms, load_rules

_LEFT_STOPS = frozenset("_@#/\\")
_RIGHT_STOPS = frozenset("_@/\\")
REGEX_REACH = 150


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


class Match(NamedTuple):
    start: int
    end: int
    entry: SpellingEntry
    replacement: str


class Matcher:
    """All entries of one language compiled into one automaton.

    The automaton holds every spelling in each case shape it may take (as written, in capitals,
    in lowercase) with its replacement, so text that is already canonical produces no hit at
    all, except for the canonical names that hold a shorter name inside them and must shield it.

    >>> from cleaner.rules import shipped_rules_dir
    >>> from cleaner.spelling_rules import load_rules
    >>> Matcher(load_rules(shipped_rules_dir())["en"]).replace("KIEV: kyiv's mayor, Vitaliy Klychko")
    "KYIV: Kyiv's mayor, Vitali Klitschko"
    """

    def __init__(self, entries: Iterable[SpellingEntry]) -> None:
        self.entries = list(entries)
        targets: dict[str, tuple[SpellingEntry, str]] = {}
        for form, entry, is_canonical in iter_forms(self.entries):
            for spelled in _apostrophe_forms(form):
                shapes = [(spelled, spelled if is_canonical else entry.canonical)]
                if spelled.upper() != spelled:
                    shapes.append((spelled.upper(), entry.canonical.upper()))
                if entry.lowercase and spelled.lower() != spelled:
                    shapes.append((spelled.lower(), entry.canonical))
                for shape, replacement in shapes:
                    targets.setdefault(shape, (entry, replacement))
        shielding = _keys_holding_other_keys(targets)
        self.keys = [
            shape
            for shape, (_, replacement) in targets.items()
            if shape != replacement or shape in shielding
        ]
        self.values = [(targets[key][0], targets[key][1]) for key in self.keys]
        self.empty = not self.keys
        if not self.empty:
            self.leftmost_longest = AhoCorasick(self.keys, matchkind=MatchKind.LeftmostLongest)
            self.every_match = AhoCorasick(self.keys)

    def find(self, text: str) -> Iterator[Match]:
        """The replacements to make in `text`, left to right, non-overlapping.

        The fast path takes the automaton's own leftmost-longest matches. They are the answer
        whenever every one is a whole word, or fails inside a single word (then no other name
        could start or end inside it). A match that fails across a space, hyphen or apostrophe,
        or is excepted there, might hide a shorter name: the text then goes the exact way,
        every occurrence of every key weighed.
        """
        if self.empty:
            return
        matches = []
        size = len(text)
        for index, start, end in self.leftmost_longest.find_matches_as_indexes(text):
            entry, replacement = self.values[index]
            whole = (start == 0 or text[start - 1] in " \n") and (end == size or text[end] == " ")
            if whole or _whole_word(text, start, end):
                changes = replacement != text[start:end]
                if not (changes and entry.exceptions and _excepted(text, start, end, entry)):
                    if changes:
                        matches.append(Match(start, end, entry, replacement))
                    continue
            if not text[start:end].isalnum():
                yield from self._find_exactly(text)
                return
        yield from matches

    def _find_exactly(self, text: str) -> Iterator[Match]:
        candidates = []
        for index, start, end in self.every_match.find_matches_as_indexes(text, overlapping=True):
            if _whole_word(text, start, end):
                candidates.append((start, -end, index))
        candidates.sort()
        cursor = 0
        for start, negative_end, index in candidates:
            if start < cursor:
                continue
            end = -negative_end
            entry, replacement = self.values[index]
            changes = replacement != text[start:end]
            if changes and entry.exceptions and _excepted(text, start, end, entry):
                continue
            cursor = end
            if changes:
                yield Match(start, end, entry, replacement)

    def replace(self, text: str) -> str:
        pieces = []
        cursor = 0
        for match in self.find(text):
            pieces += [text[cursor : match.start], match.replacement]
            cursor = match.end
        return "".join(pieces) + text[cursor:]


def _keys_holding_other_keys(keys: Iterable[str]) -> set[str]:
    """The keys that contain another key (found with a throwaway automaton, in linear time)."""
    keys = list(keys)
    if not keys:
        return set()
    finder = AhoCorasick(keys)
    return {
        key
        for key in keys
        if any(
            end - start < len(key)
            for _, start, end in finder.find_matches_as_indexes(key, overlapping=True)
        )
    }


def _apostrophe_forms(form: str) -> list[str]:
    if not any(a in form for a in APOSTROPHES):
        return [form]
    return [form.translate({ord(a): target for a in APOSTROPHES}) for target in APOSTROPHES]


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


def _excepted(text: str, start: int, end: int, entry: SpellingEntry) -> bool:
    """Whether one of the entry's exceptions covers the occurrence `text[start:end]`.

    A phrase is compared in place: wherever the occurrence sits inside the phrase, the text
    around it must spell the rest of the phrase (in any case, with any apostrophe, single
    spaces as the unicode stage leaves them). A regex is searched on the occurrence's line, up
    to `REGEX_REACH` characters either side.
    """
    occurrence = fold_phrase(text[start:end])
    for exception in entry.exceptions:
        if exception.is_regex:
            if _regex_covers(exception.pattern, text, start, end):
                return True
            continue
        phrase = exception.folded
        # Without an apostrophe in the phrase, folding the text around the occurrence is only
        # lowercasing it: an apostrophe there would make it differ either way.
        fold = fold_phrase if "'" in phrase else str.lower
        offset = phrase.find(occurrence)
        while offset != -1:
            low, high = start - offset, start - offset + len(phrase)
            if (
                low >= 0
                and high <= len(text)
                and fold(text[low:high]) == phrase
                and (low == 0 or not text[low - 1].isalnum())
                and (high == len(text) or not text[high].isalnum())
            ):
                return True
            offset = phrase.find(occurrence, offset + 1)
    return False


def _regex_covers(pattern, text: str, start: int, end: int) -> bool:
    low = max(0, start - REGEX_REACH)
    newline = text.rfind("\n", low, start)
    low = low if newline == -1 else newline + 1
    high = min(len(text), end + REGEX_REACH)
    newline = text.find("\n", end, high)
    high = high if newline == -1 else newline
    return any(f.start() <= start and end <= f.end() for f in pattern.finditer(text, low, high))


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
            mixed = len(present) > 1  # else every paragraph is in this language
            for match in matcher.find(doc.text):
                if not mixed or self._resolve(doc.lang_at(match.start)) == lang:
                    edits.append(Edit(match.start, match.end, match.replacement, match.entry.id))
        doc.apply(self.name, edits)
        return doc

    def _resolve(self, lang: str) -> str:
        return self.config.undetermined_as if lang == UNDETERMINED else lang
