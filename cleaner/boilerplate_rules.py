"""Compiling the boilerplate line rules into a matcher that stays fast as rules are added.

A line rule is a regular expression that must match a whole line (see the format at the top of
`rules/boilerplate/any.yaml`). Trying every rule on every line costs time in proportion to the
number of rules, so the rules are indexed instead:

1. a line longer than every rule's `max_chars` is not tried at all (most content lines are long
   sentences);
2. each rule's possible first characters are read off its parsed pattern, and for the line's
   first character only the rules that can start with it are tried;
3. those rules are compiled together into one alternation with a named group per rule, so the
   regex engine (in C) tries them in one call, not a Python loop.

Patterns run on the `regex` module with a per-line `timeout`, so a pattern that backtracks
catastrophically (`(a|aa)+b`) costs one flag, never a hung batch.
"""

from __future__ import annotations

import bisect
import re
import re._constants as sre_constants
import re._parser as sre_parser
from dataclasses import dataclass, field
from typing import Any

import regex

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
# Stands for "any letter, digit or underscore" (`\\w`) in an edge set.
WORD_CHAR = "\x00"
FORWARD, REVERSE = "forward", "reverse"


def edge_chars(pattern: str, *, last: bool = False) -> frozenset[str] | None:
    """The lowercase characters a match of `pattern` can start with (or end with, `last=True`),
    or None when that cannot be bounded (a `.`, `\\w`, a negated class, a pattern the `re`
    parser does not read).

    >>> sorted(edge_chars(r"(?:also|read) more|see"))
    ['a', 'r', 's']
    >>> edge_chars(r".+ comments") is None, sorted(edge_chars(r".{10,250}\\((?:AFP|dpa)\\)", last=True))
    (True, [')'])
    """
    try:
        parsed = sre_parser.parse(pattern)
    except (re.error, OverflowError, RecursionError):
        return ANY_CHAR
    chars, _nullable = _edge(list(parsed), last)
    if chars is ANY_CHAR:
        return ANY_CHAR
    # Buckets are keyed by the lowercased character, for case-sensitive rules too.
    return frozenset(c.lower() for c in chars)


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
                chars.update("0123456789")
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
MAX_PREFIXES = 4000


def affixes(pattern: str, *, last: bool = False) -> frozenset[str] | None:
    """Every lowercase string of `PREFIX_LENGTH` characters a match can start with (or end
    with, reversed, `last=True`), plus the whole matches shorter than that; None when there
    are too many or they cannot be bounded. The finest level of the index: a line is tried
    against a rule only if its first three characters are among the rule's prefixes.

    >>> sorted(affixes(r"(?:also|see) read\\s*:.+|ad"))
    ['ad', 'als', 'see']
    >>> sorted(affixes(r".{10,250}\\((?:AFP|dpa)\\)", last=True))
    [')ap', ')pf']
    """
    try:
        parsed = sre_parser.parse(pattern)
    except (re.error, OverflowError, RecursionError):
        return None
    strings = _sequence_affixes(list(parsed), PREFIX_LENGTH, last)
    return None if strings is None else frozenset(strings)


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
        char = chr(argument).lower()
        return {char} if len(char) == 1 else None
    if op is c.IN:
        chars: set[str] = set()
        for member_op, member in argument:
            if member_op is c.LITERAL:
                chars.add(chr(member).lower())
            elif member_op is c.RANGE and member[1] - member[0] <= 64:
                chars.update(chr(code).lower() for code in range(member[0], member[1] + 1))
            elif member_op is c.CATEGORY and member is c.CATEGORY_DIGIT:
                chars.update("0123456789")
            elif member_op is c.CATEGORY and member is c.CATEGORY_SPACE:
                chars.update(" \t")
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
    their possible last characters. Both are also filed by length tier: a line longer than a
    rule's `max_chars` never meets it. Each bucket (language, tier, direction, character) is
    one alternation with a named group per rule, compiled on first use.

    `match(key, lang)` returns the first rule (in file order) of `lang` or of the
    language-independent set `any` that matches the whole key. A paragraph whose language is
    unknown (`und`) is tried against every language's rules.
    """

    def __init__(self, rules: list[LineRule], timeout: float) -> None:
        self.rules = rules
        self.timeout = timeout
        self.by_lang: dict[str, list[int]] = {}
        self.direction: list[str] = []
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
            self.edges.append(edges)
            self.affixes.append(strings)
        self.tiers = sorted({rule.max_chars for rule in rules})
        self.max_chars = self.tiers[-1] if self.tiers else 0
        self._buckets: dict[tuple[str, int, str, str], Any] = {}
        self._alternations: dict[tuple[int, ...], Any] = {}
        self._gated_by_lang: dict[str, tuple[Any, list[int]]] = {}
        self._screens: dict[str, Any] = {}

    def match(self, key: str, lang: str) -> LineRule | None:
        """The rule matching `key` in `lang`, or None. Raises `TimeoutError` (from `regex`) when
        the rules take longer than the timeout on this line."""
        if not key or len(key) > self.max_chars:
            return None
        tier = bisect.bisect_left(self.tiers, len(key))
        folded = key.lower()
        best = self._bucket_match(key, (lang, tier, FORWARD, folded[:PREFIX_LENGTH]))
        found = self._bucket_match(key, (lang, tier, REVERSE, folded[: -PREFIX_LENGTH - 1 : -1]))
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
                    and rule.compiled.fullmatch(key, timeout=self.timeout)
                ):
                    best = index
                    break
        return None if best is None else self.rules[best]

    def candidate_starts(
        self, text: str, lines: list[tuple[int, int]], langs: set[str]
    ) -> set[int] | None:
        """Start offsets of the lines of `text` (given as (start, end) spans) that a rule of
        `langs` could match: a rule prefix at the line start (one anchored pass of a literal
        screen over the text), a rule suffix at the line end (a set lookup per line), or a
        `requires` word anywhere (`str.find`). Other lines cost no more work. None when some
        rule can match any line."""
        folded = text.lower()
        if len(folded) != len(text):
            return None
        starts: set[int] = set()
        for lang in langs:
            screen = self._screens.get(lang)
            if screen is None:
                screen = self._screens[lang] = self._screen(lang)
            if screen is False:
                return None
            heads, head_chars, tails, tail_chars, words = screen
            word_head, word_tail = WORD_CHAR in head_chars, WORD_CHAR in tail_chars
            for start, end in lines:
                head = folded[start : min(end, start + 24)].lstrip(LIST_MARKERS + "[")
                tail = folded[max(start, end - 8) : end].rstrip("*_ \t")
                if (
                    head[:PREFIX_LENGTH] in heads
                    or head[:1] in head_chars
                    or (word_head and head[:1].isalnum())
                    or tail[-PREFIX_LENGTH:] in tails
                    or tail[-1:] in tail_chars
                    or (word_tail and tail[-1:].isalnum())
                ):
                    starts.add(start)
            for word in words:
                position = folded.find(word)
                while position != -1:
                    starts.add(text.rfind("\n", 0, position) + 1)
                    position = folded.find(word, position + 1)
        return starts

    def _screen(self, lang: str) -> Any:
        """The screen of a language: a regex of its forward rules' prefixes at line starts,
        the set of its reverse rules' suffixes (and edge characters), and its `requires`
        words; False when a rule could match any line."""
        if lang == "und":
            indexes = sorted(i for found in self.by_lang.values() for i in found)
            gated = sorted(i for found in self.gated.values() for i in found)
        else:
            indexes = sorted([*self.by_lang.get("any", []), *self.by_lang.get(lang, [])])
            gated = sorted([*self.gated.get("any", []), *self.gated.get(lang, [])])
        heads: set[str] = set()
        head_chars: set[str] = set()
        tails: set[str] = set()
        tail_chars: set[str] = set()
        for index in indexes:
            strings, edges = self.affixes[index], self.edges[index]
            if strings is None and edges is None:
                return False
            if self.direction[index] == FORWARD:
                (heads if strings is not None else head_chars).update(strings or edges)
            elif strings is not None:
                tails.update(string[::-1] for string in strings)
            else:
                tail_chars.update(edges)
        words = sorted({word for index in gated for word in self.rules[index].requires})
        head_chars.discard("")
        tail_chars.discard("")
        return heads, head_chars, tails, tail_chars, words

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
            if lang == "und":
                indexes = sorted(index for group in self.gated.values() for index in group)
            else:
                indexes = sorted([*self.gated.get("any", []), *self.gated.get(lang, [])])
            words = sorted({word for index in indexes for word in self.rules[index].requires})
            screen = re.compile("|".join(map(re.escape, words))) if words else None
            found = self._gated_by_lang[lang] = (screen, indexes)
        return found

    def _compile_bucket(self, bucket: tuple[str, int, str, str]) -> Any:
        lang, tier, direction, end = bucket
        if lang == "und":
            indexes: list[int] = sorted(i for found in self.by_lang.values() for i in found)
        else:
            indexes = sorted([*self.by_lang.get("any", []), *self.by_lang.get(lang, [])])
        shortest = self.tiers[tier]
        chosen = tuple(
            index
            for index in indexes
            if self.direction[index] == direction
            and self.rules[index].max_chars >= shortest
            and self._may_match(index, end)
        )
        compiled: Any = False
        if chosen:
            compiled = self._alternations.get(chosen)
            if compiled is None:
                alternation = "|".join(
                    f"(?P<_r{index}>{self.rules[index].scoped_pattern})" for index in chosen
                )
                flags = regex.V0 | (regex.REVERSE if direction == REVERSE else 0)
                compiled = self._alternations[chosen] = regex.compile(alternation, flags)
        self._buckets[bucket] = compiled
        return compiled

    def _may_match(self, index: int, end: str) -> bool:
        """Whether rule `index` can match a key that starts (or ends, reversed) with `end`."""
        strings = self.affixes[index]
        if strings is not None:
            return end in strings
        edges = self.edges[index]
        if edges is None or end[0] in edges:
            return True
        return WORD_CHAR in edges and (end[0].isalnum() or end[0] == "_")
