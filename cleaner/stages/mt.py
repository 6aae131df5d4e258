"""Stage `mt`: repair machine-translation artifacts in English paragraphs.

Machine translation into English leaves typical damage: French spacing before punctuation
("QUB radio :"), French transliterations of Slavic names ("Andreï", "Avdiïvka"), sentence
breaks in the middle of a sentence ("civilians. on Russian soil"), known names left lowercase
("kyiv"), phrase-level mistranslations ("the Russian novel" for the Russian narrative),
doubled words, repeated sentences, unbalanced quotes and stray paragraphs in another language.

Each fix is a small class that scans the whole text and yields `Finding`s. Only paragraphs in
the stage's language (`lang`, English by default, read with the langid stage's paragraph
languages) are touched, so French text keeps its own typography. A finding whose confidence is
below `min_confidence` becomes a flag instead of an edit. The fixes are code, but each has an
entry in `rules/mt/en.yaml` (description, word lists, examples), and a fix whose entry is
missing from the rules folder is off. Phrase rules (known mistranslations) are pure data in
`rules/mt/<source language>.yaml`.

Speed: most text has none of these artifacts, so every fix starts with a cheap test (a
substring search, or a regex whose first character is a literal) and does Python work only
on the rare hits.
"""

from __future__ import annotations

import bisect
import dataclasses
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import compress, islice
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import ahocorasick_rs

from cleaner.config import StageConfig
from cleaner.document import UNDETERMINED, Document, Edit
from cleaner.errors import ConfigError
from cleaner.rules import RuleEntry, load_rule_file, load_stage_rules, rule_files

STAGE = "mt"


@dataclasses.dataclass(frozen=True)
class MtConfig(StageConfig):
    """Options of the mt stage.

    `lang`: the language whose paragraphs are repaired (the built-in rules are English).
    `min_confidence`: judgements below it are flagged, not edited. `drop_foreign`: remove the
    paragraphs flagged as being in another language than the document;
    `foreign_min_confidence` and `foreign_min_words` say how sure and how long such a
    paragraph must be to count (language detection is unreliable on titles, share widgets
    and link lists, so short paragraphs never count).
    """

    lang: str = "en"
    min_confidence: float = 0.8
    drop_foreign: bool = False
    foreign_min_confidence: float = 0.75
    foreign_min_words: int = 10

    def __post_init__(self) -> None:
        if not self.lang:
            raise ConfigError("mt.lang must be a language code such as 'en'")
        for key in ("min_confidence", "foreign_min_confidence"):
            value = getattr(self, key)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"mt.{key} must be between 0.0 and 1.0, got {value}")
        if self.foreign_min_words < 1:
            raise ConfigError(f"mt.foreign_min_words must be >= 1, got {self.foreign_min_words}")


class Finding(NamedTuple):
    """What a fix found: an edit (`replacement` set) or only a flag (`replacement` None)."""

    start: int
    end: int
    replacement: str | None
    rule: str
    confidence: float | None = None
    message: str = ""
    data: dict[str, Any] | None = None


class Scope:
    """Which positions of the text belong to paragraphs in the stage's language: the same
    answer as `Document.lang_at`, precomputed once per text. Most documents are entirely in
    the language or entirely outside it, so those are told apart first."""

    def __init__(self, doc: Document, lang: str) -> None:
        self.lang = lang
        source = doc.metadata.get("source_lang")
        self.source_lang = source if isinstance(source, str) else None
        self.default = doc.lang == lang
        paragraphs = doc.paragraphs
        langs = {p.lang for p in paragraphs}
        if self.default:
            langs.discard(UNDETERMINED)
            self.everywhere = not langs or langs == {lang}
            self.nowhere = False
        else:
            self.everywhere = False
            self.nowhere = lang not in langs
        if self.everywhere or self.nowhere:
            return
        self.spans = [(p.start, p.end) for p in paragraphs if p.lang == lang]
        self.starts = [p.start for p in paragraphs]
        self.ends = [p.end for p in paragraphs]
        self.inside = [
            (p.lang == lang) or (p.lang == UNDETERMINED and self.default) for p in paragraphs
        ]

    def screen_text(self, text: str) -> str | None:
        r"""For a document in another language with a few paragraphs in this one: the whole
        lines holding those paragraphs, each between line breaks, where the fixes look first
        for any sign of work (a fix finds nothing in this language when its `may_find` says
        no). None for any other document.

        >>> from cleaner.document import Paragraph
        >>> doc = Document("d", "Le texte.\nAn English line .\nLa fin.", lang="fr", paragraphs=[
        ...     Paragraph(0, 9, "fr", 1.0), Paragraph(13, 20, "en", 1.0)])
        >>> Scope(doc, "en").screen_text(doc.text)
        '\nAn English line .\n'
        """
        if self.default or self.everywhere or self.nowhere:
            return None
        lines: list[tuple[int, int]] = []
        for start, end in sorted(self.spans):
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", max(start, end - 1))
            line_end = len(text) if line_end == -1 else line_end
            if lines and line_start <= lines[-1][1]:
                lines[-1] = (lines[-1][0], max(lines[-1][1], line_end))
            else:
                lines.append((line_start, line_end))
        return "\n" + "\n".join(text[start:end] for start, end in lines) + "\n"

    def __call__(self, position: int) -> bool:
        if self.everywhere:
            return True
        if self.nowhere:
            return False
        index = bisect.bisect_right(self.starts, position) - 1
        if index >= 0 and position < self.ends[index]:
            return self.inside[index]
        return self.default


def _line_bounds(text: str, position: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end == -1 else end


def _word_around(text: str, position: int) -> tuple[int, int]:
    """The span of the run of letters that holds `position`."""
    start = end = position
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    while end < len(text) and text[end].isalpha():
        end += 1
    return start, end


def _positions(text: str, chars: str) -> list[int]:
    """Where any of `chars` occurs in `text`, ascending: one fast `str.find` loop per
    character, where a regex character class would test every position.

    >>> _positions("Andreï and Zoë", "ïë")
    [5, 13]
    """
    positions = []
    for char in chars:
        position = text.find(char)
        while position >= 0:
            positions.append(position)
            position = text.find(char, position + 1)
    return sorted(positions)


def _token_before(text: str, end: int) -> str:
    """The whitespace-delimited token that ends at `end`."""
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end]


class Literals:
    """Where any of a fixed set of strings occurs in a text: all of them found in one pass of
    an Aho-Corasick automaton (ahocorasick-rs, compiled to a DFA), instead of one regex scan
    per string or per character that may come before one.

    >>> Literals(["kyiv", "yiv", " ,"]).find("Kyïv , kyiv")
    [(2, 4), (0, 7), (1, 8)]
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.words = list(words)
        self.automaton = ahocorasick_rs.BytesAhoCorasick(
            [word.encode("utf-8", "surrogatepass") for word in self.words],
            implementation=ahocorasick_rs.Implementation.DFA,
        )

    def occurs(self, text: str) -> bool:
        """Whether any of the words occurs in `text`."""
        data = text.encode("utf-8", "surrogatepass")
        return bool(self.automaton.find_matches_as_indexes(data))

    def find(self, text: str) -> list[tuple[int, int]]:
        """Every occurrence (overlapping ones too) as `(index of the word, start)`, by start."""
        # Bytes rather than str: ahocorasick-rs refuses the lone surrogates a str may hold.
        data = text.encode("utf-8", "surrogatepass")
        matches = self.automaton.find_matches_as_indexes(data, overlapping=True)
        if not matches:
            return []
        found = sorted((start, index) for index, start, _ in matches)
        if len(data) == len(text):
            return [(index, start) for start, index in found]
        # The n-th occurrence of a word in the bytes is its n-th occurrence in the text, so
        # the next `str.find` of the word gives its position in characters (cheaper than
        # decoding the bytes before each hit).
        hits = []
        resume: dict[int, int] = {}
        for _, index in found:
            start = text.find(self.words[index], resume.get(index, 0))
            resume[index] = start + 1
            hits.append((index, start))
        return hits


def _finditer_at(
    pattern: re.Pattern[str], text: str, candidates: Iterable[int]
) -> Iterator[re.Match[str]]:
    """The matches of `pattern.finditer(text)`, when every position where `pattern` can match
    is among `candidates` (ascending; `pattern` never matches the empty string): the regex
    runs only there instead of at every position of the text.

    >>> [m.group() for m in _finditer_at(re.compile("aa"), "aaaxaa", [0, 1, 2, 4])]
    ['aa', 'aa']
    """
    end = 0
    for position in candidates:
        if position >= end:
            match = pattern.match(text, position)
            if match:
                end = match.end()
                yield match


URLISH = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|www\.|[^\s@]+@[^\s@]+|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:/\S*)?$)",
    re.IGNORECASE,
)


def _is_urlish(token: str) -> bool:
    """A URL, e-mail address or domain name: text whose punctuation is its own.

    >>> [_is_urlish(t) for t in ["https://x.org/a?b", "press@example.org", "kyiv.ua", "Kyiv"]]
    [True, True, True, False]
    """
    # Each form holds a ":", "." or "@"; most tokens are plain words.
    return ("." in token or "@" in token or ":" in token) and bool(URLISH.match(token))


def _words(entry: RuleEntry, key: str) -> frozenset[str]:
    values = entry.require(key, list)
    for value in values:
        if not isinstance(value, str):
            # YAML reads bare on/off/yes/no as booleans.
            raise entry.error(f"{key}: {value!r} is not a string (quote it)")
    return frozenset(value.lower() for value in values)


def _patterns(entry: RuleEntry, key: str) -> list[re.Pattern[str]]:
    compiled = []
    for source in entry.require(key, list):
        try:
            compiled.append(re.compile(str(source)))
        except re.error as error:
            raise entry.error(f"bad pattern in {key!r}: {source!r}: {error}") from None
    return compiled


# --- French typography --------------------------------------------------------------------

# One space as the literal first character lets the regex engine skip ahead fast; a run of
# spaces is extended backwards in Python.
SPACE_BEFORE_MARK = re.compile(r" ([:;!?.,])(?=[\s\"”’»]|$)")
EMOTICON_TAIL = re.compile(r" [()DPpO/|\\3](?:\s|$)")
LIST_MARKER = re.compile(r"(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})")


class SpaceBeforePunctuation:
    """`mt.space_before_punct`: "territory ." -> "territory." in English paragraphs."""

    rule = "mt.space_before_punct"

    @staticmethod
    def may_find(lines: str) -> bool:
        return SPACE_BEFORE_MARK.search(lines) is not None

    def __call__(self, text: str, scope: Scope) -> Iterator[Finding]:
        for match in SPACE_BEFORE_MARK.finditer(text):
            start, mark = match.start(), match.group(1)
            while start > 0 and text[start - 1] == " ":
                start -= 1
            if start == 0 or not scope(start) or not self._wrong(text, start, match.end(), mark):
                continue
            yield Finding(start, match.start(1), "", self.rule)

    @staticmethod
    def _wrong(text: str, start: int, after: int, mark: str) -> bool:
        before = text[start - 1]
        if not (before.isalnum() or before in ')]”’"%'):
            return False  # a run of marks ("? !") or a lone mark
        tail = text[after : after + 3]
        if mark in "!?" and tail[:1] == " " and tail[1:2] in ("!", "?"):
            return False  # "? !" written on purpose
        if mark in ":;" and EMOTICON_TAIL.match(text, after):
            return False
        if before.isdigit() and tail[:1] == " " and tail[1:2].isdigit():
            return False  # "2 : 1", a score, ratio or time
        token = _token_before(text, start)
        if _is_urlish(token):
            return False
        line_start, _ = _line_bounds(text, start)
        if start - len(token) == line_start and LIST_MARKER.fullmatch(token):
            return False
        opened = text.rfind("«", line_start, start)
        return opened == -1 or text.rfind("»", line_start, start) > opened


OPEN_QUOTE_SPACE = re.compile(r"(?:(?<=[\s(\[])|^)“( +)(?=\S)", re.MULTILINE)
CLOSE_QUOTE_SPACE = re.compile(r"(?<=\S)( +)”(?=[\s.,;:!?)\]]|$)", re.MULTILINE)


class SpaceInsideQuotes:
    """`mt.space_inside_quotes`: "“ real peace ”" -> "“real peace”"."""

    rule = "mt.space_inside_quotes"

    @staticmethod
    def may_find(lines: str) -> bool:
        return "“ " in lines or " ”" in lines

    def __call__(self, text: str, scope: Scope) -> Iterator[Finding]:
        # Each quote mark alone first: a search for a string with a space in it is slow.
        if ("“" not in text or "“ " not in text) and ("”" not in text or " ”" not in text):
            return
        for pattern in (OPEN_QUOTE_SPACE, CLOSE_QUOTE_SPACE):
            for match in pattern.finditer(text):
                if scope(match.start()):
                    yield Finding(match.start(1), match.end(1), "", self.rule)


# --- Slavic names with a French diaeresis -------------------------------------------------

DIAERESIS_LETTERS = "ïëÏË"
PLAIN_LETTERS = str.maketrans("ïëÏË", "ieIE")
WEAK_ENDING = re.compile(r"[ao]ï$")


class SlavicDiaeresis:
    """`mt.slavic_diaeresis`: "Andreï" -> "Andrei" when the word is a transliterated Slavic
    name; "Loïc", "Citroën" and "naïve" stay."""

    rule = "mt.slavic_diaeresis"

    def __init__(self, entry: RuleEntry) -> None:
        self.strong = _patterns(entry, "strong")
        self.markers = _patterns(entry, "markers")
        self.names = _words(entry, "names")
        self.exceptions = _words(entry, "exceptions")

    @staticmethod
    def may_find(lines: str) -> bool:
        return any(letter in lines for letter in DIAERESIS_LETTERS)

    def __call__(self, text: str, scope: Scope) -> Iterator[Finding]:
        word_end = 0
        for position in _positions(text, DIAERESIS_LETTERS):
            if position < word_end:
                continue  # a second diaeresis in a word already seen
            word_start, word_end = _word_around(text, position)
            word = text[word_start:word_end]
            confidence = self.slavic_confidence(word)
            if confidence is None or not scope(word_start):
                continue
            plain = word.translate(PLAIN_LETTERS)
            yield Finding(
                word_start,
                word_end,
                plain,
                self.rule,
                confidence,
                f"{word!r} looks like a French transliteration of a Slavic name ({plain!r})",
            )

    def slavic_confidence(self, word: str) -> float | None:
        """How sure we are that `word` is a transliterated Slavic name (None: it is not).

        >>> from cleaner.rules import load_stage_rules, shipped_rules_dir
        >>> entry = next(e for e in load_stage_rules(shipped_rules_dir(), "mt")
        ...              if e.id == "mt.slavic_diaeresis")
        >>> fix = SlavicDiaeresis(entry)
        >>> [fix.slavic_confidence(w) for w in ["Avdiïvka", "Mikhaïl", "Nikolaï", "Loïc", "Hawaï"]]
        [0.95, 0.85, 0.99, None, 0.5]
        """
        lower = word.lower()
        if lower in self.exceptions:
            return 0.5 if WEAK_ENDING.search(lower) else None
        if lower in self.names:
            return 0.99
        if any(pattern.search(lower) for pattern in self.strong):
            return 0.95
        if any(pattern.search(lower) for pattern in self.markers):
            return 0.85
        if WEAK_ENDING.search(lower):
            return 0.5
        return None


# --- Known names left lowercase -----------------------------------------------------------


def _alternation(words: Iterable[str]) -> str:
    """A regex matching any of `words`, factored as a trie so the engine fails fast."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [
            re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


def known_names(rules_dir: Path, lang: str) -> list[str]:
    """Canonical names from the spelling rules of `lang` (`rules/spelling/<lang>/*.yaml`): the
    `canonical` of every entry that does not opt out with `lowercase: false`."""
    folder = rules_dir / "spelling" / lang
    names = []
    for path in rule_files(rules_dir, "spelling"):
        if folder not in path.parents:
            continue
        for entry in load_rule_file(path):
            canonical = entry.fields.get("canonical")
            if isinstance(canonical, str) and canonical and entry.fields.get("lowercase", True):
                names.append(canonical)
    return names


# The characters a word is looked for after: a space, a line start, an opening bracket or
# quote. Rarer openers (straight and single quotes, guillemets) are left out (the rules were
# written and reviewed with these four).
WORD_STARTS = " \n(“"


def _word_starts(
    literals: Literals, scans: list[re.Pattern[str]], text: str
) -> list[list[re.Match[str]]]:
    """For each of `scans` (one per character of WORD_STARTS, that character followed by one
    of `literals.words`), its `finditer` matches in `text`: the automaton finds where a word
    starts after such a character and the scan's regex runs only there."""
    hits = literals.find(text)
    if not hits:
        return [[] for _ in scans]
    candidates: list[list[int]] = [[] for _ in WORD_STARTS]
    last = -1
    for _, start in hits:
        if start != last and start > 0:
            last = start
            scan = WORD_STARTS.find(text[start - 1])
            if scan >= 0:
                candidates[scan].append(start - 1)
    return [
        list(_finditer_at(scan, text, positions)) if positions else []
        for scan, positions in zip(scans, candidates, strict=True)
    ]


class LowercaseNames:
    """`mt.lowercase_name`: "kyiv" in running text -> "Kyiv", for the spelling rules' names."""

    rule = "mt.lowercase_name"

    def __init__(self, entry: RuleEntry, names: Iterable[str]) -> None:
        exceptions = _words(entry, "exceptions")
        self.canonical = {
            name.lower(): name
            for name in names
            if len(name) >= 3 and name != name.lower() and name.lower() not in exceptions
        }
        alternation = _alternation(sorted(self.canonical))
        self.scans = (
            [
                re.compile(re.escape(before) + f"({alternation})" + r"(?![\w@/]|[.:]\w)")
                for before in WORD_STARTS
            ]
            if self.canonical
            else []
        )
        self.literals = Literals(sorted(self.canonical))

    def may_find(self, lines: str) -> bool:
        return self.literals.occurs(lines)

    def __call__(self, text: str, scope: Scope) -> Iterator[Finding]:
        if not self.scans:
            return
        at_start = self.scans[0].match(" " + text[:64])  # no character before it
        if at_start:
            yield from self._finding(text, 0, at_start.group(1), scope)
        hits = sorted(
            (m.start(1), m.group(1))
            for matches in _word_starts(self.literals, self.scans, text)
            for m in matches
        )
        for start, name in hits:
            yield from self._finding(text, start, name, scope)

    def _finding(self, text: str, start: int, name: str, scope: Scope) -> Iterator[Finding]:
        if start > 0 and text[start - 1] in "#@/" or not scope(start):
            return
        yield Finding(start, start + len(name), self.canonical[name], self.rule, 0.9)


# --- Known mistranslations ----------------------------------------------------------------


GROUP_REFERENCE = re.compile(r"\\(\d+)|\\g<(\w+)>")


@dataclasses.dataclass(frozen=True)
class PhraseRule:
    """One known mistranslation: a regex, its replacement, and when not to apply it."""

    id: str
    pattern: re.Pattern[str]
    replacement: str
    triggers: tuple[str, ...]
    preserve_case: bool
    unless: re.Pattern[str] | None
    confidence: float
    source_lang: tuple[str, ...]
    anchored: bool

    @classmethod
    def from_entry(cls, entry: RuleEntry) -> PhraseRule:
        flags = re.IGNORECASE if entry.optional("ignore_case", bool, False) else 0
        pattern = _compile(entry, "pattern", flags)
        unless_source = entry.optional("unless", str)
        unless = _compile(entry, "unless", re.IGNORECASE) if unless_source else None
        triggers = entry.require("trigger", (str, list))
        triggers = tuple(
            str(t).lower() for t in ([triggers] if isinstance(triggers, str) else triggers)
        )
        if not triggers or not all(triggers):
            raise entry.error("field 'trigger' must name at least one non-empty string")
        confidence = float(entry.optional("confidence", (int, float), 0.9))
        if not 0.0 <= confidence <= 1.0:
            raise entry.error(f"confidence must be between 0.0 and 1.0, got {confidence}")
        source = entry.require("source_lang", (str, list))
        replacement = entry.require("replacement")
        for number, name in GROUP_REFERENCE.findall(replacement):
            name = number or name
            known = int(name) <= pattern.groups if name.isdigit() else name in pattern.groupindex
            if not known:
                raise entry.error(f"replacement {replacement!r} refers to a missing group {name}")
        return cls(
            id=entry.id,
            pattern=pattern,
            replacement=replacement,
            triggers=triggers,
            preserve_case=entry.optional("preserve_case", bool, False),
            unless=unless,
            confidence=confidence,
            source_lang=tuple([source] if isinstance(source, str) else source),
            anchored=entry.optional("anchored", bool, False),
        )

    def replace(self, match: re.Match[str]) -> str:
        after = match.expand(self.replacement)
        return _transfer_case(match.group(), after) if self.preserve_case else after


def _compile(entry: RuleEntry, key: str, flags: int) -> re.Pattern[str]:
    source = entry.require(key)
    try:
        return re.compile(source, flags)
    except re.error as error:
        raise entry.error(f"bad {key} {source!r}: {error}") from None


def _transfer_case(before: str, after: str) -> str:
    """Give `after` the case pattern of `before` (all caps, capitalized, or as written).

    >>> _transfer_case("SHRAPPER", "shrapnel"), _transfer_case("Shrapper", "shrapnel")
    ('SHRAPNEL', 'Shrapnel')
    """
    letters = [c for c in before if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return after.upper()
    if letters and letters[0].isupper():
        return after[:1].upper() + after[1:]
    return after


WINDOW = 160


def _cased(phrase: str) -> set[str]:
    """The ways a phrase is capitalized in running text.

    >>> sorted(_cased("the ukraine"))
    ['THE UKRAINE', 'The Ukraine', 'The ukraine', 'the Ukraine', 'the ukraine']
    """
    first, _, rest = phrase.partition(" ")
    forms = {phrase, phrase.capitalize(), phrase.upper(), phrase.title()}
    if rest:
        forms.add(f"{first} {rest.title()}")
    return forms


class PhraseRules:
    """The known mistranslations of `rules/mt/<source>.yaml`. The text is scanned once for
    all trigger words; a rule's regex then runs only where one of its triggers is: at the
    trigger for an anchored rule, in a window around it otherwise."""

    def __init__(self, rules: list[PhraseRule]) -> None:
        self.rules = rules
        self.by_trigger: dict[str, list[PhraseRule]] = {}
        for rule in rules:
            for trigger in rule.triggers:
                self.by_trigger.setdefault(trigger, []).append(rule)
        forms = sorted({form for rule in rules for t in rule.triggers for form in _cased(t)})
        triggers = _alternation(forms)
        # A trigger starts a word: it comes after one of WORD_STARTS.
        self.trigger_scans = [re.compile(re.escape(c) + f"({triggers})") for c in WORD_STARTS]
        self.literals = Literals(forms)

    def may_find(self, lines: str) -> bool:
        return self.literals.occurs(lines)

    def __call__(self, text: str, scope: Scope) -> Iterator[Finding]:
        if not self.rules:
            return
        hits = [
            (m.group(1), m.start(1))
            for matches in _word_starts(self.literals, self.trigger_scans, text)
            for m in matches
        ]
        at_start = self.trigger_scans[0].match(" " + text[:64])  # no character before it
        if at_start:
            hits.append((at_start.group(1), 0))
        if not hits:
            return
        found = []
        seen: set[tuple[str, int]] = set()
        for trigger, position in hits:
            if not scope(position):
                continue
            for rule in self.by_trigger[trigger.lower()]:
                if scope.source_lang and scope.source_lang not in rule.source_lang:
                    continue
                for match in self._matches(rule, text, position):
                    if (rule.id, match.start()) in seen:
                        continue
                    seen.add((rule.id, match.start()))
                    line_start, line_end = _line_bounds(text, match.start())
                    if rule.unless is not None and rule.unless.search(text, line_start, line_end):
                        continue
                    found.append(
                        Finding(
                            match.start(),
                            match.end(),
                            rule.replace(match),
                            rule.id,
                            rule.confidence,
                            "known mistranslation",
                        )
                    )
        cursor = 0
        for finding in sorted(found, key=lambda f: (f.start, -f.end)):
            if finding.start >= cursor:
                cursor = finding.end
                yield finding

    @staticmethod
    def _matches(rule: PhraseRule, text: str, position: int) -> Iterator[re.Match[str]]:
        """The rule's matches around one trigger hit: at the hit for an anchored rule, else in
        a window of the hit's line (each confirmed against the whole line, so that `$` and
        lookarounds see the real context)."""
        if rule.anchored:
            line_end = text.find("\n", position)
            match = rule.pattern.match(text, position, len(text) if line_end == -1 else line_end)
            if match:
                yield match
            return
        line_start, line_end = _line_bounds(text, position)
        window_start = max(line_start, position - WINDOW)
        window_end = min(line_end, position + WINDOW)
        for candidate in rule.pattern.finditer(text, window_start, window_end):
            match = rule.pattern.match(text, candidate.start(), line_end)
            if match:
                yield match


# --- Sentence breaks ----------------------------------------------------------------------

PERIOD_BEFORE_LOWERCASE = re.compile(r"\.( +)([a-z][\w'’.-]*)")
CAPITALIZED_WORD = re.compile(r" +[A-Z]")


class SentenceBreaks:
    """`mt.sentence_break`: "civilians. on Russian soil" -> "civilians on Russian soil"."""

    rule = "mt.sentence_break"

    def __init__(self, entry: RuleEntry) -> None:
        self.abbreviations = _words(entry, "abbreviations")
        self.continuations = _words(entry, "continuations")
        self.starters = _words(entry, "starters")
        self.particles = _words(entry, "particles")

    @staticmethod
    def may_find(lines: str) -> bool:
        return PERIOD_BEFORE_LOWERCASE.search(lines) is not None

    def __call__(self, text: str, scope: Scope) -> Iterator[Finding]:
        if ". " not in text:
            return
        for match in PERIOD_BEFORE_LOWERCASE.finditer(text):
            confidence = self.confidence(text, match)
            if confidence is not None and scope(match.start()):
                yield Finding(
                    match.start(),
                    match.start() + 1,
                    "",
                    self.rule,
                    confidence,
                    "period before a lowercase word: a misplaced sentence break or a missing capital",
                )

    def confidence(self, text: str, match: re.Match[str]) -> float | None:
        """How sure we are that the period is a wrong sentence break (None: it is not one)."""
        dot = match.start()
        if dot == 0 or not text[dot - 1].isalnum():
            return None
        token = _token_before(text, dot).lstrip("(“\"‘'[")
        if len(token) <= 1 or "." in token or token.lower() in self.abbreviations:
            return None
        following = match.group(2)
        if "." in following or following.lower() != following:
            return None  # "e.g.", a domain name, "iPhone"
        if following in self.particles and CAPITALIZED_WORD.match(text, match.end()):
            return None  # "de Gaulle", "al Sisi"
        if following in self.continuations:
            confidence = 0.9
        elif following in self.starters:
            confidence = 0.4
        else:
            confidence = 0.6
        if token.isdigit():
            confidence *= 0.9
        elif token[0].isupper() and not token.isupper() and len(token) <= 4:
            confidence *= 0.5  # maybe an abbreviation we do not know ("Brig.")
        return round(confidence, 2)


# --- Doubled words ------------------------------------------------------------------------

# A space (or a line start) as the literal first character lets the regex engine skip ahead
# fast; the possessive `++` spares it from backtracking through every word. The comparison
# ignores case so that "The the" at a sentence start is found in the same scan.
DOUBLED_WORD = re.compile(r" ([A-Za-z]++) (?i:\1)(?![\w'’-])")
DOUBLED_AT_LINE_START = re.compile(r"\n([A-Za-z]++) (?i:\1)(?![\w'’-])")
REPEAT_OF = "(?: {})+(?![\\w'’-])"
SENTENCE_START = re.compile(r"(?:^|\n|[.!?][\"”’)]* )$")


class DoubledWords:
    """`mt.doubled_word`: "the the" -> "the"; "had had" stays."""

    rule = "mt.doubled_word"

    def __init__(self, entry: RuleEntry) -> None:
        self.always_wrong = _words(entry, "always_wrong")
        self.allowed = _words(entry, "grammatical") | _words(entry, "reduplications")

    @staticmethod
    def may_find(lines: str) -> bool:
        return bool(DOUBLED_WORD.search(lines) or DOUBLED_AT_LINE_START.search(lines))

    def __call__(self, text: str, scope: Scope) -> Iterator[Finding]:
        at_start = DOUBLED_AT_LINE_START.match("\n" + text[:64])  # a line start like any other
        starts = {0} if at_start else set()
        for pattern in (DOUBLED_WORD, DOUBLED_AT_LINE_START):
            starts.update(m.start(1) for m in pattern.finditer(text))
        covered = 0
        for start in sorted(starts):
            finding = self._finding(text, start, scope) if start >= covered else None
            if finding is not None:
                covered = finding.end
                yield finding

    def _finding(self, text: str, start: int, scope: Scope) -> Finding | None:
        word_end = text.index(" ", start)
        word = text[start:word_end].lower()
        if word in self.allowed or text[word_end + 1].isupper() or not scope(start):
            return None  # "Walla Walla", "the The Hague", "had had"
        if text[start].isupper() and not SENTENCE_START.search(text, max(0, start - 4), start):
            return None  # "Will will": a capitalized first copy is a name unless a sentence starts
        repeats = re.compile(REPEAT_OF.format(re.escape(word)), re.IGNORECASE)
        end = repeats.match(text, word_end).end()
        confidence = 0.95 if word in self.always_wrong else 0.6
        return Finding(word_end, end, "", self.rule, confidence, f"doubled word {word!r}")


# --- Repeated sentences -------------------------------------------------------------------

SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?= )")
# How many pieces (`_pieces`) apart the repeated-sentence screen looks for a repeat: a sentence
# holding up to two abbreviations is cut in up to three pieces.
REPEAT_REACH = 3
SENTENCE_MARKS = ".?!"
CLOSERS = '"”’)'


def _repeated_pieces(text: str) -> set[str]:
    """The pieces of `text` (`_pieces`) equal to one of the `REPEAT_REACH` pieces after them,
    found at C speed: a line holding a repeated run of sentences (of at most that many pieces)
    holds one of them. Pieces further apart are not compared: stories repeat set phrases from
    paragraph to paragraph.

    >>> sorted(_repeated_pieces("Why? It rained. It rained.\\nOk."))
    ['It rained.']
    """
    pieces = _pieces(text)
    repeated = set()
    for distance in range(1, REPEAT_REACH + 1):
        repeated.update(compress(pieces, map(operator.eq, pieces, islice(pieces, distance, None))))
    repeated.discard("")
    return repeated


def _pieces(text: str) -> list[str]:
    """`text` cut at line breaks and after the spaces that follow a sentence mark, alone or with
    one closing quote or bracket: where `SENTENCE_END` cuts, except after a mark followed by two
    or more of them ('.”) '). Two copies of a run of sentences in a row are cut into the same
    pieces.

    >>> _pieces('Why? He said "go." He said "go."')
    ['Why?', 'He said "go."', 'He said "go."']
    """
    # Strings that end with a space are slow to search for: look for their first characters
    # alone first, which rules out most of them.
    marks = [mark for mark in SENTENCE_MARKS if mark in text]
    closers = [closer for closer in CLOSERS if closer in text]
    ends = [mark + closer for mark in marks for closer in closers if mark + closer in text]
    for end in ends + marks:
        text = text.replace(f"{end} ", f"{end}\n")
    return text.split("\n")


class RepeatedSentences:
    """`mt.repeated_sentence`: "A long sentence. A long sentence." -> "A long sentence."."""

    rule = "mt.repeated_sentence"

    def __init__(self, entry: RuleEntry) -> None:
        self.min_words = entry.require("min_words", int)
        if self.min_words < 1:
            raise entry.error("min_words must be >= 1")

    def may_find(self, lines: str) -> bool:
        return bool(_repeated_pieces(lines))

    def __call__(self, text: str, scope: Scope) -> Iterator[Finding]:
        repeated = _repeated_pieces(text)
        if not repeated:
            return
        start = 0
        for line in text.split("\n"):
            if (
                len(line) >= 8 * self.min_words
                and any(piece in line for piece in repeated)
                and scope(start)
            ):
                yield from self._repeats(line, start)
            start += len(line) + 1

    def _repeats(self, line: str, offset: int) -> Iterator[Finding]:
        bounds = [0] + [m.end() + 1 for m in SENTENCE_END.finditer(line)] + [len(line) + 1]
        sentences = [line[a : b - 1] for a, b in zip(bounds, bounds[1:], strict=False)]
        index = 0
        while index < len(sentences):
            for size in (1, 2, 3):
                first = " ".join(sentences[index : index + size])
                second = " ".join(sentences[index + size : index + 2 * size])
                if first == second and self._is_sentence(first):
                    end_first = bounds[index + size] - 1
                    end_second = bounds[index + 2 * size] - 1
                    yield Finding(
                        offset + end_first,
                        offset + end_second,
                        "",
                        self.rule,
                        0.95,
                        "sentence repeated",
                    )
                    index += 2 * size
                    break
            else:
                index += 1

    def _is_sentence(self, text: str) -> bool:
        return (text[:1].isupper() or text[:1] in '“"‘') and len(text.split()) >= self.min_words


# --- Unbalanced quotes --------------------------------------------------------------------

QUOTE_MARKS = '“”"'
INCH_MARK = re.compile(r"\d\"")


class UnbalancedQuotes:
    """`mt.unbalanced_quotes`: flags paragraphs whose double quotes do not pair up."""

    rule = "mt.unbalanced_quotes"

    @staticmethod
    def may_find(lines: str) -> bool:
        return any(mark in lines for mark in QUOTE_MARKS)

    def __call__(self, text: str, scope: Scope) -> Iterator[Finding]:
        line_end = -1
        for position in _positions(text, QUOTE_MARKS):
            if position < line_end:
                continue  # a line already judged
            start, line_end = _line_bounds(text, position)
            if scope(start):
                problem = self._problem(text, start, line_end)
                if problem:
                    yield Finding(start, line_end, None, self.rule, problem[1], problem[0])

    @staticmethod
    def _problem(text: str, start: int, end: int) -> tuple[str, float] | None:
        line = text[start:end]
        opening, closing = line.count("“"), line.count("”")
        if closing > opening:
            return f"{closing} closing quotes for {opening} opening", 0.9
        if opening > closing:
            if opening == closing + 1 and _next_paragraph(text, end).startswith("“"):
                return None  # a quotation running on into the next paragraph
            return f"{opening} opening quotes for {closing} closing", 0.8
        straight = line.count('"') - len(INCH_MARK.findall(line))
        if straight % 2:
            return "odd number of straight double quotes", 0.7
        return None


def _next_paragraph(text: str, end: int) -> str:
    r"""The first line after the line that ends at `end` with more than whitespace ("" if none).

    >>> _next_paragraph("a\n \n\nb\nc", 1)
    'b'
    """
    start = end + 1
    while start <= len(text):
        line_end = text.find("\n", start)
        if line_end == -1:
            line_end = len(text)
        if text[start:line_end].strip():
            return text[start:line_end]
        start = line_end + 1
    return ""


# --- Paragraphs in another language -------------------------------------------------------


PARAGRAPH_TOKENS = re.compile(r"[\s()\[\]]+")


def _has_words(paragraph: str, minimum: int) -> bool:
    """Whether a paragraph has `minimum` words, not counting URLs and tokens without letters
    (counted only as far as needed).

    >>> _has_words("[Share](https://example.com/a) on Facebook · 2024", 3)
    True
    >>> _has_words("[Share](https://example.com/a) on Facebook · 2024", 4)
    False
    """
    count = 0
    for token in PARAGRAPH_TOKENS.split(paragraph):
        if any(map(str.isalpha, token)) and not _is_urlish(token):
            count += 1
            if count >= minimum:
                return True
    return False


def _foreign_paragraphs(doc: Document, config: MtConfig) -> Iterator[Finding]:
    """`mt.foreign_paragraph`: paragraphs in another language than the document."""
    if doc.lang == UNDETERMINED:
        return
    text = doc.text
    for paragraph in doc.paragraphs:
        if (
            paragraph.lang in (UNDETERMINED, doc.lang)
            or paragraph.confidence < config.foreign_min_confidence
            or not _has_words(text[paragraph.start : paragraph.end], config.foreign_min_words)
        ):
            continue
        start, end = paragraph.start, paragraph.end
        # Remove the paragraph with the blank lines after it (or, for the last one, before it)
        # so that the paragraphs around it keep exactly one separator.
        while end < len(text) and text[end] == "\n":
            end += 1
        if end == len(text):
            while start > 0 and text[start - 1] == "\n":
                start -= 1
        yield Finding(
            start,
            end,
            "" if config.drop_foreign else None,
            "mt.foreign_paragraph",
            round(paragraph.confidence, 4),
            f"paragraph in {paragraph.lang!r}, document in {doc.lang!r}",
            {"lang": paragraph.lang, "doc_lang": doc.lang},
        )


# --- The stage ----------------------------------------------------------------------------


class Fix(Protocol):
    """A fix scans the whole text for its findings; `may_find(lines)` is a cheap necessary
    condition for a finding in the given lines (see `Scope.screen_text`)."""

    def __call__(self, text: str, scope: Scope) -> Iterable[Finding]: ...

    def may_find(self, lines: str) -> bool: ...


PHRASES = "phrase rules"
# Fixes run in batches: the fixes of a batch scan the same text and their edits are applied
# together. The order matters: a fix must not create work for one in an earlier batch (so
# that cleaning twice changes nothing more); "kyïv" must lose its diaeresis before the
# lowercase-name fix sees "kyiv", and a joined sentence break can expose a doubled word.
ORDER = (
    ("mt.space_before_punct", "mt.space_inside_quotes", "mt.slavic_diaeresis"),
    ("mt.lowercase_name",),
    (PHRASES,),
    ("mt.sentence_break",),
    ("mt.doubled_word",),
    ("mt.repeated_sentence",),
    ("mt.unbalanced_quotes",),
)
BUILT_IN = {step for batch in ORDER for step in batch} - {PHRASES} | {"mt.foreign_paragraph"}


class MtStage:
    name = STAGE
    Config = MtConfig

    def __init__(self, config: MtConfig, rules_dir: Path) -> None:
        self.config = config
        entries: dict[str, RuleEntry] = {}
        phrase_rules = []
        for entry in load_stage_rules(rules_dir, self.name):
            if "pattern" in entry.fields:
                phrase_rules.append(PhraseRule.from_entry(entry))
            elif entry.id in BUILT_IN:
                entries[entry.id] = entry
            else:
                raise entry.error(
                    "neither a phrase rule (no 'pattern') nor a built-in fix "
                    f"({', '.join(sorted(BUILT_IN))})"
                )
        builders: dict[str, Callable[[RuleEntry], Fix]] = {
            "mt.space_before_punct": lambda entry: SpaceBeforePunctuation(),
            "mt.space_inside_quotes": lambda entry: SpaceInsideQuotes(),
            "mt.slavic_diaeresis": SlavicDiaeresis,
            "mt.lowercase_name": lambda entry: LowercaseNames(
                entry, known_names(rules_dir, config.lang)
            ),
            "mt.sentence_break": SentenceBreaks,
            "mt.doubled_word": DoubledWords,
            "mt.repeated_sentence": RepeatedSentences,
            "mt.unbalanced_quotes": lambda entry: UnbalancedQuotes(),
        }
        self.batches: list[list[Fix]] = []
        for batch in ORDER:
            fixes = [
                PhraseRules(phrase_rules) if step == PHRASES else builders[step](entries[step])
                for step in batch
                if (step == PHRASES and phrase_rules) or step in entries
            ]
            if fixes:
                self.batches.append(fixes)
        self.foreign = "mt.foreign_paragraph" in entries

    @property
    def fixes(self) -> list[Fix]:
        return [fix for batch in self.batches for fix in batch]

    def __call__(self, doc: Document) -> Document:
        flags: list[Finding] = []
        if self.foreign and doc.lang != UNDETERMINED:
            found = list(_foreign_paragraphs(doc, self.config))
            if found:
                self._apply(doc, found, flags)
        scope = Scope(doc, self.config.lang)
        for batch in self.batches:
            if scope.nowhere:
                break
            text = doc.text
            lines = scope.screen_text(text)
            findings = [
                finding
                for fix in batch
                if lines is None or fix.may_find(lines)
                for finding in fix(text, scope)
            ]
            if findings and self._apply(doc, findings, flags) and not scope.everywhere:
                # Edits move the paragraphs; a text wholly in the language stays so.
                scope = Scope(doc, self.config.lang)
        for flag in flags:
            doc.flag(
                self.name,
                flag.rule,
                flag.message,
                start=flag.start,
                end=flag.end,
                confidence=flag.confidence,
                data=flag.data,
            )
        return doc

    def _apply(self, doc: Document, findings: Iterable[Finding], flags: list[Finding]) -> int:
        """Apply the confident findings as edits; keep the rest as flags, whose spans are
        moved along with the edits so they point into the final text."""
        edits = []
        for finding in findings:
            confident = (
                finding.confidence is None or finding.confidence >= self.config.min_confidence
            )
            if finding.replacement is not None and confident:
                edits.append(
                    Edit(
                        finding.start,
                        finding.end,
                        finding.replacement,
                        finding.rule,
                        finding.confidence,
                    )
                )
            else:
                flags.append(finding)
        edits = _without_overlaps(edits)
        count = doc.apply(self.name, edits)
        if count:
            flags[:] = [_moved(flag, edits) for flag in flags]
        return count


def _without_overlaps(edits: list[Edit]) -> list[Edit]:
    """The edits sorted by position; where two overlap, the one found first (by the earlier
    fix in the batch) wins and the other waits for the next cleaning."""
    if all(a.end <= b.start for a, b in zip(edits, edits[1:], strict=False)):
        return edits  # found in order and apart: the usual case
    kept: list[Edit] = []
    for edit in edits:
        if all(edit.end <= other.start or edit.start >= other.end for other in kept):
            kept.append(edit)
    return sorted(kept, key=lambda edit: (edit.start, edit.end))


def _moved(finding: Finding, edits: list[Edit]) -> Finding:
    """`finding` with its span moved by the edits (sorted, non-overlapping) made after it."""

    def position(offset: int) -> int:
        shift = 0
        for edit in edits:
            if edit.end <= offset:
                shift += len(edit.replacement) - (edit.end - edit.start)
            elif edit.start < offset:
                return edit.start + shift + len(edit.replacement)
            else:
                break
        return offset + shift

    return finding._replace(start=position(finding.start), end=position(finding.end))
