"""Corpus mode: mining lines that repeat across documents, the learned-lines rule file, and the
`cleaner boilerplate mine` / `cleaner clean --learned` commands."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cleaner import ConfigError, Document, RuleError
from cleaner.boilerplate_corpus import (
    load_learned_lines,
    mine_repeated_lines,
    normalize_line,
    write_learned_rules,
)
from cleaner.cli import app
from cleaner.rules import shipped_rules_dir
from cleaner.stages.boilerplate import BoilerplateConfig, BoilerplateStage

STORIES = [
    "Floods cut off three villages in the Odesa region on Monday, officials said.",
    "The talks in Geneva ended without a joint statement, both delegations said.",
    "A drone strike damaged a power substation near Kharkiv overnight.",
    "Grain prices rose for the third week in a row, traders in Kyiv said.",
    "The city council approved a new metro line after a long debate.",
    "Power cuts were reported in four districts of the capital after the attack.",
    "Farmers blocked the border crossing for a second day, the police said.",
    "The museum reopened its doors after two years of repairs.",
]
TEMPLATE_LINE = "Daily Courier is read by 2 million people every day"


def docs_with_template(count: int = 8) -> list[tuple[str, str]]:
    # The outlet's own line repeats with a changing number; the stories do not repeat.
    return [
        (f"d{n}", f"{STORIES[n]}\n\nDaily Courier is read by {n + 2} million people every day")
        for n in range(count)
    ]


def test_normalize_line_folds_case_digits_spaces_and_markers():
    assert normalize_line("  • Comments (12)   Share ") == "comments (0) share"
    assert normalize_line("COMMENTS (3) share") == "comments (0) share"


def test_mining_finds_the_repeated_line_with_counts_and_examples():
    result = mine_repeated_lines(docs_with_template(), min_docs=5)
    assert result.documents == 8
    assert [(c.line, c.documents, c.doc_ids) for c in result.candidates] == [
        ("daily courier is read by 0 million people every day", 8, ("d0", "d1", "d2"))
    ]
    assert result.candidates[0].share == 1.0


def test_a_line_counts_once_per_document():
    docs = [(f"d{n}", "Share this\nShare this\nShare this") for n in range(3)]
    assert mine_repeated_lines(docs, min_docs=3).candidates[0].documents == 3
    assert mine_repeated_lines(docs, min_docs=4).candidates == []


def test_thresholds_min_docs_min_share_and_max_chars():
    unique = [f"A story about {chr(97 + n % 26)}{chr(97 + n // 26)}." for n in range(92)]
    docs = docs_with_template(8) + [(f"x{n}", text) for n, text in enumerate(unique)]
    assert mine_repeated_lines(docs, min_docs=9).candidates == []
    assert len(mine_repeated_lines(docs, min_docs=5, min_share=0.05).candidates) == 1
    assert mine_repeated_lines(docs, min_docs=5, min_share=0.1).candidates == []
    assert mine_repeated_lines(docs, min_docs=5, max_chars=20).candidates == []


@pytest.mark.parametrize(
    "options, message",
    [
        ({"min_docs": 1}, "min_docs must be >= 2"),
        ({"min_share": 1.5}, "min_share must be between 0 and 1"),
        ({"min_chars": 0}, "min_chars"),
    ],
)
def test_mining_parameters_are_validated(options, message):
    with pytest.raises(ConfigError, match=message):
        mine_repeated_lines([], **options)


def test_learned_rules_round_trip_and_are_applied_by_the_stage(tmp_path):
    result = mine_repeated_lines(docs_with_template(), min_docs=5)
    path = tmp_path / "learned.yaml"
    assert write_learned_rules(result.candidates, path, documents=result.documents) == 1
    assert write_learned_rules(result.candidates, path, documents=result.documents) == 0
    learned = load_learned_lines(path)
    rule_id = result.candidates[0].rule_id
    assert learned.match("Daily Courier is read by 40 million people every day") == rule_id
    stage = BoilerplateStage(BoilerplateConfig(learned=str(path)), shipped_rules_dir())
    doc = stage(Document(id="n", text=f"{STORIES[0]}\n\n{TEMPLATE_LINE}", lang="en"))
    assert doc.text == STORIES[0]
    assert [change.rule for change in doc.changes] == [rule_id]


def test_malformed_learned_file_names_path_line_and_rule(tmp_path):
    path = tmp_path / "learned.yaml"
    path.write_text(
        "# learned\n- id: learned.1\n  description: d\n  kind: learned\n  action: remove\n"
        "  line: share this\n  examples: {match: [Print this]}\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match=rf"^{path}:2: rule learned.1: example does not match"):
        BoilerplateStage(BoilerplateConfig(learned=str(path)), shipped_rules_dir())
    with pytest.raises(RuleError, match="cannot read rule file"):
        BoilerplateStage(
            BoilerplateConfig(learned=str(tmp_path / "nope.yaml")), shipped_rules_dir()
        )


def run(*args, input=None):
    result = CliRunner().invoke(app, [str(arg) for arg in args], input=input)
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture
def crawl(tmp_path):
    folder = tmp_path / "crawl"
    folder.mkdir()
    for doc_id, text in docs_with_template():
        (folder / f"{doc_id}.txt").write_text(text + "\n", encoding="utf-8")
    return folder


def test_mine_reports_and_writes_accepted_lines_then_clean_applies_them(crawl, tmp_path):
    learned = tmp_path / "learned.yaml"
    result = run("boilerplate", "mine", crawl, "--min-docs", 5, "--write", learned, "--accept-all")
    assert result.exit_code == 0, result.stderr
    assert "1 repeated lines in 8 documents" in result.stdout
    assert "'Daily Courier is read by 2 million people every day'" in result.stdout
    assert "d0.txt, d1.txt, d2.txt" in result.stdout
    out = tmp_path / "out"
    cleaned = run("clean", crawl, "-o", out, "--learned", learned, "--quiet")
    assert cleaned.exit_code == 0, cleaned.stderr
    assert (out / "d3.txt").read_text(encoding="utf-8") == STORIES[3] + "\n"


def test_mine_review_asks_before_writing(crawl, tmp_path):
    learned = tmp_path / "learned.yaml"
    refused = run("boilerplate", "mine", crawl, "--write", learned, "--review", input="n\n")
    assert refused.exit_code == 0
    assert "0 rules added" in refused.stdout
    accepted = run("boilerplate", "mine", crawl, "--write", learned, "--review", input="y\n")
    assert "1 rules added" in accepted.stdout
    assert load_learned_lines(learned).rules


def test_mine_write_needs_a_way_to_accept(crawl, tmp_path):
    result = run("boilerplate", "mine", crawl, "--write", tmp_path / "l.yaml")
    assert result.exit_code == 2
    assert "--accept-all or --review" in result.stderr


def test_mine_reads_jsonl_and_reports_bad_lines(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [json.dumps({"id": i, "text": t}) for i, t in docs_with_template()]
    path.write_text("\n".join([*lines, "{not json"]) + "\n", encoding="utf-8")
    result = run("boilerplate", "mine", path)
    assert result.exit_code == 1
    assert "1 repeated lines in 8 documents" in result.stdout
    assert "feed.jsonl:9" in result.stderr


def test_clean_with_a_missing_learned_file_is_a_usage_error(crawl, tmp_path):
    result = run("clean", crawl, "-o", tmp_path / "out", "--learned", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert "nope.yaml" in result.stderr
