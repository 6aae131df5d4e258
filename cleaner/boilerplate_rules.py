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
        compiled=compiled,
    )
    for example in matching:
        if not _example_matches(entry, rule, example):
            raise entry.error(f"example does not match: {example!r}")
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
FORWARD, REVERSE = "forward", "reverse"


def edge_chars(pattern: str, *, last: bool = False) -> frozenset[str] | None:
    """The lowercase characters a match of `pattern` can start with (or end with, `last=True`),
    or None when that cannot be bounded (a `.`, `\\w`, a negated class, a pattern the `re`
    parser does not read).

    >>> sorted(edge_chars(r"(?:also|read) more|see"))
    ['a', 'r', 's']
    >>> edge_chars(r"\\d+ comments") is None, sorted(edge_chars(r".{10,250}\\((?:AFP|dpa)\\)", last=True))
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
        for index, rule in enumerate(rules):
            self.by_lang.setdefault(rule.lang, []).append(index)
            first = edge_chars(rule.pattern)
            if first is not None:
                self.direction.append(FORWARD)
                self.edges.append(first)
            else:
                self.direction.append(REVERSE)
                self.edges.append(edge_chars(rule.pattern, last=True))
        self.tiers = sorted({rule.max_chars for rule in rules})
        self.max_chars = self.tiers[-1] if self.tiers else 0
        self._compiled: dict[tuple[str, int, str, str], Any] = {}

    def match(self, key: str, lang: str) -> LineRule | None:
        """The rule matching `key` in `lang`, or None. Raises `TimeoutError` (from `regex`) when
        the rules take longer than the timeout on this line."""
        if not key or len(key) > self.max_chars:
            return None
        tier = bisect.bisect_left(self.tiers, len(key))
        best: int | None = None
        for direction, char in ((FORWARD, key[0]), (REVERSE, key[-1])):
            bucket = (lang, tier, direction, char.lower())
            compiled = self._compiled.get(bucket)
            if compiled is None:
                compiled = self._compile_bucket(bucket)
            if compiled is False:
                continue
            found = compiled.fullmatch(key, timeout=self.timeout)
            if found is not None:
                index = int(found.lastgroup[2:])
                best = index if best is None else min(best, index)
        return None if best is None else self.rules[best]

    def _compile_bucket(self, bucket: tuple[str, int, str, str]) -> Any:
        lang, tier, direction, char = bucket
        if lang == "und":
            indexes: list[int] = list(range(len(self.rules)))
        else:
            indexes = sorted([*self.by_lang.get("any", []), *self.by_lang.get(lang, [])])
        shortest = self.tiers[tier]
        chosen = [
            index
            for index in indexes
            if self.direction[index] == direction
            and self.rules[index].max_chars >= shortest
            and (self.edges[index] is None or char in self.edges[index])
        ]
        compiled: Any = False
        if chosen:
            alternation = "|".join(
                f"(?P<_r{index}>{self.rules[index].scoped_pattern})" for index in chosen
            )
            flags = regex.V0 | (regex.REVERSE if direction == REVERSE else 0)
            compiled = regex.compile(alternation, flags)
        self._compiled[bucket] = compiled
        return compiled
