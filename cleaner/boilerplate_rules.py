"""Compiling the boilerplate line rules into a matcher that stays fast as rules are added.

A line rule is a regular expression that must match a whole line (see the format at the top of
`rules/boilerplate/any.yaml`). Trying every rule on every line costs time in proportion to the
number of rules, so the rules are indexed instead:

1. one Aho-Corasick pass over a document's text screens all its lines
   (`LineMatcher.candidate_lines`): a line is tried only if it starts with a prefix of some
   rule, ends with a suffix of one or holds one of its `requires` words, and is no longer than
   that rule's `max_chars` (most content lines are long sentences);
2. each rule's possible first characters are read off its parsed pattern, and for the line's
   first characters only the rules that can start with them are tried;
3. those rules are compiled together into one alternation with a named group per rule, so the
   regex engine (in C) tries them in one call, not a Python loop.

Patterns run on the `regex` module with a per-line `timeout`, so a pattern that backtracks
catastrophically (`(a|aa)+b`) costs one flag, never a hung batch.
"""

from __future__ import annotations

import bisect
import functools
import re
import re._constants as sre_constants
import re._parser as sre_parser
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import regex
from ahocorasick_rs import AhoCorasick, Implementation, MatchKind

from cleaner.document import UNDETERMINED, line_starts
from cleaner.memo import BoundedMemo
from cleaner.rules import RuleEntry

ACTIONS = ("remove", "block", "trailing", "flag")
KINDS = (
    "ad",
    "app",
    "caption",
    "comment_counter",
    "comment_prompt",
    "cookie",
    "copyright",
    "credit",
    "donation",
    "learned",
    "lead",
    "navigation",
    "newsletter",
    "paywall",
    "placeholder",
    "promo",
    "share",
    "social",
    "source",
    "subscription",
    "tags",
    "teaser",
    "template",
    "title",
)
DEFAULT_MAX_CHARS = 200
# Scrapers keep list markers of teasers and related links ("• Also read: ...", "» See also");
# rules are matched against the line without them, so no pattern has to repeat them.
LIST_MARKERS = " \t•·▪◦●►▶»>*_-–—"
MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
# Every character `str.isspace` accepts is below U+3001 (the last is U+3000, the ideographic
# space; a test checks the whole range): looking through all of Unicode would cost every process
# half a second.
SPACES = "".join(char for char in map(chr, range(0x3001)) if char.isspace())
# The space characters other than " " (and the line break): the index and the screen see each
# of them as " " (`index_form`), so a `\\s` of a rule is one character to them, not thirty.
ODD_SPACES = SPACES.replace(" ", "").replace("\n", "")
ODD_SPACE = re.compile(f"[{re.escape(ODD_SPACES)}]")
# What makes a line other than its own key (see `line_key`) or its key other than its index
# form, as screen patterns: spaces or a list marker at its start, a space at its end, Markdown
# links and emphasis, any other space character.
KEYED_LINE_MARKS = frozenset(
    {
        *(f"\n{char}" for char in LIST_MARKERS if char not in ODD_SPACES),
        " \n",
        *ODD_SPACES,
        "](",
        "**",
        "__",
    }
)


def line_key(line: str) -> str:
    """The part of a line that rules see: list markers, surrounding spaces and Markdown markup
    (emphasis around the line, `**bold**`, `[text](link)`) removed.

    >>> line_key("  • Also read: Ukraine joins NATO ")
    'Also read: Ukraine joins NATO'
    >>> line_key("**Read more:** [Kyiv reopens metro](https://example.com/a)")
    'Read more: Kyiv reopens metro'
    >>> line_key("Required fields are marked *")
    'Required fields are marked *'
    """
    stripped = line.strip()
    key = stripped.lstrip(LIST_MARKERS)
    if "](" in key:
        key = MARKDOWN_LINK.sub(r"\1", key)
    if "**" in key or "__" in key:
        key = key.replace("**", "").replace("__", "")
    if stripped[:1] in ("*", "_"):
        key = key.rstrip("*_ ")
    return key


@dataclass(frozen=True)
class LineRule:
    """One compiled line rule."""

    id: str
    lang: str
    kind: str
    action: str
    pattern: str
    max_chars: int
    case_sensitive: bool
    description: str
    examples_match: tuple[str, ...]
    examples_no_match: tuple[str, ...]
    compiled: Any = field(repr=False, compare=False)
    requires: tuple[str, ...] = ()

    @property
    def scoped_pattern(self) -> str:
        flag = "-i" if self.case_sensitive else "i"
        return f"(?{flag}:{self.pattern})"

    def matches(self, key: str, timeout: float) -> bool:
        return len(key) <= self.max_chars and bool(self.compiled.fullmatch(key, timeout=timeout))


def compile_line_rule(entry: RuleEntry, lang: str) -> LineRule:
    """Check one rule entry (fields, pattern, its own examples) and compile it."""
    kind = entry.require("kind")
    if kind not in KINDS:
        raise entry.error(f"unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
    action = entry.require("action")
    if action not in ACTIONS:
        raise entry.error(f"unknown action {action!r} (actions: {', '.join(ACTIONS)})")
    pattern = entry.require("pattern")
    if "(?P<" in pattern or "(?<" in pattern.replace("(?<=", "").replace("(?<!", ""):
        raise entry.error("named groups are reserved for the matcher; use (?:...)")
    max_chars = entry.optional("max_chars", int, DEFAULT_MAX_CHARS)
    if not 1 <= max_chars <= 2000:
        raise entry.error(f"max_chars must be between 1 and 2000, got {max_chars}")
    case_sensitive = entry.optional("case_sensitive", bool, False)
    requires = entry.optional("requires", list, [])
    if not all(isinstance(word, str) and word for word in requires):
        raise entry.error("requires must be a list of non-empty strings")
    examples = entry.require("examples", dict)
    matching = _example_list(entry, examples, "match")
    not_matching = _example_list(entry, examples, "no_match", required=False)
    flags = regex.V0 if case_sensitive else regex.V0 | regex.IGNORECASE
    try:
        compiled = regex.compile(pattern, flags)
    except regex.error as error:
        raise entry.error(f"invalid pattern: {error}") from None
    rule = LineRule(
        id=entry.id,
        lang=lang,
        kind=kind,
        action=action,
        pattern=pattern,
        max_chars=max_chars,
        case_sensitive=case_sensitive,
        description=entry.require("description"),
        examples_match=matching,
        examples_no_match=not_matching,
        requires=tuple(word.lower() for word in requires),
        compiled=compiled,
    )
    for example in matching:
        if not _example_matches(entry, rule, example):
            raise entry.error(f"example does not match: {example!r}")
        if requires and not any(word in example.lower() for word in rule.requires):
            raise entry.error(f"example has none of the required words: {example!r}")
    for example in not_matching:
        if _example_matches(entry, rule, example):
            raise entry.error(f"no_match example matches: {example!r}")
    return rule


def _example_list(
    entry: RuleEntry, examples: dict[str, Any], key: str, *, required: bool = True
) -> tuple[str, ...]:
    values = examples.get(key)
    if values is None and not required:
        return ()
    if not isinstance(values, list) or (required and not values):
        raise entry.error(f"examples.{key} must be a non-empty list of lines")
    if not all(isinstance(value, str) for value in values):
        raise entry.error(f"examples.{key} must hold strings only")
    return tuple(values)


def _example_matches(entry: RuleEntry, rule: LineRule, example: str) -> bool:
    try:
        return rule.matches(line_key(example), timeout=1.0)
    except TimeoutError:
        raise entry.error(f"pattern times out on its example {example!r}") from None


ANY_CHAR = None
DECIMAL = re.compile(r"\d")


def index_form(text: str) -> str:
    """Lowercase `text` as the index files rules under: every decimal digit as "0", so that
    `\\d+ comments` has a few prefixes, not thousands, and every space character as " ".

    >>> index_form("12\\u00a0comments")
    '00 comments'
    """
    if DECIMAL.search(text):
        text = DECIMAL.sub("0", text)
    return spaces_as_space(text)


def spaces_as_space(text: str) -> str:
    """`text` with every space character other than " " and the line break as " "."""
    return ODD_SPACE.sub(" ", text) if ODD_SPACE.search(text) else text


# Screen patterns standing for "a decimal digit at the start (end) of the key", spelled out
# for every digit `\\d` matches when the automaton is built (`decimal_digits`).
DIGIT_EDGE = {True: "\n0", False: "0\n"}


def _screen_patterns(strings: frozenset[str], forward: bool) -> set[str]:
    """Screen patterns for a rule's prefixes (or reversed suffixes): "\\nprefix" (or
    "suffix\\n"). Digits are "0" in the index, but folding them in the text costs more than
    the screen saves, so a prefix stops at its first digit; one that starts with digits
    ("00 comm", from `\\d+ comments?`) becomes what follows them (" comm"), to be found
    anywhere in the line, or, when that is too short to be selective, `DIGIT_EDGE` ("\\n0"
    or "0\\n": any digit at that edge; `inner_words` may find better).
    """
    patterns = set()
    for string in strings:
        literal, _, rest = string.partition("0")
        if literal:
            patterns.add(f"\n{literal}" if forward else f"{literal[::-1]}\n")
            continue
        after_digits = rest.lstrip("0").partition("0")[0]
        if len(after_digits) >= 6:
            patterns.add(after_digits if forward else after_digits[::-1])
        else:
            patterns.add(DIGIT_EDGE[forward])
    return patterns


@functools.cache
def decimal_digits() -> str:
    """Every character `\\d` matches (in any script: "٣" is three): the screen spells out "a
    digit at the start of the line" for a rule that has nothing more selective."""
    return "".join(char for char in map(chr, range(sys.maxunicode + 1)) if char.isdecimal())


def _fold_char(char: str) -> str:
    return "0" if char.isdecimal() else " " if char.isspace() else char


# Stands for "any letter, digit or underscore" (`\\w`) in an edge set.
WORD_CHAR = "\x00"
FORWARD, REVERSE = "forward", "reverse"


@functools.lru_cache(maxsize=4096)
def edge_chars(pattern: str, *, last: bool = False) -> frozenset[str] | None:
    """The lowercase characters a match of `pattern` can start with (or end with, `last=True`),
    or None when that cannot be bounded (a `.`, `\\w`, a negated class, a pattern the `re`
    parser does not read).

    >>> sorted(edge_chars(r"(?:also|read) more|see"))
    ['a', 'r', 's']
    >>> edge_chars(r".+ comments") is None, sorted(edge_chars(r".{10,250}\\((?:AFP|dpa)\\)", last=True))
    (True, [')'])
    """
    parsed = _parsed(pattern)
    if parsed is None:
        return ANY_CHAR
    chars, _nullable = _edge(list(parsed), last)
    if chars is ANY_CHAR:
        return ANY_CHAR
    # Buckets are keyed by the lowercased character, for case-sensitive rules too.
    return frozenset(_fold_char(c.lower()) for c in chars)


def direction_free(pattern: str) -> bool:
    """Whether `pattern` matches the same strings whole whichever way it is matched: true
    unless it has an atomic group, a possessive quantifier, a backreference or a conditional
    (or the `re` parser cannot read it).

    >>> direction_free(r".{10,250}\\((?:photo|image)s?:[^)]{1,100}\\)")
    True
    >>> direction_free(r".{1,20}a++ab")
    False
    """
    parsed = _parsed(pattern)
    return parsed is not None and not _directional(list(parsed))


def _directional(items: list) -> bool:
    c = sre_constants
    for op, argument in items:
        if op in (c.ATOMIC_GROUP, c.POSSESSIVE_REPEAT, c.GROUPREF, c.GROUPREF_EXISTS):
            return True
        if op is c.SUBPATTERN:
            inner = [argument[-1]]
        elif op is c.BRANCH:
            inner = argument[1]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            inner = [argument[2]]
        elif op in (c.ASSERT, c.ASSERT_NOT):
            inner = [argument[1]]
        else:
            continue
        if any(_directional(list(sequence)) for sequence in inner):
            return True
    return False


def _edge(items: list, last: bool) -> tuple[set[str] | None, bool]:
    """FIRST (or LAST) set and nullability of a parsed sequence (see `edge_chars`)."""
    result: set[str] = set()
    for op, argument in reversed(items) if last else items:
        chars, nullable = _edge_of_item(op, argument, last)
        if chars is ANY_CHAR:
            return ANY_CHAR, False
        result |= chars
        if not nullable:
            return result, False
    return result, True


def _edge_of_item(op: Any, argument: Any, last: bool) -> tuple[set[str] | None, bool]:
    c = sre_constants
    if op is c.LITERAL:
        return {chr(argument)}, False
    if op is c.IN:
        chars: set[str] = set()
        for member_op, member in argument:
            if member_op is c.LITERAL:
                chars.add(chr(member))
            elif member_op is c.RANGE and member[1] - member[0] <= 512:
                chars.update(chr(code) for code in range(member[0], member[1] + 1))
            elif member_op is c.CATEGORY and member is c.CATEGORY_DIGIT:
                chars.add("0")
            elif member_op is c.CATEGORY and member is c.CATEGORY_WORD:
                chars.add(WORD_CHAR)
            else:
                return ANY_CHAR, False
        return chars, False
    if op is c.BRANCH:
        union: set[str] = set()
        any_nullable = False
        for branch in argument[1]:
            chars_branch, nullable = _edge(list(branch), last)
            if chars_branch is ANY_CHAR:
                return ANY_CHAR, False
            union |= chars_branch
            any_nullable = any_nullable or nullable
        return union, any_nullable
    if op is c.SUBPATTERN:
        return _edge(list(argument[-1]), last)
    if op is c.ATOMIC_GROUP:
        return _edge(list(argument), last)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _high, sub = argument
        chars_sub, nullable = _edge(list(sub), last)
        return chars_sub, nullable or low == 0
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return set(), True
    return ANY_CHAR, False


PREFIX_LENGTH = 3
# How many line answers `LineMatcher.match` remembers (a few MB at most).
MAX_ANSWERS = 1 << 16
MAX_PREFIXES = 4000
# The screen looks for the longest of these prefixes (suffixes) a rule has at most
# `MAX_SCREEN_AFFIXES` of: "read more:" is a far rarer line start than "rea".
SCREEN_LENGTHS = (3, 4, 6, 8, 12)
MAX_SCREEN_AFFIXES = 400


@functools.lru_cache(maxsize=4096)
def affixes(
    pattern: str, *, last: bool = False, length: int = PREFIX_LENGTH
) -> frozenset[str] | None:
    """Every lowercase string of `length` characters a match can start with (or end with,
    reversed, `last=True`), plus the whole matches shorter than that; None when there are too
    many or they cannot be bounded. The finest level of the index: a line is tried against a
    rule only if its first three characters are among the rule's prefixes.

    >>> sorted(affixes(r"(?:also|see) read\\s*:.+|ad"))
    ['ad', 'als', 'see']
    >>> sorted(affixes(r".{10,250}\\((?:AFP|dpa)\\)", last=True))
    [')ap', ')pf']
    """
    parsed = _parsed(pattern)
    if parsed is None:
        return None
    strings = _sequence_affixes(list(parsed), length, last)
    return None if strings is None else frozenset(strings)


@functools.lru_cache(maxsize=4096)
def _parsed(pattern: str) -> Any:
    try:
        return sre_parser.parse(pattern)
    except (re.error, OverflowError, RecursionError):
        return None


@functools.lru_cache(maxsize=4096)
def screen_affixes(pattern: str, *, last: bool) -> frozenset[str] | None:
    """The affixes of `pattern` the screen looks for: those of the longest length in
    `SCREEN_LENGTHS` that it has at most `MAX_SCREEN_AFFIXES` of (None when it has more than
    that even of three characters).

    >>> sorted(screen_affixes(r"(?:also|see) read\\s*:.+|ad", last=False))
    ['ad', 'also rea', 'see read']
    """
    best = None
    for length in SCREEN_LENGTHS:
        strings = affixes(pattern, last=last, length=length)
        if strings is None or len(strings) > MAX_SCREEN_AFFIXES:
            break
        best = strings
    return best


def inner_words(pattern: str) -> frozenset[str] | None:
    """For a pattern that starts with a number (`\\d+ comments`, `\\d+\\s*min read`): what
    follows the number, as words every match holds somewhere ("comments", "min read"); None
    when no part of what follows starts with four or more letters or punctuation.

    >>> sorted(inner_words(r"(?:\\d[\\d,.]*\\s*(?:views?|likes?))"))
    ['like', 'likes', 'view', 'views']
    >>> inner_words(r"\\d+") is None
    True
    """
    items = list(_parsed(pattern) or ())
    while len(items) == 1 and items[0][0] is sre_constants.SUBPATTERN:
        items = list(items[0][1][-1])
    # A match of the whole holds a match of any tail of it.
    for start in range(1, len(items)):
        best = None
        for length in SCREEN_LENGTHS:
            strings = _sequence_affixes(items[start:], length, last=False)
            if strings is None or len(strings) > MAX_SCREEN_AFFIXES:
                break
            if all(len(string.strip()) >= 4 and "0" not in string for string in strings):
                best = frozenset(strings)
        if best:
            return best
    return None


def _sequence_affixes(items: list, length: int, last: bool) -> set[str] | None:
    """Strings of `length` characters a match of the sequence can start with, and the shorter
    complete matches (see `affixes`); reversed when `last`."""
    partial = {""}
    done: set[str] = set()
    for op, argument in reversed(items) if last else items:
        grown: set[str] = set()
        for start in partial:
            options = _item_affixes(op, argument, length - len(start), last)
            if options is None:
                return None
            for option in options:
                (done if len(start) + len(option) == length else grown).add(start + option)
        partial = grown
        if len(partial) + len(done) > MAX_PREFIXES:
            return None
        if not partial:
            break
    return done | partial


def _item_affixes(op: Any, argument: Any, length: int, last: bool) -> set[str] | None:
    c = sre_constants
    if op is c.LITERAL:
        char = _fold_char(chr(argument).lower())
        return {char} if len(char) == 1 else None
    if op is c.IN:
        chars: set[str] = set()
        for member_op, member in argument:
            if member_op is c.LITERAL:
                chars.add(_fold_char(chr(member).lower()))
            elif member_op is c.RANGE and member[1] - member[0] <= 64:
                chars.update(
                    _fold_char(chr(code).lower()) for code in range(member[0], member[1] + 1)
                )
            elif member_op is c.CATEGORY and member is c.CATEGORY_DIGIT:
                chars.add("0")
            elif member_op is c.CATEGORY and member is c.CATEGORY_SPACE:
                chars.add(" ")
            else:
                return None
        return chars if all(len(char) == 1 for char in chars) else None
    if op is c.BRANCH:
        union: set[str] = set()
        for branch in argument[1]:
            strings = _sequence_affixes(list(branch), length, last)
            if strings is None:
                return None
            union |= strings
        return union
    if op is c.SUBPATTERN:
        return _sequence_affixes(list(argument[-1]), length, last)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, high, sub = argument
        once = _sequence_affixes(list(sub), length, last)
        if once is None:
            return None
        partial, result = {""}, set()
        for count in range(min(high, low + length) + 1):
            if count >= low:
                result |= partial
            grown = set()
            for start in partial:
                if len(start) == length:
                    result.add(start)
                    continue
                for option in _sequence_affixes(list(sub), length - len(start), last) or ():
                    grown.add(start + option)
            if len(grown) > MAX_PREFIXES:
                return None
            if grown == partial:
                break
            partial = grown
        return result if len(result) <= MAX_PREFIXES else None
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return {""}
    return None


def _index_entry(pattern: str) -> tuple[str, frozenset[str] | None, frozenset[str] | None]:
    """How a rule is filed: the direction it is matched in, and its edge characters and
    affixes on that side. The more selective side wins: three-character affixes, then edge
    characters without `\\w`, then the end (content lines end in punctuation, which few rules
    end with)."""
    prefixes, suffixes = affixes(pattern), affixes(pattern, last=True)
    first, last = edge_chars(pattern), edge_chars(pattern, last=True)
    if prefixes is not None:
        return FORWARD, first, prefixes
    if suffixes is not None:
        return REVERSE, last, suffixes
    if first is not None and WORD_CHAR not in first:
        return FORWARD, first, None
    if last is not None or first is None:
        return REVERSE, last, None
    return FORWARD, first, None


class LineMatcher:
    """All line rules of all languages, indexed so that a line meets only the rules it could
    match.

    A rule whose first characters are bounded is matched forward and filed under each of them;
    the others (captions and credits: `.{10,250}\\(AFP – Archive\\)`) are matched backward
    (the `regex` module's REVERSE flag), from the specific end of the pattern, and filed under
    their possible last characters; a pattern whose answer could depend on the direction
    (`direction_free`) is matched forward whatever its filing. Both are also filed by length
    tier: a line longer than a rule's `max_chars` never meets it. Each bucket (language, tier,
    direction, character) is one alternation with a named group per rule, compiled on first
    use.

    `match(key, lang)` returns the first rule (in file order) of `lang` or of the
    language-independent set `any` that matches the whole key. A paragraph whose language is
    unknown (`und`) is tried against every language's rules.
    """

    def __init__(self, rules: list[LineRule], timeout: float) -> None:
        self.rules = rules
        self.timeout = timeout
        self.by_lang: dict[str, list[int]] = {}
        self.direction: list[str] = []
        self.reversible: list[bool] = []
        self.edges: list[frozenset[str] | None] = []
        self.affixes: list[frozenset[str] | None] = []
        self.gated: dict[str, list[int]] = {}
        for index, rule in enumerate(rules):
            if rule.requires:
                self.gated.setdefault(rule.lang, []).append(index)
            else:
                self.by_lang.setdefault(rule.lang, []).append(index)
            direction, edges, strings = _index_entry(rule.pattern)
            self.direction.append(direction)
            self.reversible.append(direction == REVERSE and direction_free(rule.pattern))
            self.edges.append(edges)
            self.affixes.append(strings)
        self.tiers = sorted({rule.max_chars for rule in rules})
        self.max_chars = self.tiers[-1] if self.tiers else 0
        self._buckets: dict[tuple[str, int, str, str], Any] = {}
        self._tiers: dict[tuple[str, int, str], list[int]] = {}
        self._alternations: dict[str, Any] = {}
        self._gated_by_lang: dict[str, tuple[Any, list[int]]] = {}
        self._gated_patterns: dict[int, Any] = {}
        self._screens: dict[frozenset[str], Any] = {}
        self._rule_screens: dict[int, set[str] | None] = {}
        self._answers = BoundedMemo(self._match_pair, MAX_ANSWERS)

    def match(self, key: str, lang: str) -> LineRule | None:
        """The rule matching `key` in `lang`, or None. Raises `TimeoutError` (from `regex`) when
        the rules take longer than the timeout on this line.

        Answers are remembered: boilerplate is the text that repeats from page to page, so most
        lines a rule matches were seen before ("Source link", "Leave a Reply"). A line that timed
        out is not remembered, and the memory is emptied when it is full."""
        if not key or len(key) > self.max_chars:
            return None
        return self._answers[key, lang]

    def _match_pair(self, key_and_lang: tuple[str, str]) -> LineRule | None:
        return self._match(*key_and_lang)

    def _match(self, key: str, lang: str) -> LineRule | None:
        tier = bisect.bisect_left(self.tiers, len(key))
        folded = key.lower()
        indexed = index_form(folded)
        best = self._bucket_match(key, (lang, tier, FORWARD, indexed[:PREFIX_LENGTH]))
        found = self._bucket_match(key, (lang, tier, REVERSE, indexed[: -PREFIX_LENGTH - 1 : -1]))
        if found is not None and (best is None or found < best):
            best = found
        screen, gated = self._gated(lang)
        if screen is not None and screen.search(folded):
            for index in gated:
                if best is not None and index > best:
                    break
                rule = self.rules[index]
                if (
                    len(key) <= rule.max_chars
                    and any(word in folded for word in rule.requires)
                    and self._gated_pattern(index).fullmatch(key, timeout=self.timeout)
                ):
                    best = index
                    break
        return None if best is None else self.rules[best]

    def candidate_lines(
        self, text: str, langs: set[str], starts: list[int] | None = None
    ) -> set[int] | None:
        """Indexes of the lines of `text` whose key a rule of `langs` could match, found in one
        Aho-Corasick pass over the lowercased text: a rule's prefix at the start of a key, its
        suffix at the end, or one of its `requires` words anywhere, in a key no longer than the
        rule allows. None when some rule can match any line.

        Most lines are their own key, in index form. The same pass finds the few that are not
        (list markers, Markdown, spaces around the line, space characters other than " ":
        `KEYED_LINE_MARKS`); their keys, spaces as " ", are screened in a second, small pass.
        `starts`: where each line starts (`line_starts`), when the caller has them."""
        languages = frozenset(langs)
        if languages not in self._screens:
            self._screens[languages] = self._screen(languages)
        screen = self._screens[languages]
        if screen is None:
            return set()
        if screen is False:
            return None
        if starts is None:
            starts = line_starts(text.split("\n"))
        screened = screen.lines(text, starts)
        if screened is None:
            return None
        found, keyed = screened
        if keyed:
            found -= keyed
            lines = sorted(keyed)
            keys = spaces_as_space(
                "\n".join(line_key(text[starts[line] : starts[line + 1] - 1]) for line in lines)
            )
            screened = screen.lines(keys, line_starts(keys.split("\n")))
            if screened is None:
                return None
            found.update(lines[number] for number in screened[0])
        return found

    def _screen(self, langs: frozenset[str]) -> Any:
        """The screen of a set of languages: an automaton of their forward rules' prefixes
        after a line break, their reverse rules' suffixes before one, and their `requires`
        words, with the longest key each pattern may select; False when a rule could match
        any line, None when no rule can match."""
        indexes = _rules_of(self.by_lang, langs)
        gated = _rules_of(self.gated, langs)
        limits: dict[str, int] = {}

        def add(pattern: str, index: int) -> None:
            limits[pattern] = max(limits.get(pattern, 0), self.rules[index].max_chars)

        for index in indexes:
            patterns = self._rule_screen(index)
            if patterns is None:
                return False
            for pattern in patterns:
                add(pattern, index)
        for index in gated:
            for word in self.rules[index].requires:
                add(word, index)
        if not limits:
            return None
        for forward, edge in DIGIT_EDGE.items():
            limit = limits.pop(edge, None)
            if limit is not None:
                for digit in decimal_digits():
                    pattern = f"\n{digit}" if forward else f"{digit}\n"
                    limits[pattern] = max(limits.get(pattern, 0), limit)
        return _Screen(limits)

    def _rule_screen(self, index: int) -> set[str] | None:
        """The screen patterns of rule `index` (None when it could match any line), alternative
        by alternative: each has its own longest bounded affixes ("latest news" is a rarer line
        start than the "late" all of a rule's alternatives share)."""
        if index not in self._rule_screens:
            forward = self.direction[index] == FORWARD
            patterns: set[str] | None = set()
            for alternative in split_alternatives(self.rules[index].pattern):
                strings = (
                    screen_affixes(alternative, last=not forward)
                    or affixes(alternative, last=not forward)
                    or edge_chars(alternative, last=not forward)
                )
                if not strings or "" in strings or WORD_CHAR in strings:
                    patterns = None
                    break
                found = _screen_patterns(strings, forward)
                if forward and DIGIT_EDGE[forward] in found:
                    # "Any line that starts with a digit" picks many headlines; the words
                    # after the number pick few lines.
                    found = set(inner_words(alternative) or found)
                patterns |= found
            self._rule_screens[index] = patterns
        return self._rule_screens[index]

    def _bucket_match(self, key: str, bucket: tuple[str, int, str, str]) -> int | None:
        compiled = self._buckets.get(bucket)
        if compiled is None:
            compiled = self._compile_bucket(bucket)
        if compiled is False:
            return None
        found = compiled.fullmatch(key, timeout=self.timeout)
        return None if found is None else int(found.lastgroup[2:])

    def _gated(self, lang: str) -> tuple[Any, list[int]]:
        """Rules with `requires` words, in file order, and one literal screen for all their
        words: they are tried only on lines that hold one of the words."""
        found = self._gated_by_lang.get(lang)
        if found is None:
            indexes = _rules_of(self.gated, {lang})
            words = sorted({word for index in indexes for word in self.rules[index].requires})
            screen = re.compile("|".join(map(re.escape, words))) if words else None
            found = self._gated_by_lang[lang] = (screen, indexes)
        return found

    def _gated_pattern(self, index: int) -> Any:
        """Rule `index` compiled to be matched from its more specific end: a caption rule
        (`.{10,250}?... Photo: NAME`) fails in a microsecond backwards, in tens forwards."""
        compiled = self._gated_patterns.get(index)
        if compiled is None:
            rule = self.rules[index]
            compiled = rule.compiled
            if self.reversible[index]:
                compiled = regex.compile(rule.pattern, rule.compiled.flags | regex.REVERSE)
            self._gated_patterns[index] = compiled
        return compiled

    def _compile_bucket(self, bucket: tuple[str, int, str, str]) -> Any:
        lang, tier, direction, end = bucket
        chosen = tuple(
            index
            for index in self._tier_rules(lang, tier, direction)
            if self._may_match(index, end)
        )
        compiled: Any = False
        if chosen:
            alternation = "|".join(
                f"(?P<_r{index}>{self._bucket_pattern(index, end)})" for index in chosen
            )
            compiled = self._alternations.get(alternation)
            if compiled is None:
                reverse = all(self.reversible[index] for index in chosen)
                flags = regex.V0 | (regex.REVERSE if reverse else 0)
                compiled = self._alternations[alternation] = regex.compile(alternation, flags)
        self._buckets[bucket] = compiled
        return compiled

    def _tier_rules(self, lang: str, tier: int, direction: str) -> list[int]:
        """The rules, in file order, that buckets of (`lang`, `tier`, `direction`) choose from:
        buckets keep being added as new line starts come in, so this part is kept."""
        found = self._tiers.get((lang, tier, direction))
        if found is None:
            indexes = _rules_of(self.by_lang, {lang})
            shortest = self.tiers[tier]
            found = self._tiers[lang, tier, direction] = [
                index
                for index in indexes
                if self.direction[index] == direction and self.rules[index].max_chars >= shortest
            ]
        return found

    def _may_match(self, index: int, end: str) -> bool:
        """Whether rule `index` can match a key that starts (or ends, reversed) with `end`."""
        return _may_start(self.affixes[index], self.edges[index], end)

    def _bucket_pattern(self, index: int, end: str) -> str:
        """Rule `index` as a bucket holds it: only its alternatives that can match a key that
        starts (or ends, reversed) with `end`, so the engine does not try the others."""
        rule = self.rules[index]
        alternatives = split_alternatives(rule.pattern)
        if len(alternatives) > 1:
            last = self.direction[index] == REVERSE
            kept = [
                alternative
                for alternative in alternatives
                if _may_start(
                    affixes(alternative, last=last), edge_chars(alternative, last=last), end
                )
            ]
            if len(kept) < len(alternatives):
                flag = "-i" if rule.case_sensitive else "i"
                return f"(?{flag}:{'|'.join(kept)})"
        return rule.scoped_pattern


class _Screen:
    """An Aho-Corasick automaton of screen patterns ("\\nprefix", "suffix\\n", words found
    anywhere), each with the longest key it may select, and of `KEYED_LINE_MARKS`."""

    def __init__(self, limits: dict[str, int]) -> None:
        patterns = sorted({*limits, *KEYED_LINE_MARKS})
        self.automaton = AhoCorasick(
            patterns, matchkind=MatchKind.Standard, implementation=Implementation.DFA
        )
        self.limits = [limits.get(pattern, -1) for pattern in patterns]
        self.heads = [pattern.startswith("\n") for pattern in patterns]
        self.keyed = [pattern in KEYED_LINE_MARKS for pattern in patterns]

    def lines(self, text: str, starts: list[int]) -> tuple[set[int], set[int]] | None:
        """The lines of `text` (starting at `starts`), each taken as its own key, that the
        screen picks, and those that are not their own key; None when lowercasing changes the
        text's length (positions in it would not be positions in `text`)."""
        lowered = text.lower()
        if len(lowered) != len(text):
            return None
        limits, heads, keyed = self.limits, self.heads, self.keyed
        found, keyed_lines = set(), set()
        # A match at `start` of the haystack is at `start - 1` of the text; the first character
        # of the line in a "\nprefix" match is at `start + 1`.
        haystack = f"\n{lowered}\n"
        for pattern, start, _end in self.automaton.find_matches_as_indexes(
            haystack, overlapping=True
        ):
            line = bisect.bisect_right(starts, start if heads[pattern] else start - 1) - 1
            if keyed[pattern]:
                keyed_lines.add(line)
            if starts[line + 1] - 1 - starts[line] <= limits[pattern]:
                found.add(line)
        return found, keyed_lines


def _rules_of(groups: dict[str, list[int]], langs: Iterable[str]) -> list[int]:
    """The rule indexes, in file order, that lines of `langs` meet: those of the languages and
    of `any`, or every rule when one of `langs` is unknown (`und`)."""
    langs = set(langs)
    if UNDETERMINED in langs:
        return sorted(index for group in groups.values() for index in group)
    return sorted(index for lang in ("any", *langs) for index in groups.get(lang, []))


def _may_start(strings: frozenset[str] | None, edges: frozenset[str] | None, end: str) -> bool:
    """Whether a pattern with these affixes and edge characters can match a key that starts
    (or ends, reversed) with `end`."""
    if strings is not None:
        return end in strings
    if edges is None or end[0] in edges:
        return True
    return WORD_CHAR in edges and (end[0].isalnum() or end[0] == "_")


@functools.lru_cache(maxsize=4096)
def split_alternatives(pattern: str) -> tuple[str, ...]:
    """Patterns that together match what `pattern` matches, one alternative each: its
    top-level branches, and a branch that opens with a group of alternatives split into one
    branch per alternative, each followed by the rest of the branch. A whole-line match of
    `pattern` is a whole-line match of one of them.

    >>> split_alternatives(r"(?:also read|see also)(?:\\s*:.+)?|more")
    ('(?:also read)(?:\\\\s*:.+)?', '(?:see also)(?:\\\\s*:.+)?', 'more')
    >>> split_alternatives(r"(?:a|b)+c")
    ('(?:a|b)+c',)
    """
    if "(?#" in pattern or _split_top(pattern) is None:
        return (pattern,)
    result: list[str] = []
    for branch in _split_top(pattern) or ():
        if branch.startswith("(?:"):
            close = _group_end(branch)
            if close is not None and branch[close + 1 : close + 2] not in ("?", "*", "+", "{"):
                inner = _split_top(branch[3:close])
                if inner is not None:
                    tail = branch[close + 1 :]
                    result.extend(f"(?:{alternative}){tail}" for alternative in inner)
                    continue
        result.append(branch)
    return tuple(result)


def _split_top(pattern: str) -> list[str] | None:
    """`pattern` split at its top-level `|` (None when its parentheses do not balance)."""
    parts, depth, start = [], 0, 0
    for position, char in _structure(pattern):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
        elif char == "|" and depth == 0:
            parts.append(pattern[start:position])
            start = position + 1
    if depth:
        return None
    parts.append(pattern[start:])
    return parts


def _group_end(pattern: str) -> int | None:
    """Position of the `)` closing the group that opens `pattern`."""
    depth = 0
    for position, char in _structure(pattern):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return position
    return None


def _structure(pattern: str) -> Iterator[tuple[int, str]]:
    """The positions of the `(`, `)` and `|` of a pattern that are syntax, not escaped or in a
    character class."""
    position, length = 0, len(pattern)
    while position < length:
        char = pattern[position]
        if char == "\\":
            position += 2
            continue
        if char == "[":
            position += 1
            if pattern[position : position + 1] == "^":
                position += 1
            if pattern[position : position + 1] == "]":
                position += 1
            while position < length and pattern[position] != "]":
                position += 2 if pattern[position] == "\\" else 1
            position += 1
            continue
        if char in "()|":
            yield position, char
        position += 1
