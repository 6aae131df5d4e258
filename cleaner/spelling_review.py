"""Growing the spelling rules: find variant spellings in a corpus, decide, write back, count.

`review` finds capitalized words and multi-word names in a corpus that are probably variants of
known names but not yet in the rules: it folds transliteration differences (`fold`), fuzzy-
matches the folded forms against every canonical form and variant with rapidfuzz, and ranks the
candidates by score and frequency, each with a few keyword-in-context lines.

The decisions (`accept_variant`, `add_exception`, `add_entry`, `reject`) write the rule files
back with ruamel.yaml's round-trip mode, so comments, order and layout stay as they were and a
decision is a one-line diff. Rejected spellings are remembered, one per line, in
`rules/spelling/<lang>/rejected.txt`, so `review` does not suggest them again.

`rule_stats` counts how often each rule fired on a corpus, and which never did.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex
from rapidfuzz import fuzz, process
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cleaner.errors import InputError, RuleError
from cleaner.spelling_rules import APOSTROPHES, STAGE, SpellingEntry, entry_files, load_language

REJECTED_FILE = "rejected.txt"
TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")

# A capitalized word (letters, inner apostrophes and hyphens, a final soft-sign apostrophe),
# then more of them after single spaces, with lowercase links ("Rostov on Don"): "Vitaliy
# Klychko", "Kup'yansk", "Ivano-Frankovsk", "Ternopol'".
_WORD = r"\p{Lu}[\p{L}\p{M}]*(?:['’ʼ-][\p{L}\p{M}]+)*(?:(?<![aeiouy])['’ʼ](?![\p{L}\p{M}]))?"
_NAME = regex.compile(
    rf"(?<![\p{{L}}\p{{M}}\p{{N}}-]){_WORD}(?: (?:(?:on|na|sur|le|am|de) )?{_WORD}){{0,2}}"
    r"(?![\p{L}\p{M}\p{N}])"
)
_POSSESSIVE = re.compile(f"[{APOSTROPHES}]s$")
# Transliteration folds, applied in order to a casefolded, accent-free word: the same Slavic
# name spelled the Russian, Ukrainian, French, German or older English way folds to one form.
_FOLDS = [
    (re.compile(p), r)
    for p, r in [
        (r"shch|schtsch|chtch|sch|sh", "s"),  # ш, щ (German sch, French ch)
        (r"tsch|tch|ch", "c"),  # ч
        (r"kh|gh|h|g", "h"),  # х, г (Ukrainian h, Russian g)
        (r"dzh|zh|dj", "z"),  # ж
        (r"ts|tz", "c"),  # ц
        (r"ck|q", "k"),
        (r"ou", "u"),  # French
        (r"w", "v"),  # German
        (r"ph", "f"),
        (r"[yieéèëïj]+", "i"),  # и, і, ї, є, е, й, я/ю's first letter, soft signs
        (r"(.)\1+", r"\1"),  # doubled letters
        (r"(?<=.)[aoi]+$", ""),  # Russian -aya/-oye vs Ukrainian -a/-e endings
        (r"(?<=[^aeiou])ov$|(?<=[^aeiou])iv$", "v"),  # Russian -ov vs Ukrainian -iv
    ]
]


def fold(name: str) -> str:
    """A coarse key for a name, the same for its common transliterations.

    >>> fold("Kharkov") == fold("Kharkiv"), fold("Zaporizhzhya") == fold("Zaporizhzhia")
    (True, True)
    >>> fold("Avdiïvka") == fold("Avdeyevka"), fold("Prigojine"), fold("Prigozhin")
    (True, 'prihoin', 'prihozin')
    """
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = []
    for word in re.split(rf"[\s\-{APOSTROPHES}]+", text):
        word = re.sub(rf"[{APOSTROPHES}]", "", word)
        for pattern, replacement in _FOLDS:
            word = pattern.sub(replacement, word)
        words.append(word)
    return " ".join(w for w in words if w)


# ---- reading a corpus ------------------------------------------------------------------------


def read_corpus(
    paths: Iterable[str | Path], *, text_field: str = "text", errors: list[str] | None = None
) -> Iterator[tuple[str, str]]:
    """`(document id, text)` for every document under the given files and folders:
    `.txt`/`.md` (one document each) and `.jsonl`/`.jsonl.gz` (one per line). With an `errors`
    list, a bad file or line is reported there (`path:line: message`) and reading goes on;
    without one, it raises `InputError`."""
    for path in map(Path, paths):
        if path.is_dir():
            files = [(p, p.relative_to(path).as_posix()) for p in sorted(path.rglob("*"))]
            files = [(p, name) for p, name in files if p.is_file() and _readable(p)]
        elif path.is_file():
            files = [(path, path.name)]
        else:
            _report(InputError(f"{path}: no such file or folder"), errors)
            continue
        for file, name in files:
            yield from _read_file(file, name, text_field, errors)


def _report(error: InputError, errors: list[str] | None) -> None:
    if errors is None:
        raise error
    errors.append(str(error))


def _readable(path: Path) -> bool:
    return path.name.endswith(TEXT_SUFFIXES + JSONL_SUFFIXES)


def _read_file(
    path: Path, name: str, text_field: str, errors: list[str] | None
) -> Iterator[tuple[str, str]]:
    try:
        if not path.name.endswith(JSONL_SUFFIXES):
            yield name, path.read_text(encoding="utf-8")
            return
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as stream:
            for number, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    _report(InputError(f"{path}:{number}: invalid JSON: {error.msg}"), errors)
                    continue
                text = record.get(text_field) if isinstance(record, dict) else None
                if not isinstance(text, str):
                    _report(InputError(f"{path}:{number}: no string field {text_field!r}"), errors)
                    continue
                yield f"{name}#{record.get('id', number)}", text
    except (OSError, UnicodeDecodeError, EOFError) as error:
        _report(InputError(f"{path}: cannot read: {error}"), errors)


def paragraphs_in(texts: Iterable[str], lang: str) -> Iterator[str]:
    """The paragraphs of each text that the langid stage finds in `lang` (or cannot tell), so
    that English rules are reviewed against English text only."""
    from cleaner.document import UNDETERMINED, Document
    from cleaner.pipeline import Pipeline

    pipeline = Pipeline(stages=["unicode", "langid"])
    for text in texts:
        doc = pipeline(Document(id="", text=text))
        kept = [
            doc.text[p.start : p.end]
            for p in doc.paragraphs
            if p.lang == lang or (p.lang == UNDETERMINED and doc.lang in (lang, UNDETERMINED))
        ]
        if not doc.paragraphs and doc.lang in (lang, UNDETERMINED):
            kept = [doc.text]
        yield "\n".join(kept)


# ---- review ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A known entry a candidate probably belongs to."""

    entry_id: str
    canonical: str
    matched: str  # the known spelling the candidate is closest to
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry": self.entry_id,
            "canonical": self.canonical,
            "matched": self.matched,
            "score": round(self.score, 1),
        }


@dataclass
class Candidate:
    """A spelling seen in the corpus that no rule knows, and the entries it may belong to."""

    text: str
    count: int
    suggestions: list[Suggestion]
    contexts: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return self.suggestions[0].score if self.suggestions else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "count": self.count,
            "suggestions": [s.to_dict() for s in self.suggestions],
            "contexts": self.contexts,
        }


def review(
    texts: Iterable[str],
    entries: list[SpellingEntry],
    *,
    min_score: float = 85.0,
    suggestions: int = 3,
    contexts: int = 3,
    rejected: Iterable[str] = (),
    limit: int | None = None,
) -> list[Candidate]:
    """Spellings in `texts` that are probably variants of `entries`, best first. A spelling the
    rules already turn into a canonical name ("Volodymyr Zelensky") is not listed.

    >>> from cleaner.spelling_rules import SpellingEntry
    >>> kyiv = SpellingEntry("t.kyiv", "en", "Kyiv", "place-ukraine", "d", ("Kiev",))
    >>> [(c.text, c.count, c.suggestions[0].canonical) for c in review(["Kyjiv, Kyjiv's mayor, Paris"], [kyiv])]
    [('Kyjiv', 2, 'Kyiv')]
    """
    if not 0 <= min_score <= 100:
        raise ValueError(f"min_score must be between 0 and 100, got {min_score}")
    known: dict[str, tuple[str, SpellingEntry]] = {}
    for entry in entries:
        for form in (entry.canonical, *entry.variants):
            known.setdefault(form.casefold(), (form, entry))
    # the words of canonical multi-word names ("Terekhov" of "Ihor Terekhov") are not candidates
    parts = {word.casefold() for entry in entries for word in entry.canonical.split(" ")[:-1]}
    parts |= {
        entry.canonical.split(" ")[-1].casefold() for entry in entries if " " in entry.canonical
    }
    skip = {text.casefold() for text in rejected} | set(known) | parts
    counts: Counter[str] = Counter()
    seen_in: dict[str, list[str]] = {}
    for text in texts:
        for found in _NAME.finditer(text):
            quoted = _inside_quotes(text, found.start())
            for name in _names_in(found.group(), quoted=quoted):
                if name.casefold() in skip or len(name) < 4:
                    continue
                counts[name] += 1
                places = seen_in.setdefault(name, [])
                if len(places) < contexts:
                    places.append(_context(text, found.start(), found.end()))
    if not counts:
        return []
    from cleaner.stages.spelling import Matcher

    matcher = Matcher(entries)
    canonicals = {entry.canonical.casefold() for entry in entries}
    names = sorted(name for name in counts if matcher.replace(name).casefold() not in canonicals)
    by_words: dict[int, list[tuple[str, str, SpellingEntry]]] = {}
    for form, entry in known.values():
        by_words.setdefault(form.count(" ") + 1, []).append((fold(form), form, entry))
    result = []
    for words, group in sorted(_group_by_words(names).items()):
        choices = by_words.get(words)
        if not choices:
            continue
        scores = process.cdist(
            [fold(name) for name in group],
            [folded for folded, _, _ in choices],
            scorer=fuzz.ratio,
            score_cutoff=min_score,
        )
        for row, name in enumerate(group):
            best: dict[str, Suggestion] = {}
            for column in scores[row].nonzero()[0]:
                _, form, entry = choices[column]
                # ties on the folded form are broken by the plain spelling
                score = (
                    float(scores[row][column]) + fuzz.ratio(name.casefold(), form.casefold()) / 1000
                )
                if entry.id not in best or score > best[entry.id].score:
                    best[entry.id] = Suggestion(entry.id, entry.canonical, form, score)
            if best:
                ranked = sorted(best.values(), key=lambda s: (-s.score, s.entry_id))
                result.append(Candidate(name, counts[name], ranked[:suggestions], seen_in[name]))
    result.sort(key=lambda c: (-round(c.score), -c.count, c.text))
    return result[:limit] if limit else result


def _inside_quotes(text: str, start: int) -> bool:
    """Whether an opening single quote comes before `start` on its line."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    return "‘" in before or before.startswith("'") or " '" in before


def _names_in(span: str, *, quoted: bool = False) -> Iterator[str]:
    """The span and each run of words in it, without a possessive "'s", and inside quotes
    without a final apostrophe (a closing quote there, not a soft sign: 'Kyiv')."""
    words = span.split(" ")
    if quoted:
        words = [word.rstrip(APOSTROPHES) for word in words]
    seen = set()
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            name = _POSSESSIVE.sub("", " ".join(words[start : start + size]))
            if name not in seen:
                seen.add(name)
                yield name


def _group_by_words(names: list[str]) -> dict[int, list[str]]:
    groups: dict[int, list[str]] = {}
    for name in names:
        groups.setdefault(name.count(" ") + 1, []).append(name)
    return groups


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    left = text[max(0, start - width) : start].rsplit("\n", 1)[-1]
    right = text[end : end + width].split("\n", 1)[0]
    return f"{left}[{text[start:end]}]{right}".strip()


# ---- decisions written back to the rule files ------------------------------------------------


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments, order, flow style and quoting are kept
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=2, offset=0)
    yaml.preserve_quotes = True
    return yaml


def _locate(rules_dir: Path, lang: str, entry_id: str) -> tuple[Path, CommentedSeq, CommentedMap]:
    yaml = _yaml()
    for path in entry_files(rules_dir, lang):
        data = yaml.load(path.read_text(encoding="utf-8"))
        for item in data or []:
            if item.get("id") == entry_id:
                return path, data, item
    raise RuleError(f"{rules_dir / STAGE / lang}: no entry with id {entry_id!r}")


def _write(path: Path, data: Any) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            _yaml().dump(data, stream)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _sort_key(text: str) -> tuple[str, str]:
    return (text.casefold(), text)


def _insert_sorted(sequence: CommentedSeq, value: Any, key=_sort_key) -> None:
    position = 0
    while position < len(sequence) and key(sequence[position]) < key(value):
        position += 1
    sequence.insert(position, value)


def accept_variant(rules_dir: Path, lang: str, entry_id: str, variant: str) -> Path:
    """Add `variant` to an entry's variants, in sorted position; return the file written."""
    _check_known(rules_dir, lang, variant)
    path, data, item = _locate(rules_dir, lang, entry_id)
    variants = item["variants"]
    _insert_sorted(variants, variant)
    _write(path, data)
    return path


def remove_variants(rules_dir: Path, lang: str, pairs: Iterable[tuple[str, str]]) -> None:
    """Take `(entry id, variant)` pairs out of the rules, each file read and written once (used
    to measure discovery on known variants)."""
    wanted: dict[str, list[str]] = {}
    for entry_id, variant in pairs:
        wanted.setdefault(entry_id, []).append(variant)
    yaml = _yaml()
    for path in entry_files(rules_dir, lang):
        data = yaml.load(path.read_text(encoding="utf-8"))
        touched = False
        for item in data or []:
            for variant in wanted.pop(item.get("id"), []):
                if variant not in item["variants"]:
                    raise RuleError(f"{path}: {item['id']} has no variant {variant!r}")
                item["variants"].remove(variant)
                touched = True
        if touched:
            _write(path, data)
    if wanted:
        raise RuleError(f"{rules_dir / STAGE / lang}: no entry with id {sorted(wanted)[0]!r}")


def add_exception(rules_dir: Path, lang: str, entry_id: str, phrase: str) -> Path:
    """Add a context in which the entry's variants must stay, and a keep example for it."""
    path, data, item = _locate(rules_dir, lang, entry_id)
    forms = [str(v) for v in item["variants"]]
    if not any(re.search(rf"(?<!\w){re.escape(v)}(?!\w)", phrase, re.IGNORECASE) for v in forms):
        raise RuleError(
            f"{path}: exception {phrase!r} contains no variant of {entry_id}, so it would never "
            "apply; reject the spelling instead"
        )
    if "exceptions" not in item:
        item.insert(list(item).index("examples"), "exceptions", CommentedSeq())
    item["exceptions"].append(phrase)
    examples = item["examples"]
    if "keep" not in examples:
        examples["keep"] = CommentedSeq()
    examples["keep"].append(phrase)
    _write(path, data)
    return path


def add_entry(
    rules_dir: Path,
    lang: str,
    file_stem: str,
    *,
    entry_id: str,
    canonical: str,
    kind: str,
    description: str,
    variants: list[str],
) -> Path:
    """Create an entry (with an example per variant) in sorted position in a rule file."""
    for variant in variants:
        _check_known(rules_dir, lang, variant)
    path = rules_dir / STAGE / lang / f"{file_stem}.yaml"
    yaml = _yaml()
    data = yaml.load(path.read_text(encoding="utf-8")) if path.exists() else None
    if data is None:
        data = CommentedSeq()
    item = CommentedMap()
    item["id"] = entry_id
    item["canonical"] = canonical
    item["kind"] = kind
    item["description"] = description
    item["variants"] = _flow(sorted(variants, key=_sort_key))
    change = CommentedSeq(
        _flow([variant, canonical]) for variant in sorted(variants, key=_sort_key)
    )
    item["examples"] = CommentedMap([("change", change), ("keep", CommentedSeq([canonical]))])
    _insert_sorted(data, item, key=lambda entry: entry["id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, data)
    return path


def _flow(values: list[str]) -> CommentedSeq:
    sequence = CommentedSeq(values)
    sequence.fa.set_flow_style()
    return sequence


def _check_known(rules_dir: Path, lang: str, spelling: str) -> None:
    for entry in load_language(rules_dir, lang):
        if spelling.casefold() in {f.casefold() for f in (entry.canonical, *entry.variants)}:
            raise RuleError(f"{spelling!r} is already a spelling of {entry.id} ({entry.where()})")


def rejected_path(rules_dir: Path, lang: str) -> Path:
    return rules_dir / STAGE / lang / REJECTED_FILE


def load_rejected(rules_dir: Path, lang: str) -> list[str]:
    path = rejected_path(rules_dir, lang)
    if not path.exists():
        return []
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def reject(rules_dir: Path, lang: str, spelling: str) -> Path:
    """Remember that `spelling` is not a variant, so review stops suggesting it."""
    path = rejected_path(rules_dir, lang)
    lines = sorted(set(load_rejected(rules_dir, lang)) | {spelling}, key=_sort_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


# ---- stats -----------------------------------------------------------------------------------


@dataclass
class RuleStats:
    """How often each spelling rule fired on a corpus."""

    fired: Counter[str]
    never: list[str]
    documents: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "fired": dict(sorted(self.fired.items(), key=lambda kv: (-kv[1], kv[0]))),
            "never_fired": self.never,
        }


def rule_stats(docs: Iterable[Any], rule_ids: Iterable[str], *, stage: str = STAGE) -> RuleStats:
    """Count the changes of `stage` per rule over cleaned documents."""
    fired: Counter[str] = Counter()
    count = 0
    for doc in docs:
        count += 1
        fired.update(change.rule for change in doc.changes if change.stage == stage)
    never = sorted(rule for rule in set(rule_ids) if rule not in fired)
    return RuleStats(fired, never, count)
