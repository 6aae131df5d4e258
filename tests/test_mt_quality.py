"""The gold texts of tests/data/mt through benchmarks/mt_quality.py: every artifact fixed, no
must-not-change case altered, every expected flag raised."""

import importlib.util
import sys
from pathlib import Path

import pytest

from cleaner.rules import shipped_rules_dir
from cleaner.stages.mt import known_names

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "mt_quality.py"
spec = importlib.util.spec_from_file_location("mt_quality", SCRIPT)
mt_quality = importlib.util.module_from_spec(spec)
sys.modules["mt_quality"] = mt_quality  # dataclasses look their module up there
spec.loader.exec_module(mt_quality)

RESULT = mt_quality.evaluate()
NAMES_SHIPPED = bool(known_names(shipped_rules_dir(), "en"))


def test_gold_texts_are_read():
    assert RESULT["documents"] >= 3
    assert sum(RESULT["total"].values()) >= 20 and RESULT["keep_total"] >= 20
    kinds = {"typography", "diaeresis", "sentence_break", "lowercase_name", "mistranslation"}
    assert kinds | {"doubled_word", "repeated_sentence"} <= set(RESULT["total"])


def test_no_must_not_change_case_is_altered():
    assert RESULT["keep_altered"] == 0, RESULT["failures"]


def test_every_expected_flag_is_raised():
    assert RESULT["flags_raised"] == RESULT["flags_total"], RESULT["failures"]


@pytest.mark.parametrize("kind", sorted(RESULT["total"]))
def test_every_artifact_is_fixed(kind):
    if kind == "lowercase_name" and not NAMES_SHIPPED:
        pytest.skip("no English spelling rules shipped yet: no known names to capitalize")
    assert RESULT["fixed"].get(kind, 0) == RESULT["total"][kind], RESULT["failures"]
