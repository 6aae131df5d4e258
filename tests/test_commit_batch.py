"""Outputs committed in batches: in place only once synced, all of them, and each failure named."""

import pytest

from cleaner.batch import BatchOptions, run_batch
from cleaner.io import AtomicWriter, CommitBatch
from cleaner.pipeline import PipelineSettings

UNICODE_ONLY = PipelineSettings.build(stages=["unicode"])


def partial_files(folder):
    return sorted(path.name for path in folder.rglob("*.part"))


def test_outputs_appear_only_when_their_batch_is_flushed(tmp_path):
    batch = CommitBatch(max_files=10)
    for number in range(3):
        writer = AtomicWriter(tmp_path / "sub" / f"{number}.txt")
        writer.write(f"text {number}\n".encode())
        assert batch.add(writer) == []
    assert not list(tmp_path.rglob("*.txt")) and len(partial_files(tmp_path)) == 3
    committed = batch.flush()
    assert [(writer.path.name, error) for writer, error in committed] == [
        ("0.txt", None),
        ("1.txt", None),
        ("2.txt", None),
    ]
    assert (tmp_path / "sub" / "2.txt").read_text() == "text 2\n"
    assert partial_files(tmp_path) == []
    assert batch.flush() == []


def test_a_full_batch_commits_itself(tmp_path):
    batch = CommitBatch(max_files=2)
    first = AtomicWriter(tmp_path / "a.txt")
    assert batch.add(first) == []
    second = AtomicWriter(tmp_path / "b.txt")
    assert [writer.path.name for writer, _ in batch.add(second)] == ["a.txt", "b.txt"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_a_file_that_cannot_be_put_in_place_is_named_and_the_others_are_written(tmp_path):
    (tmp_path / "b.txt").mkdir()  # a folder where the output should go
    batch = CommitBatch()
    for name in ("a.txt", "b.txt", "c.txt"):
        writer = AtomicWriter(tmp_path / name)
        writer.write(b"x\n")
        batch.add(writer)
    errors = {writer.path.name: error for writer, error in batch.flush()}
    assert errors["a.txt"] is None and errors["c.txt"] is None
    assert str(errors["b.txt"]).startswith(f"{tmp_path / 'b.txt'}: cannot write")
    assert (tmp_path / "c.txt").read_text() == "x\n" and partial_files(tmp_path) == []


@pytest.fixture
def folder_of_texts(tmp_path):
    source = tmp_path / "in"
    for number in range(30):
        path = source / f"part{number % 3}" / f"{number:02}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"text  number {number}\n")
    return source


def test_a_folder_run_writes_and_counts_every_output(folder_of_texts, tmp_path):
    (tmp_path / "out" / "part1" / "04.txt").mkdir(parents=True)
    summary = run_batch([folder_of_texts], tmp_path / "out", UNICODE_ONLY, BatchOptions(workers=1))
    assert summary.files == 29
    assert summary.errors == [
        f"{tmp_path / 'out' / 'part1' / '04.txt'}: cannot write: Is a directory"
    ]
    assert (tmp_path / "out" / "part2" / "29.txt").read_text() == "text number 29\n"
    assert partial_files(tmp_path / "out") == []


def test_a_run_that_stops_puts_its_finished_outputs_in_place(folder_of_texts, tmp_path):
    calls = []

    def stop_after_ten_files(done, total):
        calls.append(done)
        if len(calls) == 20:  # a text file reports progress twice: its document, its end
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(
            [folder_of_texts],
            tmp_path / "out",
            UNICODE_ONLY,
            BatchOptions(workers=1),
            on_progress=stop_after_ten_files,
        )
    written = sorted(
        path.relative_to(tmp_path / "out").as_posix() for path in (tmp_path / "out").rglob("*.txt")
    )
    assert written == [f"part0/{number:02}.txt" for number in range(0, 30, 3)]
    assert partial_files(tmp_path / "out") == []
