"""The library side of a batch run: ordering across workers, failures, atomicity, memory."""

import dataclasses
import json
import pickle
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import ConfigError
from cleaner.batch import BatchOptions, Cleaned, run_batch
from cleaner.document import Document, Flag
from cleaner.io import Record, encode_fields, find_sources, read_records
from cleaner.pipeline import PipelineSettings
from cleaner.stages.unicode import UnicodeStage

UNICODE_ONLY = PipelineSettings.build(stages=["unicode"])


def outputs(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


messy_text = st.lists(
    st.sampled_from(
        list("ab Kyiv\n\r\t.,\u00a0\u200b\u2019") + ["&amp;", "caf\u00c3\u00a9", "Київ ", "the "]
    ),
    max_size=40,
).map("".join)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(messy_text, min_size=1, max_size=25), files=st.integers(1, 4))
def test_output_does_not_depend_on_worker_count(tmp_path_factory, texts, files):
    root = tmp_path_factory.mktemp("corpus")
    source = root / "in"
    source.mkdir()
    for index, text in enumerate(texts):
        (source / f"doc{index:02d}.txt").write_text(text, encoding="utf-8", newline="")
    for number in range(files):
        lines = [json.dumps({"id": i, "text": t}) for i, t in enumerate(texts[number::files])]
        (source / f"part{number}.jsonl").write_text("\n".join(lines) + "\n")
    small_chunks = {"chunk_docs": 2, "chunk_bytes": 64}
    one = run_batch([source], root / "one", options=BatchOptions(workers=1, **small_chunks))
    two = run_batch([source], root / "two", options=BatchOptions(workers=2, **small_chunks))
    assert one.ok and two.ok
    assert outputs(root / "one") == outputs(root / "two")
    assert one.rules == two.rules


def test_one_failing_document_does_not_stop_the_batch(tmp_path, monkeypatch):
    def fragile(self, doc):
        if "BOOM" in doc.text:
            raise ValueError("stage bug")
        return original_call(self, doc)

    original_call = UnicodeStage.__call__
    monkeypatch.setattr(UnicodeStage, "__call__", fragile)
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "a  b"}\n{"text": "BOOM  x"}\n{"text": "c  d"}\n')
    problems = []
    summary = run_batch(
        [path],
        tmp_path / "out",
        UNICODE_ONLY,
        BatchOptions(workers=1),
        on_problem=lambda message, is_error: problems.append((message, is_error)),
    )
    assert summary.failed == 1 and summary.documents == 2
    assert problems == [
        (f"{path}:2: cleaning failed (ValueError: stage bug); text kept as is", True)
    ]
    assert (tmp_path / "out" / "in.jsonl").read_text().splitlines() == [
        '{"text": "a b"}',
        '{"text": "BOOM  x"}',
        '{"text": "c d"}',
    ]


def test_unreadable_file_is_reported_even_as_root(tmp_path, monkeypatch):
    import cleaner.io

    real_open = cleaner.io._open

    def denied(source):
        if source.path.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_open(source)

    monkeypatch.setattr(cleaner.io, "_open", denied)
    source = tmp_path / "in"
    source.mkdir()
    (source / "locked.txt").write_text("secret\n")
    (source / "open.txt").write_text("open  text\n")
    summary = run_batch([source], tmp_path / "out", UNICODE_ONLY, BatchOptions(workers=1))
    assert summary.errors == [f"{source / 'locked.txt'}: cannot read: Permission denied"]
    assert outputs(tmp_path / "out").keys() >= {"open.txt"}
    assert not (tmp_path / "out" / "locked.txt").exists()


def test_a_failure_while_writing_leaves_no_partial_file_and_keeps_the_old_output(
    tmp_path, monkeypatch
):
    import cleaner.batch

    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"text": f"doc  {i}"}) + "\n" for i in range(10)))
    out = tmp_path / "out"
    run_batch([path], out, UNICODE_ONLY, BatchOptions(workers=1))
    previous = (out / "in.jsonl").read_bytes()
    real_encode = cleaner.batch.encode_record
    calls = []

    def interrupted(record, *args):
        calls.append(record)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real_encode(record, *args)

    monkeypatch.setattr(cleaner.batch, "encode_record", interrupted)
    path.write_text("".join(json.dumps({"text": f"new  {i}"}) + "\n" for i in range(10)))
    with pytest.raises(KeyboardInterrupt):
        run_batch([path], out, UNICODE_ONLY, BatchOptions(workers=1))
    assert sorted(p.name for p in out.iterdir()) == [".cleaner-run.json", "in.jsonl"]
    assert (out / "in.jsonl").read_bytes() == previous


def test_huge_line_is_read_in_bounded_memory(tmp_path):
    path = tmp_path / "huge.jsonl"
    with path.open("w") as stream:
        stream.write('{"text": "')
        for _ in range(40):
            stream.write("x" * 1_000_000)
        stream.write('"}\n{"text": "small  one"}\n')
    source = find_sources([path])[0][0]
    tracemalloc.start()
    try:
        records = list(read_records(source, max_doc_bytes=1_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [record.error is not None for record in records] == [True, False]
    assert records[0].size == 40_000_013
    assert records[1].doc.text == "small  one"
    assert peak < 6_000_000, f"peak {peak} bytes for a 40 MB line with a 1 MB limit"


def test_walk_is_sorted_skips_hidden_and_unknown_files(tmp_path):
    for name in ["b.txt", "a/z.md", "a/y.jsonl.gz", ".git/x.txt", ".hidden.txt", "c.csv"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    sources, warnings = find_sources([tmp_path])
    assert [(s.relative, s.format) for s in sources] == [
        ("a/y.jsonl.gz", "jsonl.gz"),
        ("a/z.md", "text"),
        ("b.txt", "text"),
    ]
    assert warnings == []


def test_two_inputs_writing_the_same_output_are_refused(tmp_path):
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.txt").write_text("x")
    with pytest.raises(ConfigError, match="would both be written to same.txt"):
        run_batch([tmp_path / "one", tmp_path / "two"], tmp_path / "out")


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"workers": 0}, "workers must be >= 1"),
        ({"max_doc_bytes": 0}, "max_doc_bytes must be >= 1"),
        ({"text_field": ""}, "must not be empty"),
        ({"stdin_format": "xml"}, "text or jsonl"),
    ],
)
def test_batch_options_are_validated(arguments, message):
    with pytest.raises(ConfigError, match=message):
        BatchOptions(**arguments)


def test_progress_reaches_the_total(tmp_path):
    for index in range(3):
        (tmp_path / f"d{index}.txt").write_text("some  text\n" * (index + 1))
    seen = []
    run_batch(
        [tmp_path],
        tmp_path.parent / (tmp_path.name + "-out"),
        UNICODE_ONLY,
        BatchOptions(workers=1),
        on_progress=lambda done, total: seen.append((done, total)),
    )
    total = sum(len("some  text\n") * (index + 1) for index in range(3))
    assert seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_folder_without_inputs_is_worth_a_warning(tmp_path):
    (tmp_path / "notes.csv").write_text("x")
    sources, warnings = find_sources([tmp_path])
    assert sources == []
    assert warnings == [f"{tmp_path}: no .txt, .md, .jsonl or .jsonl.gz files found"]


def test_a_cleaned_record_survives_pickling_with_every_field():
    doc = Document(id="a/1", text="Kyiv")
    cleaned = Cleaned(
        location="a.jsonl:3",
        size=12,
        output=b'{"id": "a/1", "text": "Kyiv"}\n',
        doc_id="a/1",
        jsonl=True,
        error="an error",
        warning="a warning",
        changes=Counter({("spelling", "spelling.en.kyiv"): 2}),
        flags=["mt.x"],
        sketches={"dedup": (1, 2)},
        record=Record(location="a.jsonl:3", line=3, doc=doc, size=12),
    )
    assert all(getattr(cleaned, field.name) for field in dataclasses.fields(Cleaned))
    assert pickle.loads(pickle.dumps(cleaned, protocol=pickle.HIGHEST_PROTOCOL)) == cleaned


@pytest.mark.parametrize(
    "fields",
    [
        {"id": "a", "text": "Kyiv"},
        {"id": "a", "text": 'Київ «цитата» "quoted" \\ end'},
        {"id": "a", "text": "lone \ud800 surrogate"},  # written with ASCII escapes
        {"id": "a", "text": "x", "dedup": [{"old": True}]},  # replaced where it stands
        {"id": "a", "meta": {"dedup": 1}, "text": 'has "dedup": inside'},
    ],
)
@pytest.mark.parametrize("kept", ["en/1", "uk/Київ", "bad \udc80 id"])
def test_a_corpus_stage_field_is_written_as_encoding_the_changed_fields_would(fields, kept):
    flag = Flag("dedup", "dedup.duplicate", f"near-duplicate of {kept}", data={"kept": kept})
    cleaned = Cleaned(location="a.jsonl:1", size=1, output=encode_fields(fields), jsonl=True)
    cleaned.attach("dedup", [flag])
    assert cleaned.output == encode_fields(fields | {"dedup": [flag.to_dict()]})
    assert json.loads(cleaned.output)["dedup"][0]["data"]["kept"] == kept
