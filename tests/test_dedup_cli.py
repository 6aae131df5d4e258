import json

import pytest
from texts import CITY_BUDGET, KYIV_DRONES_LONG
from typer.testing import CliRunner

from cleaner.cli import app

STORY = KYIV_DRONES_LONG
OTHER = CITY_BUDGET


def invoke(*arguments):
    return CliRunner().invoke(app, ["dedup", *map(str, arguments)])


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "in"
    (folder / "wire").mkdir(parents=True)
    (folder / "wire" / "original.txt").write_text(STORY + "\nShare this article.\n")
    (folder / "copy.txt").write_text("Home / News\n" + STORY.replace("Kyiv", "Kiev"))
    (folder / "council.txt").write_text(OTHER)
    return folder


def test_json_lists_clusters_of_two_or_more_by_relative_path(corpus):
    result = invoke(corpus, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["clusters"] == [["copy.txt", "wire/original.txt"]]
    assert data["documents"] == 3
    assert "3 documents, 1 clusters of near-duplicates, 1 duplicates" in result.stderr


def test_out_file_explains_each_cluster(corpus, tmp_path):
    out = tmp_path / "clusters.jsonl"
    assert invoke(corpus, "--out", out).exit_code == 0
    [line] = out.read_text().splitlines()
    record = json.loads(line)
    assert record["kept"] == "wire/original.txt"
    members = {member["id"]: member for member in record["members"]}
    assert (
        members["wire/original.txt"]["kept"] and members["wire/original.txt"]["similarity"] == 1.0
    )
    assert 0.5 <= members["copy.txt"]["similarity"] < 1.0
    assert any(
        "debris fell on a residential building" in passage for passage in record["shared_passages"]
    )


def test_drop_writes_only_kept_documents(corpus, tmp_path):
    out = tmp_path / "out"
    result = invoke(corpus, "--drop", "-o", out)
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["council.txt", "wire/original.txt"]
    assert "Share this article" in (corpus / "wire" / "original.txt").read_text()  # input untouched


def test_without_drop_every_document_is_written(corpus, tmp_path):
    out = tmp_path / "out"
    assert invoke(corpus, "-o", out).exit_code == 0
    assert len([p for p in out.rglob("*") if p.is_file()]) == 3


def test_jsonl_records_keep_their_ids_and_get_dedup_flags(tmp_path):
    source = tmp_path / "news.jsonl"
    records = [
        {"id": "r1", "text": STORY, "published": "2024-02-02"},
        {"id": "r2", "text": STORY + " Source link.", "published": "2024-02-01"},
        {"id": "r3", "text": OTHER},
    ]
    source.write_text("".join(json.dumps(record) + "\n" for record in records))
    out = tmp_path / "out"
    result = invoke(source, "--json", "--keep", "earliest", "-o", out)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["clusters"] == [["r1", "r2"]]
    written = [json.loads(line) for line in (out / "news.jsonl").read_text().splitlines()]
    by_id = {record["id"]: record for record in written}
    assert by_id["r1"]["dedup"][0]["rule"] == "dedup.duplicate"
    assert by_id["r1"]["dedup"][0]["data"]["kept"] == "r2"
    assert by_id["r1"]["published"] == "2024-02-02"
    assert "dedup" not in by_id["r3"]


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--threshold", "2"], "dedup.threshold must be in (0.0, 1.0], got 2.0"),
        (
            ["--keep", "newest"],
            "dedup.keep must be one of longest, earliest, first, cleanest, got 'newest'",
        ),
        (["--num-perm", "4"], "dedup.num_perm must be in [16, 1024], got 4"),
        (["--drop"], "--drop writes the kept documents: give -o OUTDIR"),
    ],
)
def test_usage_errors_exit_2_with_one_line(corpus, arguments, message):
    result = invoke(corpus, *arguments)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"cleaner: error: {message}"


def test_missing_input_is_a_usage_error(tmp_path):
    result = invoke(tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "nowhere: no such file or folder" in result.stderr


def test_a_bad_document_does_not_stop_the_batch(corpus):
    (corpus / "broken.txt").write_bytes(b"\x00\x01binary\x00")
    (corpus / "lines.jsonl").write_text('{"id": "ok", "text": "fine"}\nnot json\n')
    result = invoke(corpus, "--json")
    assert result.exit_code == 1
    assert "broken.txt: binary file (NUL bytes), skipped" in result.stderr
    assert "lines.jsonl:2: invalid JSON" in result.stderr
    assert json.loads(result.stdout)["clusters"] == [["copy.txt", "wire/original.txt"]]


def test_second_run_with_index_flags_new_copies_of_old_documents(corpus, tmp_path):
    index = tmp_path / "seen.db"
    assert invoke(corpus, "--index", index).exit_code == 0
    batch = tmp_path / "batch2"
    batch.mkdir()
    (batch / "reprint.txt").write_text("Breaking. " + STORY + " Read more.")
    (batch / "fresh.txt").write_text("Completely unrelated text about football and weather today.")
    result = invoke(batch, "--index", index, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # The reprint matches both indexed copies; the cluster keeps the one kept before.
    assert data["clusters"] == [["copy.txt", "reprint.txt", "wire/original.txt"]]
    assert data["kept"] == ["wire/original.txt"]
    assert data["duplicates"] == 1  # only the new document: indexed ones were counted before
    mismatch = invoke(batch, "--index", index, "--ngram", "4")
    assert mismatch.exit_code == 2
    assert "index was built with ngram=3; this run uses ngram=4" in mismatch.stderr


def test_a_document_that_fails_to_clean_is_reported_and_still_compared(corpus, monkeypatch):
    from cleaner.pipeline import Pipeline

    def fail_on_council(self, doc):
        if doc.id == "council.txt":
            raise RuntimeError("stage bug")
        return doc

    monkeypatch.setattr(Pipeline, "__call__", fail_on_council)
    result = invoke(corpus, "--json")
    assert result.exit_code == 1
    assert (
        "council.txt: cleaning failed (RuntimeError: stage bug); deduplicated as read"
        in result.stderr
    )
    assert json.loads(result.stdout)["documents"] == 3
