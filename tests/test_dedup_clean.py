"""dedup as the last stage of `cleaner clean`: flags in JSONL records and in the report."""

import json

import pytest
from texts import CITY_BUDGET, KYIV_DRONES
from typer.testing import CliRunner

from cleaner.cli import app

STORY = KYIV_DRONES
OTHER = CITY_BUDGET


@pytest.fixture
def feed(tmp_path):
    path = tmp_path / "feed.jsonl"
    records = [
        {"id": "wire", "text": STORY + "\nSource link", "source": "agency"},
        {"id": "copy", "text": "Home / News\n" + STORY},
        {"id": "council", "text": OTHER},
    ]
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


@pytest.mark.parametrize("workers", ["1", "2"])
def test_clean_adds_dedup_flags_to_jsonl_records(feed, tmp_path, workers):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["clean", str(feed), "-o", str(out), "-j", workers])
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in map(json.loads, (out / "feed.jsonl").read_text().splitlines())}
    assert "dedup" not in records["council"]
    # Equally long once cleaned: the tie goes to the smaller id, whatever the worker count.
    [kept], [duplicate] = records["copy"]["dedup"], records["wire"]["dedup"]
    assert kept["rule"] == "dedup.kept" and duplicate["rule"] == "dedup.duplicate"
    assert kept["data"]["cluster"] == duplicate["data"]["cluster"] == "copy"
    assert 0.5 <= duplicate["data"]["similarity"] <= 1.0
    assert records["wire"]["source"] == "agency"


def test_skip_dedup_leaves_records_alone(feed, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["clean", str(feed), "-o", str(out), "--skip", "dedup"])
    assert result.exit_code == 0, result.output
    assert all(
        "dedup" not in json.loads(line) for line in (out / "feed.jsonl").read_text().splitlines()
    )


def test_dedup_is_a_command_of_cleaner(feed):
    result = CliRunner().invoke(app, ["dedup", str(feed), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["clusters"] == [["copy", "wire"]]


def test_clean_checks_a_batch_against_an_index_set_as_an_option(feed, tmp_path):
    index = tmp_path / "seen.db"
    option = f'dedup.index="{index}"'
    first = CliRunner().invoke(
        app, ["clean", str(feed), "-o", str(tmp_path / "a"), "--set", option]
    )
    assert first.exit_code == 0, first.output
    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps({"id": "reprint", "text": "Breaking: " + STORY}) + "\n")
    second = CliRunner().invoke(
        app, ["clean", str(later), "-o", str(tmp_path / "b"), "--set", option]
    )
    assert second.exit_code == 0, second.output
    [record] = map(json.loads, (tmp_path / "b" / "later.jsonl").read_text().splitlines())
    [flag] = record["dedup"]
    assert flag["rule"] == "dedup.duplicate" and flag["data"]["kept"] == "copy"
