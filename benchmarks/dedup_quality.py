"""Pair precision and recall of near-duplicate detection on the gold set, per shingle size.

Every document of `benchmarks/dedup_gold.py` is cleaned by the default pipeline (as `cleaner
clean` would), then deduplicated. A predicted pair is two documents in one cluster; a true
pair is two documents of one gold group. Run: `python benchmarks/dedup_quality.py`.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dedup_gold import gold_documents  # noqa: E402

from cleaner.dedup import DedupConfig, deduplicate  # noqa: E402
from cleaner.document import Document  # noqa: E402
from cleaner.pipeline import Pipeline  # noqa: E402

NGRAMS = (1, 2, 3, 4, 5)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


def cleaned_gold() -> tuple[list[Document], dict[str, str]]:
    pipeline = Pipeline(skip=["dedup"])
    docs, groups = [], {}
    for doc_id, text, group in gold_documents():
        docs.append(pipeline(Document(doc_id, text)))
        groups[doc_id] = group
    return docs, groups


def pair_scores(docs: list[Document], groups: dict[str, str], config: DedupConfig):
    """(precision, recall, false positive pairs, missed pairs)."""
    result = deduplicate(docs, config)
    predicted = {
        frozenset(pair)
        for group in result.clusters
        for pair in itertools.combinations(group.members, 2)
    }
    truth = {
        frozenset((a, b))
        for a, b in itertools.combinations(sorted(groups), 2)
        if groups[a] == groups[b]
    }
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    return (
        precision,
        recall,
        sorted(map(sorted, predicted - truth)),
        sorted(map(sorted, truth - predicted)),
    )


def main() -> None:
    docs, groups = cleaned_gold()
    print(f"gold set: {len(docs)} documents, {len(set(groups.values()))} groups")
    print("ngram " + " ".join(f"  t={t:.1f} P/R  " for t in THRESHOLDS))
    for ngram in NGRAMS:
        cells = []
        for threshold in THRESHOLDS:
            precision, recall, _, _ = pair_scores(
                docs, groups, DedupConfig(ngram=ngram, threshold=threshold)
            )
            cells.append(f"{precision:.3f}/{recall:.3f}")
        print(f"{ngram:>5} " + " ".join(f"{cell:>14}" for cell in cells))
    default = DedupConfig()
    precision, recall, false_pairs, missed = pair_scores(docs, groups, default)
    print(
        f"default (ngram={default.ngram}, threshold={default.threshold}, num_perm={default.num_perm}):"
        f" pair precision {precision:.3f}, recall {recall:.3f}"
    )
    for pair in false_pairs:
        print("  false pair:", *pair)
    for pair in missed:
        print("  missed pair:", *pair)


if __name__ == "__main__":
    main()
