"""Speed of the mt stage on one core, against the naive way of running its rules.

    python benchmarks/bench_mt.py --mb 20
    python benchmarks/bench_mt.py --mb 20 --lang en
    python benchmarks/bench_mt.py --corpus benchmarks/data/corpus-100mb/corpus.jsonl --mb 50

The corpus is the shared generator's (`benchmarks/corpus.py`, deterministic, multilingual,
with the MT artifacts planted) when it is there, else a JSONL file given with `--corpus`, else
a small deterministic generator of our own. The unicode and langid stages run first, outside the
timing (the mt stage sees what it sees in the pipeline): only the mt stage is timed. `--lang en`
keeps only the documents langid finds English (the stage's real work: it skips the others with
one check), until `--mb` megabytes of them. Prints MB/s (UTF-8 bytes of input), docs/s, the peak memory the
stage allocates while streaming the corpus (tracemalloc, separate untimed pass), and the
ratio against the naive way: every rule tried one by one on every English paragraph (each
phrase rule, each known name and each fix's regex in turn, with no prefilter and no combined
scan), which finds the same candidates.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cleaner.document import Document, Paragraph  # noqa: E402
from cleaner.rules import shipped_rules_dir  # noqa: E402
from cleaner.stages.langid import LangidConfig, LangidStage  # noqa: E402
from cleaner.stages.mt import (  # noqa: E402
    DoubledWords,
    LowercaseNames,
    MtConfig,
    MtStage,
    PhraseRules,
    SentenceBreaks,
    SlavicDiaeresis,
)
from cleaner.stages.unicode import UnicodeConfig, UnicodeStage  # noqa: E402


def records(corpus: str | None, mb: float, seed: int) -> Iterator[dict]:
    if corpus:
        with open(corpus, encoding="utf-8") as stream:
            for line in stream:
                yield json.loads(line)
        return
    try:
        from corpus import iter_records  # the shared generator, benchmarks/corpus.py
    except ImportError:
        yield from _own_records(mb, seed)
    else:
        yield from iter_records(mb=mb, seed=seed)


SENTENCES = [
    "The regional governor said on Friday that {n} people were injured in the shelling of {place}.",
    "Mr. Gladkov told reporters at 9 a.m. that the U.S. envoy had left {place}.",
    "Witnesses in {place} reported that debris fell on a market, killing {n} civilians on Sunday.",
    "{person} said the attack was the deadliest since 2022, adding that {n} drones were downed.",
    "Officials in {place} said they were checking the reports, e.g. from the army.",
    "The ministry said 3.5 percent of the grid was damaged near {place}.",
    "“We will rebuild,” {person} said in a statement.",
]
# One sentence in twenty carries an MT artifact.
DAMAGED = [
    "Mr. Gladkov told reporters at 9 a.m. that the U.S. envoy had left {place} .",
    "Witnesses in {place} reported that debris fell on a market, killing {n} civilians. on Sunday.",
    "{person} said the attack was the deadliest since 2022 , adding that the the drones were downed.",
    "Zelensky soon questioned the Russian novel, and “Shrapper hit passing cars” in {place}.",
    "Andreï Klychkov said the front near Avdiïvka was quiet, and kyiv agreed.",
]
PLACES = ["Kyiv", "Kharkiv", "Belgorod", "Avdiivka", "Mykolaiv", "Odesa", "Shebekino"]
PEOPLE = ["Andrei Klychkov", "Vitali Klitschko", "Loïc Tassé", "Oleksii Kuleba", "Hanna Maliar"]
FRENCH = "Le gouverneur a déclaré : « Nous tiendrons ! » Les écoles restent fermées depuis lundi ."


def _own_records(mb: float, seed: int) -> Iterator[dict]:
    """A deterministic fallback corpus: English news paragraphs with MT artifacts."""
    total = 0
    index = 0
    while total < mb * 1_000_000:
        rng = random.Random(f"{seed}-{index}")
        paragraphs = []
        for _ in range(rng.randint(6, 14)):
            sentences = [
                rng.choice(DAMAGED if rng.random() < 0.05 else SENTENCES).format(
                    n=rng.randint(2, 400), place=rng.choice(PLACES), person=rng.choice(PEOPLE)
                )
                for _ in range(rng.randint(2, 5))
            ]
            paragraphs.append(" ".join(sentences))
        if rng.random() < 0.2:
            paragraphs.insert(rng.randint(0, len(paragraphs)), FRENCH)
        text = "\n\n".join(paragraphs)
        total += len(text.encode("utf-8"))
        yield {"id": f"own/{index}", "text": text}
        index += 1


def prepare(
    mb: float, corpus: str | None, seed: int, lang: str | None = None
) -> list[tuple[str, str, str, list[Paragraph]]]:
    unicode = UnicodeStage(UnicodeConfig(), shipped_rules_dir())
    langid = LangidStage(LangidConfig(), shipped_rules_dir())
    prepared = []
    size = 0
    # With a language filter, generate enough of the corpus to find `mb` megabytes of it.
    for record in records(corpus, mb if lang is None else 10 * mb, seed):
        if lang is not None and record.get("lang", lang) != lang:
            continue  # the generator's own language, to spare cleaning what is left out
        doc = langid(unicode(Document(id=str(record["id"]), text=record["text"])))
        if lang is not None and doc.lang != lang:
            continue
        prepared.append((doc.id, doc.text, doc.lang, doc.paragraphs))
        size += len(doc.text.encode("utf-8"))
        if size >= mb * 1_000_000:
            break
    return prepared


def run_stage(stage: MtStage, prepared) -> tuple[int, int]:
    changes = flags = 0
    for doc_id, text, lang, paragraphs in prepared:
        doc = stage(Document(id=doc_id, text=text, lang=lang, paragraphs=list(paragraphs)))
        changes += len(doc.changes)
        flags += len(doc.flags)
    return changes, flags


class Naive:
    """Every rule tried one by one on every English paragraph, with no prefilter: the way a
    first version would do it. It looks for the same candidates as the stage."""

    def __init__(self, stage: MtStage) -> None:
        fixes = {type(fix): fix for fix in stage.fixes}
        self.patterns: list[re.Pattern[str]] = [
            re.compile(r"(?<=\w) +[:;!?.,](?=\s|$)"),
            re.compile(r"“ +| +”"),
            re.compile(r"(?<=\w)\. +[a-z]"),
            re.compile(r"\b(\w+)(?: \1)+\b"),
            re.compile(r"(?:^|(?<=[.!?] ))([A-Z][^\n]{15,}?[.!?]) \1(?=\s|$)"),
        ]
        diaeresis = fixes.get(SlavicDiaeresis)
        if diaeresis is not None:
            self.patterns += [
                re.compile(r"\b\w*[ïë]\w*" + p.pattern.rstrip("$") + r"\w*\b")
                for p in diaeresis.strong + diaeresis.markers
            ]
        breaks = fixes.get(SentenceBreaks)
        if breaks is not None:
            self.patterns += [
                re.compile(r"\b" + re.escape(word) + r"\. +[a-z]", re.IGNORECASE)
                for word in sorted(breaks.abbreviations)
            ]
        names = fixes.get(LowercaseNames)
        if names is not None:
            self.patterns += [re.compile(r"\b" + re.escape(n) + r"\b") for n in names.canonical]
        phrases = fixes.get(PhraseRules)
        if phrases is not None:
            self.patterns += [rule.pattern for rule in phrases.rules]
        doubled = fixes.get(DoubledWords)
        if doubled is not None:
            self.patterns += [
                re.compile(r"\b" + re.escape(w) + " " + re.escape(w) + r"\b", re.IGNORECASE)
                for w in sorted(doubled.always_wrong)
            ]

    def __call__(self, prepared) -> int:
        hits = 0
        for _doc_id, text, lang, paragraphs in prepared:
            for paragraph in paragraphs:
                if paragraph.lang not in ("en", "und") or (
                    paragraph.lang == "und" and lang != "en"
                ):
                    continue
                line = text[paragraph.start : paragraph.end]
                for pattern in self.patterns:
                    hits += sum(1 for _ in pattern.finditer(line))
        return hits


def best_of(repeats: int, function, *args) -> tuple[float, object]:
    """CPU seconds of this process (one core; other processes on the machine do not count)."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.process_time()
        result = function(*args)
        best = min(best, time.process_time() - start)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="megabytes of text (default 20)")
    parser.add_argument("--corpus", help="a JSONL corpus (records with `id` and `text`)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--naive-mb", type=float, default=2.0, help="megabytes for the naive run")
    parser.add_argument("--rules", type=Path, help="rules folder (default: the shipped one)")
    parser.add_argument("--lang", help="only the documents langid finds in this language (en)")
    args = parser.parse_args(argv)

    prepared = prepare(args.mb, args.corpus, args.seed, args.lang)
    size = sum(len(text.encode("utf-8")) for _, text, _, _ in prepared)
    english = sum(1 for _, _, lang, _ in prepared if lang == "en")
    stage = MtStage(MtConfig(), args.rules or shipped_rules_dir())
    print(f"corpus: {len(prepared)} documents ({english} English), {size / 1e6:.1f} MB")
    names = [fix for fix in stage.fixes if isinstance(fix, LowercaseNames)]
    print(f"known names from the spelling rules: {len(names[0].canonical) if names else 0}")

    seconds, (changes, flags) = best_of(args.repeats, run_stage, stage, prepared)
    print(
        f"mt stage: {size / 1e6 / seconds:.1f} MB/s, {len(prepared) / seconds:.0f} docs/s "
        f"({seconds:.2f} CPU s, best of {args.repeats}); {changes} changes, {flags} flags"
    )

    tracemalloc.start()
    run_stage(stage, prepared)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory allocated by the stage while streaming: {peak / 1e6:.1f} MB")

    subset, subset_size = [], 0
    for item in prepared:
        subset.append(item)
        subset_size += len(item[1].encode("utf-8"))
        if subset_size >= args.naive_mb * 1e6:
            break
    fast_seconds, _ = best_of(args.repeats, run_stage, stage, subset)
    naive = Naive(stage)
    naive_seconds, hits = best_of(1, naive, subset)
    print(
        f"naive way ({len(naive.patterns)} rules one by one, {subset_size / 1e6:.1f} MB): "
        f"{subset_size / 1e6 / naive_seconds:.2f} MB/s; {hits} candidate matches"
    )
    print(f"ratio: the stage is {naive_seconds / fast_seconds:.1f}x faster than the naive way")
    return 0


if __name__ == "__main__":
    sys.exit(main())
