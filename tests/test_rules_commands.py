"""`cleaner rules ...` through typer's CliRunner on the sub-app, and the review loop end to end:
discover, decide, write back, re-run."""

from __future__ import annotations

import difflib
import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.commands.rules import app
from cleaner.document import Document
from cleaner.errors import RuleError
from cleaner.rules import shipped_rules_dir
from cleaner.spelling_review import (
    accept_variant,
    add_entry,
    fold,
    load_rejected,
    read_corpus,
    review,
)
from cleaner.spelling_rules import check_rules, load_language
from cleaner.stages.spelling import SpellingConfig, SpellingStage

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

CORPUS = (
    "The mayor of Kyjiw said on Monday that Zaporizhzhye and Kyjiw were hit again.\n"
    "In Kyjiw, Vitaliy Klichko told reporters that Kharkov and Paris were calm.\n"
)


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(shipped_rules_dir() / "spelling", target / "spelling")
    return target


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(CORPUS, encoding="utf-8")
    (folder / "b.jsonl").write_text(
        json.dumps({"id": "x1", "text": "Kyjiw is the capital."}) + "\n", encoding="utf-8"
    )
    return folder


def spell(rules: Path, text: str) -> str:
    return SpellingStage(SpellingConfig(), rules)(Document(id="t", text=text)).text


def test_check_passes_on_the_shipped_rules():
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "ok (en: " in result.output


def test_check_reports_problems_with_path_line_and_exit_1(rules_copy):
    path = rules_copy / "spelling" / "en" / "places-ukraine.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("variants: [Bachmut,", "variants: [Kharkov, Bachmut,"), encoding="utf-8"
    )
    result = runner.invoke(app, ["check", str(rules_copy)])
    assert result.exit_code == 1
    line = next(
        text for text in result.output.splitlines() if "Kharkov" in text and "shadows" in text
    )
    assert line.startswith(f"{path}:")
    assert "rule spelling.en.bakhmut" in line or "rule spelling.en.kharkiv" in line


def test_check_on_a_missing_folder_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["check", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "not found" in result.output


def test_review_finds_variants_with_counts_and_contexts(corpus):
    result = runner.invoke(app, ["review", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    candidates = {c["text"]: c for c in json.loads(result.output)}
    assert candidates["Kyjiw"]["count"] == 4
    assert candidates["Kyjiw"]["suggestions"][0]["canonical"] == "Kyiv"
    assert candidates["Zaporizhzhye"]["suggestions"][0]["canonical"] == "Zaporizhzhia"
    assert candidates["Vitaliy Klichko"]["suggestions"][0]["canonical"] == "Vitali Klitschko"
    assert "[Kyjiw]" in candidates["Kyjiw"]["contexts"][0]
    assert len(candidates["Kyjiw"]["contexts"]) == 3
    assert "Paris" not in candidates and "Kharkov" not in candidates  # unrelated, and known


def test_review_markdown_and_table(corpus):
    markdown = runner.invoke(app, ["review", str(corpus), "--markdown"])
    assert markdown.exit_code == 0
    assert markdown.output.startswith("| spelling | count |")
    assert "| Kyjiw | 4 | Kyiv (100)" in markdown.output
    table = runner.invoke(app, ["review", str(corpus)])
    assert table.exit_code == 0 and "Kyjiw" in table.output


def test_review_reports_a_bad_input_line_and_goes_on(corpus):
    (corpus / "c.jsonl").write_text('{"text": "Kyjiw"}\nnot json\n', encoding="utf-8")
    result = runner.invoke(app, ["review", str(corpus), "--json"])
    assert result.exit_code == 1
    assert f"{corpus / 'c.jsonl'}:2: invalid JSON" in result.output


def test_interactive_needs_a_rules_folder(corpus):
    result = runner.invoke(app, ["review", str(corpus), "--interactive"])
    assert result.exit_code == 2 and "--rules" in result.output


def test_review_loop_end_to_end(corpus, rules_copy):
    """Discover, decide (accept, reject, new entry), write back, re-run."""
    before = spell(rules_copy, CORPUS)
    assert "Kyjiw" in before
    # candidates come best first: Kyjiw (4), Vitaliy Klichko, Zaporizhzhye; decide each
    answers = "1\nr\n1\n"
    result = runner.invoke(
        app, ["review", str(corpus), "--rules", str(rules_copy), "--interactive"], input=answers
    )
    assert result.exit_code == 0, result.output
    entries = {e.id: e for e in load_language(rules_copy, "en")}
    assert "Kyjiw" in entries["spelling.en.kyiv"].variants
    assert load_rejected(rules_copy, "en") == ["Vitaliy Klichko"]
    assert "Zaporizhzhye" in entries["spelling.en.zaporizhzhia"].variants
    assert check_rules(rules_copy) == []
    after = spell(rules_copy, CORPUS)
    assert "Kyjiw" not in after and after.count("Kyiv") == 3
    assert "Zaporizhzhia" in after
    # a second review does not ask again about decided spellings
    again = runner.invoke(app, ["review", str(corpus), "--rules", str(rules_copy), "--json"])
    assert json.loads(again.output) == []


def test_new_entry_from_the_interactive_review(tmp_path, rules_copy):
    (tmp_path / "t.txt").write_text("Officials in Kyivv and Kyivv again.", encoding="utf-8")
    answers = "n\nKyivvland\nplace-other\n\nTest entry, invented.\n"
    result = runner.invoke(
        app,
        ["review", str(tmp_path / "t.txt"), "--rules", str(rules_copy), "--interactive"],
        input=answers,
    )
    assert result.exit_code == 0, result.output
    new = (rules_copy / "spelling" / "en" / "places-other.yaml").read_text(encoding="utf-8")
    assert "id: spelling.en.kyivvland" in new and "variants: [Kyivv]" in new
    assert check_rules(rules_copy) == []
    assert spell(rules_copy, "Kyivv") == "Kyivvland"


def test_write_back_is_a_one_line_diff_and_keeps_comments(rules_copy):
    path = rules_copy / "spelling" / "en" / "places-ukraine.yaml"
    before = path.read_text(encoding="utf-8").splitlines()
    accept_variant(rules_copy, "en", "spelling.en.bakhmut", "Bakhmutt")
    after = path.read_text(encoding="utf-8").splitlines()
    diff = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert diff == [
        "-  variants: [Bachmut, Bahmut, Bakhmout]",
        "+  variants: [Bachmut, Bahmut, Bakhmout, Bakhmutt]",
    ]
    with pytest.raises(RuleError, match="already a spelling of spelling.en.kharkiv"):
        accept_variant(rules_copy, "en", "spelling.en.bakhmut", "kharkov")


def test_add_entry_keeps_the_file_sorted(rules_copy):
    add_entry(
        rules_copy,
        "en",
        "places-ukraine",
        entry_id="spelling.en.kramatorsk",
        canonical="Kramatorsk",
        kind="place-ukraine",
        description="Donetsk oblast city.",
        variants=["Kramators'k"],
    )
    assert check_rules(rules_copy) == []
    assert spell(rules_copy, "Kramators'k") == "Kramatorsk"


def test_exception_decision(rules_copy, tmp_path):
    from cleaner.spelling_review import add_exception

    add_exception(rules_copy, "en", "spelling.en.kyiv", "Kiev Symphony")
    assert check_rules(rules_copy) == []
    assert spell(rules_copy, "the Kiev Symphony in Kiev") == "the Kiev Symphony in Kyiv"
    with pytest.raises(RuleError, match="contains no variant"):
        add_exception(rules_copy, "en", "spelling.en.kyiv", "Paris")


def test_stats_counts_rules_and_lists_the_silent_ones(corpus):
    (corpus / "d.txt").write_text(
        "The governor said that Kiev and the port of Odessa were attacked again on Monday, "
        "and that the strikes on Kiev had lasted for most of the night.",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["stats", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["documents"] == 3
    assert stats["fired"]["spelling.en.kyiv"] == 2
    assert stats["fired"]["spelling.en.odesa"] == 1
    assert stats["fired"]["spelling.en.kharkiv"] == 1
    assert "spelling.en.bakhmut" in stats["never_fired"]
    assert "spelling.en.kyiv" not in stats["never_fired"]


def test_read_corpus_names_documents_and_errors(corpus):
    errors: list[str] = []
    docs = dict(read_corpus([corpus], errors=errors))
    assert set(docs) == {"a.txt", "b.jsonl#x1"} and errors == []
    with pytest.raises(Exception, match="no such file"):
        list(read_corpus([corpus / "missing.txt"]))


@pytest.mark.parametrize(
    "a, b",
    [
        ("Kharkov", "Kharkiv"),
        ("Zaporizhzhya", "Zaporizhzhia"),
        ("Avdiïvka", "Avdeyevka"),
        ("Kyjiv", "Kyiv"),
        ("Rubezhnoye", "Rubizhne"),
        ("Hana Malyar", "Hanna Maliar"),
        ("Odessa", "Odesa"),
        ("Lugansk", "Luhansk"),
        ("Chernigov", "Chernihiv"),
    ],
)
def test_fold_merges_transliterations(a, b):
    assert fold(a) == fold(b)


def test_fold_keeps_different_names_apart():
    assert fold("Klychkov") != fold("Klychko")
    assert fold("Paris") != fold("Kyiv")


def test_review_skips_known_and_rejected():
    entries = load_language(shipped_rules_dir(), "en")
    texts = ["Kyjiw and Kiev and Kyiv and Charkow"]
    found = [c.text for c in review(texts, entries)]
    assert found == ["Kyjiw"]  # Kiev, Kyiv, Charkow are known
    assert review(texts, entries, rejected=["kyjiw"]) == []


def test_discovery_recall_at_3():
    spec = importlib.util.spec_from_file_location(
        "bench", ROOT / "benchmarks" / "bench_review_recall.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.measure(count=60, seed=1)
    print(f"review recall@3 on {result['held_out']} held-out variants: {result['recall_at_3']:.3f}")
    assert result["recall_at_3"] >= 0.9, result["missed"]


def test_review_reads_only_paragraphs_in_the_language(tmp_path):
    (tmp_path / "mixed.txt").write_text(
        "The governor said that Kyjiw and the surrounding region were attacked again on Monday.\n"
        "Le gouverneur a affirmé que Zaporizhzhye et toute la région ont été bombardées lundi soir.\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["review", str(tmp_path), "--json"])
    found = {c["text"] for c in json.loads(result.output)}
    assert "Kyjiw" in found and "Zaporizhzhye" not in found
