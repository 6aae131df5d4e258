"""Spelling rules: reading, merging and checking the canonical-name entries.

The rules of one language live in `rules/spelling/<lang>/*.yaml` (the folder name is the
language code the langid stage gives a paragraph). Every file is a YAML list of entries sorted
by `id`, one entry per canonical name:

    - id: spelling.en.kyiv                        # unique; spelling.<lang>.<slug>
      canonical: Kyiv                             # the house-style spelling
      kind: place-ukraine                         # see KINDS
      description: Capital of Ukraine; national romanization (KMU 2010), AP and Reuters since 2019.
      variants: [Kiev, Kiew, Kyïv]                # sorted; each is replaced by `canonical`
      lowercase: true                             # optional (default true): also fix "kiev", "kyiv"
      exceptions: [chicken Kiev]                  # optional: contexts where a variant stays
      examples:
        change: [[in Kiev's centre, in Kyiv's centre]]   # [input, expected output] pairs
        keep: [They ordered chicken Kiev.]               # must come out unchanged

An exception is a literal phrase (matched case-insensitively as whole words) that contains a
variant, or `{regex: PATTERN}`; a variant occurrence is kept when an exception match on the
same line covers it. `check_rules` lints the files the way codespell lints its dictionaries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.errors import RuleError
from cleaner.rules import RuleEntry, load_rule_file, rule_files

STAGE = "spelling"
KINDS = ("organisation", "person", "place-crimea", "place-russia", "place-ukraine", "place-other")
APOSTROPHES = "'\u2019\u02bc"
_FIELDS = {
    "id",
    "description",
    "canonical",
    "kind",
    "variants",
    "lowercase",
    "exceptions",
    "examples",
}


@dataclass(frozen=True)
class KeepContext:
    """A context in which a variant must stay: a literal phrase or a regex."""

    text: str
    is_regex: bool
    pattern: re.Pattern[str]
    folded: str | None = None  # a phrase lowercased, with one kind of apostrophe


@dataclass(frozen=True)
class SpellingEntry:
    """One canonical name and the spellings that become it."""

    id: str
    lang: str
    canonical: str
    kind: str
    description: str
    variants: tuple[str, ...]
    lowercase: bool = True
    exceptions: tuple[KeepContext, ...] = ()
    change_examples: tuple[tuple[str, str], ...] = ()
    keep_examples: tuple[str, ...] = ()
    source: RuleEntry | None = field(default=None, compare=False, repr=False)

    def error(self, message: str) -> RuleError:
        if self.source is None:
            return RuleError(f"rule {self.id}: {message}")
        return self.source.error(message)

    def where(self) -> str:
        return f"{self.source.path}:{self.source.line}" if self.source else "?"


def literal_exception_pattern(phrase: str) -> re.Pattern[str]:
    """A literal exception matches as whole words, in any case, with any apostrophe."""
    parts = []
    for char in phrase:
        if char in APOSTROPHES:
            parts.append(f"[{APOSTROPHES}]")
        elif char == " ":
            parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
    return re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)", re.IGNORECASE)


def parse_entry(entry: RuleEntry, lang: str) -> SpellingEntry:
    """Validate one YAML mapping and turn it into a `SpellingEntry` (errors name path:line)."""
    unknown = sorted(set(entry.fields) - _FIELDS)
    if unknown:
        raise entry.error(f"unknown field {unknown[0]!r} (fields: {', '.join(sorted(_FIELDS))})")
    canonical = _clean_string(entry, entry.require("canonical"), "canonical")
    kind = entry.require("kind")
    if kind not in KINDS:
        raise entry.error(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    variants = entry.require("variants", list)
    if not variants:
        raise entry.error("variants must list at least one spelling")
    variants = tuple(_clean_string(entry, v, "variant") for v in variants)
    exceptions = tuple(_parse_exception(entry, e) for e in entry.optional("exceptions", list, []))
    examples = entry.require("examples", dict)
    change = examples.get("change") or []
    keep = examples.get("keep") or []
    if not isinstance(change, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(s, str) for s in pair)
        for pair in change
    ):
        raise entry.error("examples.change must be a list of [input, expected] pairs")
    if not isinstance(keep, list) or not all(isinstance(s, str) for s in keep):
        raise entry.error("examples.keep must be a list of strings")
    if not change:
        raise entry.error("examples.change needs at least one [input, expected] pair")
    return SpellingEntry(
        id=entry.id,
        lang=lang,
        canonical=canonical,
        kind=kind,
        description=entry.require("description"),
        variants=variants,
        lowercase=entry.optional("lowercase", bool, True),
        exceptions=exceptions,
        change_examples=tuple((a, b) for a, b in change),
        keep_examples=tuple(keep),
        source=entry,
    )


def _clean_string(entry: RuleEntry, value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise entry.error(f"{what} must be a non-empty string, not {value!r}")
    if value != value.strip() or "  " in value:
        raise entry.error(f"{what} {value!r} has stray spaces")
    if not (value[0].isalnum() and (value[-1].isalnum() or value[-1] in APOSTROPHES)):
        raise entry.error(f"{what} {value!r} must start and end with a letter or digit")
    return value


def _parse_exception(entry: RuleEntry, value: Any) -> KeepContext:
    if isinstance(value, str) and value.strip():
        return KeepContext(value, False, literal_exception_pattern(value), fold_phrase(value))
    if isinstance(value, dict):
        value = {key: item for key, item in value.items() if key != "__line__"}
    if isinstance(value, dict) and set(value) == {"regex"} and isinstance(value["regex"], str):
        try:
            return KeepContext(value["regex"], True, re.compile(value["regex"]))
        except re.error as error:
            raise entry.error(f"bad exception regex {value['regex']!r}: {error}") from None
    raise entry.error(f"an exception is a phrase or {{regex: PATTERN}}, not {value!r}")


_APOSTROPHE_TABLE = {ord(a): "'" for a in APOSTROPHES}


def fold_phrase(text: str) -> str:
    """Lowercase, every apostrophe as "'": how literal exceptions and occurrences compare."""
    return text.lower().translate(_APOSTROPHE_TABLE)


def languages(rules_dir: Path) -> list[str]:
    """The languages that have spelling rules in a rules folder."""
    folder = rules_dir / STAGE
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and any(p.rglob("*.yaml")))


def entry_files(rules_dir: Path, lang: str) -> list[Path]:
    return [
        p for p in rule_files(rules_dir, STAGE) if p.relative_to(rules_dir / STAGE).parts[0] == lang
    ]


def load_language(rules_dir: Path, lang: str) -> list[SpellingEntry]:
    """Every entry of one language, in file and id order; ids unique across the files."""
    entries: list[SpellingEntry] = []
    seen: dict[str, SpellingEntry] = {}
    for path in entry_files(rules_dir, lang):
        for raw in load_rule_file(path):
            entry = parse_entry(raw, lang)
            if entry.id in seen:
                raise raw.error(f"duplicate id (first at {seen[entry.id].where()})")
            seen[entry.id] = entry
            entries.append(entry)
    return entries


def merge(base: Iterable[SpellingEntry], extra: Iterable[SpellingEntry]) -> list[SpellingEntry]:
    """The `extra` entries on top of `base`: an extra entry replaces the base entry with the
    same id or the same canonical form, and a variant an extra entry claims is taken away from
    every base entry (the user's decision wins)."""
    extra = list(extra)
    replaced_ids = {e.id for e in extra}
    replaced_canonicals = {e.canonical.casefold() for e in extra}
    claimed = {v.casefold() for e in extra for v in (*e.variants, e.canonical)}
    merged = []
    for entry in base:
        if entry.id in replaced_ids or entry.canonical.casefold() in replaced_canonicals:
            continue
        variants = tuple(v for v in entry.variants if v.casefold() not in claimed)
        if entry.canonical.casefold() in claimed:
            continue
        if variants:
            merged.append(_with_variants(entry, variants))
    return merged + extra


def _with_variants(entry: SpellingEntry, variants: tuple[str, ...]) -> SpellingEntry:
    if variants == entry.variants:
        return entry
    return SpellingEntry(
        entry.id,
        entry.lang,
        entry.canonical,
        entry.kind,
        entry.description,
        variants,
        entry.lowercase,
        entry.exceptions,
        entry.change_examples,
        entry.keep_examples,
        entry.source,
    )


def load_rules(rules_dir: Path, extra_dir: Path | None = None) -> dict[str, list[SpellingEntry]]:
    """Entries per language: the rules folder, with an optional extra folder merged on top."""
    result = {lang: load_language(rules_dir, lang) for lang in languages(rules_dir)}
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise RuleError(f"{extra_dir}: extra spelling rules folder not found")
        for lang in languages(extra_dir):
            result[lang] = merge(result.get(lang, []), load_language(extra_dir, lang))
    return result


# ---- linting (`cleaner rules check`) ---------------------------------------------------------


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a rule file, reported as `path:line: rule ID: message`."""

    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: rule {self.rule}: {self.message}"


def check_rules(rules_dir: Path, *, run_examples: bool = True) -> list[Problem]:
    """Lint every spelling rule file of a rules folder and return the problems found.

    Checks: schema; entries sorted by id and variants sorted; duplicate variants (in any case,
    within and across entries, which would shadow one another); a variant equal to its own
    canonical; a variant that is another entry's canonical form, or a canonical that is a
    variant elsewhere (chains and cycles); exceptions that contain no variant (so can never
    apply), that equal a variant (so the variant can never fire) or that do not compile; and,
    with `run_examples`, every example through the matcher.
    """
    problems: list[Problem] = []
    for lang in languages(rules_dir):
        entries: list[SpellingEntry] = []
        for path in entry_files(rules_dir, lang):
            try:
                raw_entries = load_rule_file(path)
            except RuleError as error:
                problems.append(_problem_from_error(error, path))
                continue
            previous = ""
            for raw in raw_entries:
                try:
                    entry = parse_entry(raw, lang)
                except RuleError as error:
                    problems.append(_problem_from_error(error, path))
                    continue
                if entry.id <= previous:
                    problems.append(
                        _problem(entry, f"entries not sorted by id ({entry.id} after {previous})")
                    )
                previous = entry.id
                entries.append(entry)
        problems += _check_language(entries)
        if run_examples and entries:
            problems += _check_examples(entries)
    return sorted(set(problems))


def _problem(entry: SpellingEntry, message: str) -> Problem:
    source = entry.source
    return Problem(
        str(source.path) if source else "?", source.line if source else 0, entry.id, message
    )


def _problem_from_error(error: RuleError, path: Path) -> Problem:
    text = str(error)
    match = re.match(r"(.*?):(\d+): (?:rule (\S+): )?(.*)", text)
    if match:
        return Problem(match[1], int(match[2]), match[3] or "?", match[4])
    return Problem(str(path), 0, "?", text)


def _check_language(entries: list[SpellingEntry]) -> list[Problem]:
    problems = []
    ids: dict[str, SpellingEntry] = {}
    canonicals: dict[str, SpellingEntry] = {}
    variants: dict[str, SpellingEntry] = {}
    for entry in entries:
        if entry.id in ids:
            problems.append(_problem(entry, f"duplicate id (first at {ids[entry.id].where()})"))
        ids[entry.id] = entry
        key = entry.canonical.casefold()
        if key in canonicals:
            problems.append(
                _problem(entry, f"canonical {entry.canonical!r} also in {canonicals[key].id}")
            )
        canonicals[key] = entry
    for entry in entries:
        if list(entry.variants) != sorted(entry.variants, key=_sort_key):
            problems.append(_problem(entry, "variants not sorted"))
        for variant in entry.variants:
            key = variant.casefold()
            if key == entry.canonical.casefold():
                problems.append(_problem(entry, f"variant {variant!r} equals its canonical form"))
                continue
            if key in canonicals:
                other = canonicals[key]
                problems.append(
                    _problem(
                        entry, f"variant {variant!r} is the canonical form of {other.id} (a chain)"
                    )
                )
            if key in variants:
                other = variants[key]
                where = "twice in this entry" if other is entry else f"also a variant of {other.id}"
                problems.append(
                    _problem(entry, f"variant {variant!r} {where}: one shadows the other")
                )
            variants[key] = entry
        problems += _check_exceptions(entry)
    return problems


def _check_exceptions(entry: SpellingEntry) -> list[Problem]:
    problems = []
    forms = [v.casefold() for v in entry.variants]
    for exception in entry.exceptions:
        if exception.is_regex:
            if not any(exception.pattern.search(text) for text in entry.keep_examples):
                problems.append(
                    _problem(
                        entry,
                        f"exception regex {exception.text!r} matches none of the keep examples",
                    )
                )
            continue
        phrase = exception.text.casefold()
        if phrase in forms:
            problems.append(
                _problem(
                    entry, f"exception {exception.text!r} equals a variant, which can never fire"
                )
            )
        elif not any(literal_exception_pattern(v).search(phrase) for v in entry.variants):
            problems.append(
                _problem(
                    entry,
                    f"exception {exception.text!r} contains no variant, so it can never apply",
                )
            )
    return problems


def _check_examples(entries: list[SpellingEntry]) -> list[Problem]:
    from cleaner.stages.spelling import Matcher

    matcher = Matcher(entries)
    problems = []
    for entry in entries:
        for text, expected in entry.change_examples:
            got = matcher.replace(text)
            if got != expected:
                problems.append(
                    _problem(entry, f"example {text!r} gives {got!r}, expected {expected!r}")
                )
        for text in entry.keep_examples:
            got = matcher.replace(text)
            if got != text:
                problems.append(_problem(entry, f"keep example {text!r} was changed to {got!r}"))
    return problems


def _sort_key(text: str) -> tuple[str, str]:
    return (text.casefold(), text)


def iter_forms(entries: Iterable[SpellingEntry]) -> Iterator[tuple[str, SpellingEntry, bool]]:
    """Every spelling the rules know: (form, entry, is_canonical)."""
    for entry in entries:
        yield entry.canonical, entry, True
        for variant in entry.variants:
            yield variant, entry, False
