import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from corpus import LANGS, iter_records, write_corpus  # noqa: E402


def test_same_arguments_give_identical_files(tmp_path):
    first = write_corpus(tmp_path / "a", mb=0.3, docs=None, seed=7)
    second = write_corpus(tmp_path / "b", mb=0.3, docs=None, seed=7)
    assert first == second
    a, b = tmp_path / "a", tmp_path / "b"
    assert (a / "corpus.jsonl").read_bytes() == (b / "corpus.jsonl").read_bytes()
    for path in (a / "txt").rglob("*.txt"):
        assert path.read_bytes() == (b / path.relative_to(a)).read_bytes()


def test_txt_files_hold_the_jsonl_texts(tmp_path):
    write_corpus(tmp_path, mb=None, docs=40, seed=1)
    for line in (tmp_path / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text = (tmp_path / "txt" / f"{record['id']}.txt").read_bytes().decode("utf-8")
        assert text == record["text"]


def test_seed_changes_the_corpus():
    assert next(iter_records(mb=0.05, seed=1)) != next(iter_records(mb=0.05, seed=2))


def test_size_and_count_options():
    by_count = list(iter_records(mb=None, docs=25, seed=0))
    assert len(by_count) == 25
    by_size = list(iter_records(mb=0.5, seed=0))
    size = sum(len(r["text"].encode("utf-8")) for r in by_size)
    assert 500_000 <= size < 500_000 + max(len(r["text"].encode("utf-8")) for r in by_size)


def test_every_language_and_noise_kind_and_near_duplicates_occur():
    records = list(iter_records(mb=1.5, seed=0))
    assert {r["lang"] for r in records} == set(LANGS)
    noise = {kind for r in records for kind in r["noise"]}
    expected = {
        "mojibake", "html_entity", "invisible_or_nbsp", "odd_spacing", "crlf", "ticker",
        "source_link", "also_read", "promo", "credit", "repeated_title", "repeated_lead",
        "space_before_punct", "andrei", "broken_sentence", "lowercase_kyiv", "blank_runs",
    }  # fmt: skip
    assert expected <= noise
    ids = {r["id"] for r in records}
    duplicates = [r for r in records if r["dup_of"]]
    assert len(duplicates) > len(records) // 20
    assert all(r["dup_of"] in ids for r in duplicates)
    assert any("\r\n" in r["text"] for r in records)
    assert any("Kiev" in r["text"] for r in records) and any("Odessa" in r["text"] for r in records)
    assert any("{{#Ticker}}" in r["text"] for r in records)
