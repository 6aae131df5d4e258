import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from dedup_quality import cleaned_gold, pair_scores  # noqa: E402

from cleaner.dedup import DedupConfig  # noqa: E402


@pytest.fixture(scope="module")
def gold():
    return cleaned_gold()


def test_gold_set_has_groups_and_hard_negatives(gold):
    docs, groups = gold
    assert len(docs) >= 80
    assert {"kyiv-drones", "kyiv-drones-other", "kyiv-drones-next-night"} <= set(groups.values())


def test_default_settings_reach_the_quality_bar(gold):
    precision, recall, false_pairs, missed = pair_scores(*gold, DedupConfig())
    assert precision >= 0.98, false_pairs
    assert recall >= 0.95, missed


def test_single_words_are_too_coarse_for_hard_negatives(gold):
    # Why the default is not ngram=1: the vocabulary of one event joins another outlet's story.
    precision, _, false_pairs, _ = pair_scores(*gold, DedupConfig(ngram=1))
    assert precision < 0.98
    assert any("kharkiv-school-other" in " ".join(pair) for pair in false_pairs)
