"""Throughput of the boilerplate stage, against the naive way, and as rules are added.

    python benchmarks/bench_boilerplate.py            # about 20 MB, one core
    python benchmarks/bench_boilerplate.py --mb 100

Prints, on one core (CPU time of this process, so other processes on the machine weigh less):

- MB/s and docs/s of the stage with every shipped rule (the documents are first put through
  `unicode` and `langid`, untimed, so that paragraph languages are known as in the pipeline);
- peak traced memory of the stage over the whole corpus, and the process's peak RSS;
- the naive way in the same run: every rule pattern tried on every line, one by one, with `re`
  (the `regex` module for the few patterns `re` does not read), and the ratio;
- scaling: the same measurements with synthetic rules added so that there are 10 times as many
  rules; a matcher whose cost grew with the number of rules would be about 10 times slower.

The corpus is `benchmarks/corpus.py` (deterministic, shared by all benchmarks) when it is there,
else a deterministic corpus built here from the rule files' own examples.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from cleaner import Document, Pipeline  # noqa: E402
from cleaner.boilerplate_rules import line_key  # noqa: E402
from cleaner.rules import shipped_rules_dir  # noqa: E402
from cleaner.stages.boilerplate import BoilerplateConfig, BoilerplateStage  # noqa: E402

LANGS = ("en", "fr", "de", "es", "it", "pt", "ru", "uk", "ar", "pl")


def corpus(mb: float, seed: int) -> list[tuple[str, str]]:
    """(id, text) pairs of about `mb` megabytes."""
    try:
        from corpus import iter_records  # benchmarks/corpus.py, shared by the benchmarks
    except ImportError:
        return _own_corpus(mb, seed)
    return [(record["id"], record["text"]) for record in iter_records(mb=mb, seed=seed)]


def _own_corpus(mb: float, seed: int) -> list[tuple[str, str]]:
    """Articles of about 1-10 KB in the ten languages: story paragraphs drawn from the gold
    texts (the content lines of `samples/expected/` and `tests/data/boilerplate/`), with residue
    lines (the rule files' `match` examples) at the top, in the middle and at the end, as
    scraped pages have them."""
    stage = BoilerplateStage(BoilerplateConfig(), shipped_rules_dir())
    detect = Pipeline(stages=["unicode", "langid"])
    content: dict[str, list[str]] = {lang: [] for lang in LANGS}
    gold_files = [*(ROOT / "samples" / "expected").glob("*.txt")]
    gold_files += (ROOT / "tests" / "data" / "boilerplate").glob("*.expected.txt")
    for path in sorted(gold_files):
        doc = detect(Document(id=path.name, text=path.read_text(encoding="utf-8")))
        if doc.lang in content:
            content[doc.lang].extend(line for line in doc.text.split("\n") if len(line) > 60)
    residue: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for rule in stage.matcher.rules:
        for lang in LANGS if rule.lang == "any" else (rule.lang,):
            residue[lang].extend(rule.examples_match)
    rng = random.Random(seed)
    docs: list[tuple[str, str]] = []
    total = 0
    while total < mb * 1_000_000:
        lang = rng.choice(LANGS)
        size = int(rng.lognormvariate(8.1, 0.5))
        paragraphs = [rng.choice(content[lang])[:90]]  # a headline-like first line
        while sum(map(len, paragraphs)) < size:
            paragraphs.append(rng.choice(content[lang]))
        for _ in range(rng.randint(2, 8)):
            paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), rng.choice(residue[lang]))
        text = "\n\n".join(paragraphs)
        docs.append((f"{lang}/{len(docs):06d}", text))
        total += len(text.encode("utf-8"))
    return docs


def prepared(docs: list[tuple[str, str]]) -> list[Document]:
    """The documents as the boilerplate stage receives them in the pipeline."""
    pipeline = Pipeline(stages=["unicode", "langid"])
    return [pipeline(Document(id=doc_id, text=text)) for doc_id, text in docs]


def fresh(doc: Document) -> Document:
    return Document(
        id=doc.id, text=doc.text, lang=doc.lang, lang_confidence=doc.lang_confidence,
        paragraphs=list(doc.paragraphs),
    )  # fmt: skip


def time_stage(stage: BoilerplateStage, docs: list[Document]) -> float:
    inputs = [fresh(doc) for doc in docs]
    started = time.process_time()
    for doc in inputs:
        stage(doc)
    return time.process_time() - started


def peak_memory(stage: BoilerplateStage, docs: list[Document]) -> int:
    tracemalloc.start()
    for doc in docs:
        stage(fresh(doc))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def naive_patterns(stage: BoilerplateStage) -> list[tuple[str, object]]:
    compiled = []
    for rule in stage.matcher.rules:
        flags = 0 if rule.case_sensitive else re.IGNORECASE
        try:
            compiled.append((rule.lang, re.compile(rule.pattern, flags)))
        except re.error:
            compiled.append((rule.lang, regex.compile(rule.pattern, flags)))
    return compiled


def try_every_rule(patterns: list[tuple[str, object]], text: str) -> None:
    """The naive way: each rule pattern tried on each line, one by one, until one matches."""
    for line in text.split("\n"):
        if not line:
            continue
        key = line_key(line)
        for _lang, pattern in patterns:
            if pattern.fullmatch(key):
                break


def time_naive(patterns: list[tuple[str, object]], docs: list[Document]) -> float:
    started = time.process_time()
    for doc in docs:
        try_every_rule(patterns, doc.text)
    return time.process_time() - started


def synthetic_rules(folder: Path, count: int, seed: int) -> None:
    """`count` extra rules spread over the language files, shaped like the real ones (a few
    phrases, a colon and a headline), with words that start with every letter."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def word() -> str:
        return rng.choice(letters) + "".join(rng.choice(letters) for _ in range(rng.randint(3, 8)))

    per_lang = {lang: [] for lang in LANGS}
    for number in range(count):
        lang = LANGS[number % len(LANGS)]
        phrases = [f"{word()} {word()}" for _ in range(3)]
        per_lang[lang].append(
            f"- id: {lang}.synthetic_{number}\n"
            f"  description: synthetic rule {number}\n"
            f"  kind: teaser\n  action: remove\n"
            f"  pattern: '(?:{'|'.join(phrases)})(?:\\s*[:|]\\s*.{{3,200}})?'\n"
            f"  examples: {{match: ['{phrases[0]}']}}\n"
        )
    for lang, entries in per_lang.items():
        (folder / "boilerplate" / f"synthetic-{lang}.yaml").write_text(
            "".join(entries), encoding="utf-8"
        )


def measure(label: str, rules_dir: Path, docs: list[Document], mb: float, naive_docs) -> dict:
    stage = BoilerplateStage(BoilerplateConfig(), rules_dir)
    rules = len(stage.matcher.rules)
    time_stage(stage, docs[: max(1, len(docs) // 20)])  # warm the lazily compiled buckets
    seconds = min(time_stage(stage, docs) for _ in range(2))
    naive_seconds = time_naive(naive_patterns(stage), naive_docs)
    naive_mb = sum(len(d.text.encode("utf-8")) for d in naive_docs) / 1e6
    result = {
        "label": label,
        "rules": rules,
        "mb_s": mb / seconds,
        "docs_s": len(docs) / seconds,
        "naive_mb_s": naive_mb / naive_seconds,
    }
    result["ratio"] = result["mb_s"] / result["naive_mb_s"]
    print(
        f"{label:>4}: {rules:5d} rules  stage {result['mb_s']:7.1f} MB/s "
        f"{result['docs_s']:8.0f} docs/s   naive (each rule on each line, re) "
        f"{result['naive_mb_s']:6.2f} MB/s   ratio x{result['ratio']:.0f}"
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=20.0, help="corpus size in MB (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--naive-share", type=float, default=0.1, help="share of the corpus the naive way runs on"
    )
    args = parser.parse_args(argv)
    docs = prepared(corpus(args.mb, args.seed))
    mb = sum(len(doc.text.encode("utf-8")) for doc in docs) / 1e6
    naive_docs = docs[: max(1, int(len(docs) * args.naive_share))]
    print(f"corpus: {len(docs)} documents, {mb:.1f} MB (after unicode and langid), one core")
    shipped = shipped_rules_dir()
    base = measure("x1", shipped, docs, mb, naive_docs)
    stage = BoilerplateStage(BoilerplateConfig(), shipped)
    peak = peak_memory(stage, docs)
    print(
        f"      peak traced memory of the stage {peak / 1e6:.1f} MB; "
        f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB"
    )
    with tempfile.TemporaryDirectory() as folder:
        rules_dir = Path(folder)
        shutil.copytree(shipped / "boilerplate", rules_dir / "boilerplate")
        synthetic_rules(rules_dir, 9 * base["rules"], args.seed)
        scaled = measure("x10", rules_dir, docs, mb, naive_docs)
    print(
        f"scaling: {scaled['rules'] / base['rules']:.0f}x the rules cost "
        f"{base['mb_s'] / scaled['mb_s']:.2f}x the time (naive: "
        f"{base['naive_mb_s'] / scaled['naive_mb_s']:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
