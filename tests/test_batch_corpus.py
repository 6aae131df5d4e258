"""The corpus pass of a batch (dedup inside `cleaner clean`): documents wait on disk, not in
memory, and the flags are the ones the library gives for the same documents held in memory."""

import json
import random
import tracemalloc

import pytest
from texts import CITY_BUDGET, KYIV_DRONES

from cleaner.batch import BatchOptions, run_batch
from cleaner.dedup import DedupConfig, deduplicate, flag_documents
from cleaner.document import Document
from cleaner.pipeline import PipelineSettings

STORY = KYIV_DRONES
OTHER = CITY_BUDGET

DEDUP_ONLY = PipelineSettings.build(stages=["dedup"])
WORDS = (STORY + " " + OTHER).replace(".", "").replace(",", "").split()


def random_text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) + str(rng.randrange(1000)) for _ in range(words))


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records))


def written_flags(path) -> dict[str, list]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {record["id"]: record.get("dedup") for record in map(json.loads, lines)}


def library_flags(records, config: DedupConfig) -> dict[str, list]:
    docs = [Document(record["id"], record["text"]) for record in records]
    flag_documents(docs, deduplicate(docs, config))
    return {doc.id: [flag.to_dict() for flag in doc.flags] or None for doc in docs}


def peak_memory_of_a_run(folder, documents: int) -> tuple[int, int]:
    """Peak traced memory of a dedup batch over `documents` distinct ~27 kB documents (plus a
    near-copy of every tenth), and the size of the corpus."""
    rng = random.Random(documents)
    records = [{"id": f"d{i}", "text": random_text(rng, 3000)} for i in range(documents)]
    records += [
        {"id": f"copy{i}", "text": records[i]["text"] + " Source link"}
        for i in range(0, documents, 10)
    ]
    folder.mkdir()
    path = folder / "in.jsonl"
    write_jsonl(path, records)
    tracemalloc.start()
    try:
        run_batch([path], folder / "out", DEDUP_ONLY, BatchOptions(workers=1, chunk_docs=4))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    flags = written_flags(folder / "out" / "in.jsonl")
    assert sum(value is not None for value in flags.values()) == 2 * len(range(0, documents, 10))
    return peak, path.stat().st_size


def test_memory_does_not_grow_with_the_corpus(tmp_path):
    small_peak, small_size = peak_memory_of_a_run(tmp_path / "small", 100)
    large_peak, large_size = peak_memory_of_a_run(tmp_path / "large", 500)
    assert large_size - small_size > 10_000_000
    # What may grow: a signature row (512 bytes) and an id per document, not their texts.
    assert large_peak - small_peak < (large_size - small_size) / 20, (small_peak, large_peak)


@pytest.mark.parametrize("exact", [False, True])
def test_flags_equal_the_library_on_documents_in_memory(tmp_path, exact):
    # Repeated ids of equal length: their order is decided by their texts, read back from disk.
    rng = random.Random(5)
    base = [random_text(rng, 60) for _ in range(6)]
    records = []
    for number, text in enumerate(base):
        edited = text[:-1] + ("x" if text[-1] != "x" else "y")  # one word differs
        records.append({"id": f"s{number % 3}", "text": text})
        records.append({"id": f"s{number % 3}", "text": edited})
        records.append({"id": f"c{number}", "text": text + " Read more"})
        records.append({"id": f"t{number}", "text": text[::-1]})
    rng.shuffle(records)
    path = tmp_path / "in.jsonl"
    write_jsonl(path, records)
    config = DedupConfig(exact=exact)
    settings = PipelineSettings.build(stages=["dedup"], options={"dedup": {"exact": exact}})
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        run_batch([path], out, settings, BatchOptions(workers=workers, chunk_docs=3))
        assert written_flags(out / "in.jsonl") == library_flags(records, config)


def test_kept_documents_and_written_records_get_the_same_flags(tmp_path):
    records = [
        {"dedup": "a field of the input, replaced in place", "id": "wire", "text": STORY},
        {"id": "copy", "text": STORY + " Source link", "tags": ["x"]},
        {"id": "lone", "text": OTHER + " \ud800"},
        {"id": "lone-copy", "text": OTHER + " \ud800 Read more"},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    seen = {}

    def keep(source, record):
        seen[record.doc.id] = [flag.to_dict() for flag in record.doc.flags]

    run_batch([path], tmp_path / "lean", DEDUP_ONLY, BatchOptions(workers=1))
    run_batch([path], tmp_path / "kept", DEDUP_ONLY, BatchOptions(workers=1), on_document=keep)
    lean = (tmp_path / "lean" / "in.jsonl").read_bytes()
    assert (tmp_path / "kept" / "in.jsonl").read_bytes() == lean
    lines = lean.decode("ascii").splitlines()  # lone surrogates stay escaped
    assert list(json.loads(lines[0])) == ["dedup", "id", "text"]
    assert list(json.loads(lines[1])) == ["id", "text", "tags", "dedup"]
    written = {record["id"]: record["dedup"] for record in map(json.loads, lines)}
    assert written == seen
    assert written["wire"][0]["data"]["kept"] == "copy"
    assert written["lone"][0]["data"]["kept"] == "lone-copy"
    assert "\\ud800" in lines[2]


def test_text_files_keep_their_bytes_and_no_temporary_file_is_left(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(STORY + "\n")
    (folder / "b.txt").write_text(STORY + " Source link\n\n")
    (folder / "c.txt").write_text("")
    out = tmp_path / "out"
    summary = run_batch([folder], out, DEDUP_ONLY, BatchOptions(workers=1))
    assert summary.ok and summary.flags == {"dedup.kept": 1, "dedup.duplicate": 1}
    assert sorted(path.name for path in out.iterdir()) == [
        ".cleaner-run.json",
        "a.txt",
        "b.txt",
        "c.txt",
    ]
    assert (out / "b.txt").read_text() == STORY + " Source link\n\n"
    assert (out / "c.txt").read_bytes() == b""
