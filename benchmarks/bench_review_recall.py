"""How well `cleaner rules review` finds variants it has not been told about.

    python benchmarks/bench_review_recall.py [--held-out 80] [--seed 0]

Takes known variants out of a copy of the shipped rules (a seeded sample across all entries),
writes a corpus of news-like sentences in which those variants appear among ordinary
capitalized words (days, nationalities, agencies, other names), runs the review on it with the
reduced rules and prints the recall: the share of held-out variants that the review lists with
their own entry among its top 3 suggestions (target >= 0.9), and how many other candidates it
listed (the noise a reviewer has to skip). A held-out variant that the remaining rules already
canonicalize ("Dynamo Kiew" through "Kiew") is not suggested, by design; it counts as missed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaner.rules import shipped_rules_dir  # noqa: E402
from cleaner.spelling_review import remove_variants, review  # noqa: E402
from cleaner.spelling_rules import load_language  # noqa: E402
from cleaner.stages.spelling import Matcher  # noqa: E402

TEMPLATES = [
    "On Monday, Reuters reported that {} came under fire again, the Ukrainian military said.",
    "Officials in {} told The Associated Press that the damage was heavy.",
    "The Russian Defence Ministry said {} was the target, and the Kremlin declined to comment.",
    "According to {}, European leaders will meet in Brussels on Thursday.",
    "A Telegram post about {} was shared widely, the BBC and CNN noted on Sunday.",
]
DISTRACTORS = (
    "President Joe Biden, Chancellor Olaf Scholz and NATO Secretary General Jens Stoltenberg met "
    "in Vilnius. The International Atomic Energy Agency, the United Nations and the Red Cross "
    "sent teams. Amnesty International and Human Rights Watch asked for access in September."
)


def held_out_variants(rules_dir: Path, count: int, seed: int) -> list[tuple[str, str]]:
    """A seeded sample of `(entry id, variant)` pairs, at most one per entry (of the entries
    with more than one variant, so that every entry keeps one)."""
    entries = load_language(rules_dir, "en")
    rng = random.Random(seed)
    picks = [(e.id, rng.choice(e.variants)) for e in entries if len(e.variants) > 1]
    rng.shuffle(picks)
    return sorted(picks[:count])


def corpus(pairs: list[tuple[str, str]], seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _, variant in pairs:
        sentences = [rng.choice(TEMPLATES).format(variant) for _ in range(rng.randint(1, 3))]
        texts.append(" ".join(sentences) + "\n" + DISTRACTORS)
    return texts


def measure(count: int = 80, seed: int = 0) -> dict:
    """Hold out `count` variants, review, and return recall at 3 and the candidate counts."""
    with tempfile.TemporaryDirectory() as folder:
        rules = Path(folder) / "rules"
        shutil.copytree(shipped_rules_dir() / "spelling", rules / "spelling")
        pairs = held_out_variants(rules, count, seed)
        remove_variants(rules, "en", pairs)
        texts = corpus(pairs, seed)
        start = time.perf_counter()
        reduced = load_language(rules, "en")
        candidates = review(texts, reduced, min_score=80)
        seconds = time.perf_counter() - start
        matcher = Matcher(reduced)
        canonical = {entry.id: entry.canonical for entry in reduced}
    by_text = {candidate.text: candidate for candidate in candidates}
    found, missed = [], []
    for entry_id, variant in pairs:
        candidate = by_text.get(variant)
        top = [s.entry_id for s in candidate.suggestions[:3]] if candidate else []
        if entry_id in top:
            found.append((entry_id, variant))
        else:
            covered = matcher.replace(variant) == canonical[entry_id]
            missed.append((entry_id, variant, covered))
    wanted = {variant for _, variant in pairs}
    return {
        "held_out": len(pairs),
        "found_in_top3": len(found),
        "recall_at_3": len(found) / len(pairs),
        "missed": missed,
        "other_candidates": sum(1 for c in candidates if c.text not in wanted),
        "seconds": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", type=int, default=80)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = measure(args.held_out, args.seed)
    print(
        f"held-out variants: {result['held_out']}; found with the right entry in the top 3: "
        f"{result['found_in_top3']}; recall@3 = {result['recall_at_3']:.3f} (target >= 0.9)"
    )
    print(
        f"other candidates listed: {result['other_candidates']}; review took {result['seconds']:.2f} s"
    )
    for entry_id, variant, covered in result["missed"]:
        note = " (the remaining rules already canonicalize it)" if covered else ""
        print(f"  missed: {variant!r} ({entry_id}){note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
