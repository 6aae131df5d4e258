"""The boilerplate stage on the gold sets: line precision and recall above the issue's
thresholds, every listed language measured, and the stage's own gold reproduced exactly."""

import importlib.util
import sys
from pathlib import Path

import pytest

from cleaner import Document, Pipeline

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "boilerplate_quality", REPO / "benchmarks" / "boilerplate_quality.py"
)
quality = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("boilerplate_quality", quality)
_spec.loader.exec_module(quality)

BY_LANG, EVERY = quality.measure()
TOTAL = quality.total(EVERY)
LANGUAGES = ["en", "fr", "de", "es", "it", "pt", "ru", "uk", "ar", "pl"]
PIPELINE = Pipeline(stages=["unicode", "langid", "boilerplate"])


def test_content_lines_kept_and_boilerplate_recall_meet_the_thresholds():
    assert TOTAL.content_kept >= 0.995
    assert TOTAL.recall >= 0.97
    assert TOTAL.precision >= 0.995


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_listed_language_is_measured(lang):
    counts = quality.total(BY_LANG[lang])
    assert counts.removed_boilerplate + counts.kept_boilerplate >= 3
    assert counts.kept_content + counts.removed_content >= 5


@pytest.mark.parametrize("sample", quality.own_gold(), ids=lambda sample: sample.path)
def test_own_gold_is_reproduced_exactly(sample):
    assert PIPELINE(Document(id=sample.id, text=sample.text)).text == sample.expected
