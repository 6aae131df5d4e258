"""A batch run, the library side of `cleaner clean`: read -> clean (in parallel) -> write.

The steps are generators chained in `run_batch`:

1. `read_items` walks the inputs in a stable order and yields, per input, `FileStart`, its
   `Record`s and `FileEnd` (which carries a whole-file error, if any).
2. `_clean_in_order` sends chunks of that stream to worker processes and yields them back in
   the order they were read, so the output is byte-identical whatever the number of workers.
   A worker sends back each record as `Cleaned`: its output bytes, tallies and (for corpus
   stages) its sketch, not the document with all its changes, unless a caller asked for the
   documents; so this process has little to do per document and the workers keep the cores.
   Steps 1 and 2 are the `LocalEngine`; `cleaner.ray_engine.RayEngine` does them on Ray.
3. `_corpus_pass` (only with a corpus stage, dedup): the cleaned items are spilled to a
   temporary file while each stage collects its sketches, then read back with the stages'
   flags attached, so memory holds the sketches, not the documents.
4. `_write` (in this process) counts, reports and writes each input's output atomically
   (a folder's outputs are committed in batches: `cleaner.io.CommitBatch`).

Nothing here prints: problems, documents and progress go to the callbacks the caller gives.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import operator
import os
import pickle
import tempfile
import time
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from cleaner.document import Document, Flag
from cleaner.errors import ConfigError, InputError, NotTextError, OutputError
from cleaner.io import (
    DEFAULT_MAX_DOC_BYTES,
    AtomicWriter,
    CommitBatch,
    Format,
    Record,
    Source,
    check_writable,
    encode_fields,
    encode_record,
    find_sources,
    read_records,
)
from cleaner.pipeline import Pipeline, PipelineSettings
from cleaner.rules import resolve_rules_dir

MANIFEST = ".cleaner-run.json"
MAX_KEPT_MESSAGES = 10_000


@dataclass(frozen=True)
class BatchOptions:
    """How a batch reads, runs and writes; the cleaning itself is in `PipelineSettings`.

    `write=False` cleans and reports without writing anything (`--diff`, `explain`).
    `workers=None` uses every core. `chunk_docs` and `chunk_bytes` bound one unit of work
    sent to a worker (a chunk closes at whichever is reached first).
    """

    text_field: str = "text"
    id_field: str = "id"
    workers: int | None = None
    resume: bool = False
    write: bool = True
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES
    stdin_format: Format = "text"
    chunk_docs: int = 64
    chunk_bytes: int = 1 << 20

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise ConfigError(f"workers must be >= 1, got {self.workers}")
        if self.max_doc_bytes < 1:
            raise ConfigError(f"max_doc_bytes must be >= 1, got {self.max_doc_bytes}")
        if self.chunk_docs < 1 or self.chunk_bytes < 1:
            raise ConfigError("chunk_docs and chunk_bytes must be >= 1")
        if self.stdin_format not in ("text", "jsonl"):
            raise ConfigError(f"stdin format must be text or jsonl, got {self.stdin_format!r}")
        if not self.text_field or not self.id_field:
            raise ConfigError("text_field and id_field must not be empty")

    @property
    def worker_count(self) -> int:
        if self.workers:
            return self.workers
        if hasattr(os, "sched_getaffinity"):  # the cores this process may use, where known
            return len(os.sched_getaffinity(0))
        return os.cpu_count() or 1


@dataclass
class Summary:
    """What a run did. `failed` counts documents (and whole inputs) that could not be cleaned;
    `errors` and `warnings` keep the first messages, `failed` and `warning_count` count all."""

    files: int = 0
    files_resumed: int = 0
    files_skipped: int = 0
    documents: int = 0
    failed: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    changes: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    workers: int = 1
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "files_resumed": self.files_resumed,
            "files_skipped": self.files_skipped,
            "documents": self.documents,
            "failed": self.failed,
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "changes": dict(sorted(self.changes.items())),
            "rules": dict(sorted(self.rules.items())),
            "flags": dict(sorted(self.flags.items())),
            "errors": self.errors,
            "warnings": self.warnings,
            "warning_count": self.warning_count,
            "workers": self.workers,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class FileStart:
    source: Source


@dataclass(frozen=True)
class FileEnd:
    source: Source
    error: str | None = None
    skipped: str | None = None


Item = FileStart | Record | FileEnd


@dataclass
class Cleaned:
    """A record after cleaning, as the writing process needs it: the bytes of its output, what
    the summary counts, and each corpus stage's sketch of its document. `record`, the record
    with its whole document (every change, paragraph and flag), is kept only when the caller
    asked to see every document: pickling it back from a worker costs more than the rest.

    `doc_id` is None for a record that is not a document (an unusable JSONL line); a document
    whose cleaning failed keeps its id (it is written as it was, and still deduplicated).
    """

    location: str
    size: int
    output: bytes
    doc_id: str | None = None
    jsonl: bool = False
    error: str | None = None
    warning: str | None = None
    changes: Counter[tuple[str, str]] = field(default_factory=Counter)
    flags: list[str] = field(default_factory=list)
    sketches: dict[str, Any] = field(default_factory=dict)
    record: Record | None = None

    def __reduce__(self) -> tuple[type[Cleaned], tuple[Any, ...]]:
        # Pickled twice or three times per document (worker to writer, into and out of the
        # spill file): as the tuple of its fields, it costs half what its attribute dict does.
        return Cleaned, _cleaned_fields(self)

    def text(self, text_field: str) -> str:
        """The cleaned text, read back from the output (or the kept record)."""
        if self.record is not None and self.record.doc is not None:
            return self.record.doc.text
        if self.jsonl:
            return json.loads(self.output)[text_field]
        return self.output.decode("utf-8", "surrogatepass").removesuffix("\n")

    def attach(self, stage: str, flags: list[Flag]) -> None:
        """Add a corpus stage's flags: to the tallies, the kept document, and (JSONL) to the
        record in a field named after the stage."""
        self.flags.extend(flag.rule for flag in flags)
        if self.record is not None and self.record.doc is not None:
            self.record.doc.flags.extend(flags)
        if self.jsonl:
            entries = [flag.to_dict() for flag in flags]
            self.output = _with_field(self.output, stage, entries)
            if self.record is not None and self.record.fields is not None:
                self.record.fields[stage] = entries


def _with_field(line: bytes, name: str, value: Any) -> bytes:
    """The JSONL output `line` (`encode_fields` of a record's fields) with the field `name` set
    to `value`, as `encode_fields` would write the fields so changed."""
    key = json.dumps(name).encode()
    tail = json.dumps(value, ensure_ascii=False)
    # A field the line does not hold (its key is nowhere in it) can be written after the others:
    # the same bytes as encoding all the fields again, when both parts are encoded the same way
    # (UTF-8, or all ASCII escapes when the line needed them: see `encode_fields`).
    absent = name.isascii() and key + b": " not in line and line.endswith(b"}\n") and len(line) > 3
    if absent and (tail.isascii() or not line.isascii()):
        with contextlib.suppress(UnicodeEncodeError):
            return b"%s, %s: %s}\n" % (line[:-2], key, tail.encode("utf-8"))
    # The line is `json.dumps` of the fields, so loading it gives them back in their order.
    fields = json.loads(line)
    fields[name] = value
    return encode_fields(fields)


_cleaned_fields = operator.attrgetter(*(each.name for each in fields(Cleaned)))
CleanedItem = FileStart | Cleaned | FileEnd


class Engine(Protocol):
    """Where the documents are read and cleaned: `clean` yields the items of `sources` (each
    input's `FileStart`, its records as `Cleaned` by `clean_items`, and `FileEnd`) in input
    order, which `run_batch` then writes here, the same way whatever the engine.
    `keep_records`: every `Cleaned` keeps its whole record (the caller sees every document)."""

    def clean(
        self,
        sources: list[Source],
        pipeline: Pipeline,
        settings: PipelineSettings,
        options: BatchOptions,
        stdin: BinaryIO | None,
        *,
        keep_records: bool = False,
    ) -> Iterator[CleanedItem]: ...


class LocalEngine:
    """This machine: read here, clean on `options.workers` processes."""

    def clean(
        self,
        sources: list[Source],
        pipeline: Pipeline,
        settings: PipelineSettings,
        options: BatchOptions,
        stdin: BinaryIO | None,
        *,
        keep_records: bool = False,
    ) -> Iterator[CleanedItem]:
        items = read_items(sources, options, stdin)
        return _clean_in_order(items, pipeline, settings, options, keep_records)


DocumentCallback = Callable[[Source, Record], None]
ProblemCallback = Callable[[str, bool], None]
ProgressCallback = Callable[[int, int], None]


def run_batch(
    inputs: Sequence[str | Path],
    output_dir: str | Path | None,
    settings: PipelineSettings | None = None,
    options: BatchOptions | None = None,
    *,
    stdin: BinaryIO | None = None,
    stdout: BinaryIO | None = None,
    on_document: DocumentCallback | None = None,
    on_problem: ProblemCallback | None = None,
    on_progress: ProgressCallback | None = None,
    engine: Engine | None = None,
) -> Summary:
    """Clean every input into `output_dir` (mirroring the input tree) and return a summary.

    `-` as an input reads `stdin`; with no `output_dir` its output goes to `stdout`.
    `on_document(source, record)` sees every document after cleaning, in input order;
    `on_problem(message, is_error)` every error and warning as it happens;
    `on_progress(done_bytes, total_bytes)` the progress. `engine` reads and cleans (default:
    `LocalEngine`, this machine; `cleaner.ray_engine.RayEngine` runs on Ray). Usage problems raise `ConfigError`
    (or `OutputError`) before anything is written; problems with inputs are in the summary.
    """
    started = time.perf_counter()
    settings = settings or PipelineSettings.build()
    options = options or BatchOptions()
    pipeline = Pipeline(settings)  # builds every stage now: config and rule errors come first
    sources, walk_warnings = find_sources(inputs, stdin_format=options.stdin_format)
    folder = Path(output_dir) if output_dir is not None else None
    _check_output(inputs, sources, folder, options, stdin, stdout)
    summary = Summary(workers=options.worker_count)
    report = _Reporter(summary, on_problem)
    for warning in walk_warnings:
        report.problem(warning, is_error=False)
    if folder is not None and options.write:
        check_writable(folder)
        sources = _resumable(sources, folder, settings, options, summary)
    total = sum(_size(source) for source in sources)
    cleaned = (engine or LocalEngine()).clean(
        sources, pipeline, settings, options, stdin, keep_records=on_document is not None
    )
    stages = corpus_stages(pipeline)
    if stages:
        spill_folder = folder if folder is not None and options.write else None
        cleaned = _corpus_pass(cleaned, stages, options, spill_folder)
    sink = None
    if options.write:
        sink = _FolderSink(folder) if folder is not None else _StreamSink(stdout)  # type: ignore[arg-type]
    pipeline.warm_up()  # before workers fork: they share it
    _write(cleaned, sink, report, on_document, on_progress, total)
    summary.seconds = time.perf_counter() - started
    return summary


def corpus_stages(pipeline: Pipeline) -> list[Any]:
    """The stages that judge the corpus as a whole (dedup): they `sketch` each batch of cleaned
    documents where it was cleaned, then `judge` the sketches of the whole corpus."""
    return [stage for stage in pipeline.stages if hasattr(stage, "judge")]


def _corpus_pass(
    items: Iterator[CleanedItem], stages: list[Any], options: BatchOptions, folder: Path | None
) -> Iterator[CleanedItem]:
    """Stages that judge the corpus as a whole (near-duplicates) see every cleaned document
    before anything is written. The items wait in an unnamed temporary file (in the output
    folder, else the system's temporary folder; it vanishes when closed, even on a crash), and
    memory holds only the stages' sketches (dedup: a signature row and a few numbers per
    document). Then the items stream back from the file to the writer, with each stage's flags
    attached; a JSONL record gets them in a field named after the stage."""
    with _Spill(folder) as spill:
        collectors = [stage.collector() for stage in stages]
        for item in items:
            if isinstance(item, Cleaned) and item.doc_id is not None:
                for stage, collector in zip(stages, collectors, strict=True):
                    collector.add(item.sketches.pop(stage.name))
                spill.add(item, document=True)
            else:
                spill.add(item)

        def text_of(position: int) -> str:
            return spill.document(position).text(options.text_field)

        verdicts = [
            stage.judge(collector, text_of)
            for stage, collector in zip(stages, collectors, strict=True)
        ]
        del collectors
        for item in spill.items():
            if isinstance(item, Cleaned) and item.doc_id is not None:
                for stage, verdict in zip(stages, verdicts, strict=True):
                    flags = list(verdict.of(item.doc_id))
                    if flags:
                        item.attach(stage.name, flags)
            yield item


class _Spill:
    """Items pickled one after the other to an unnamed temporary file, read back in order; the
    offset of every document is kept, to read one back by its position among documents."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.offsets = array("q")

    def __enter__(self) -> _Spill:
        try:
            self.file = tempfile.TemporaryFile(dir=self.folder, prefix=".cleaner-spill-")
        except OSError as error:
            raise self._error(error) from None
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.file.close()

    def add(self, item: CleanedItem, *, document: bool = False) -> None:
        try:
            if document:
                self.offsets.append(self.file.tell())
            pickle.dump(item, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError as error:
            raise self._error(error) from None

    def document(self, position: int) -> Cleaned:
        self.file.seek(self.offsets[position])
        return pickle.load(self.file)  # written by this process, just now

    def items(self) -> Iterator[CleanedItem]:
        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)
            except EOFError:
                return

    def _error(self, error: OSError) -> OutputError:
        where = self.folder if self.folder is not None else Path(tempfile.gettempdir())
        return OutputError(
            f"{where}: cannot write the temporary file that holds cleaned documents until the "
            f"corpus is deduplicated ({error.strerror or error})"
        )


def _check_output(
    inputs: Sequence[str | Path],
    sources: list[Source],
    folder: Path | None,
    options: BatchOptions,
    stdin: BinaryIO | None,
    stdout: BinaryIO | None,
) -> None:
    if any(source.path is None for source in sources) and stdin is None:
        raise ConfigError("input - (standard input) needs a stdin stream")
    if not options.write:
        return
    if folder is None:
        if any(source.path is not None for source in sources):
            raise ConfigError("an output folder (-o OUTDIR) is required for file and folder inputs")
        if stdout is None:
            raise ConfigError("no output folder and no stdout stream to write to")
        return
    target = _real(folder)
    input_files = {_real(source.path) for source in sources if source.path is not None}
    for source in sources:
        if _real(target / source.relative) in input_files:
            raise ConfigError(f"{folder}: output {source.relative} would overwrite an input")
    folders = [Path(given) for given in inputs if str(given) != "-" and Path(given).is_dir()]
    for root in map(_real, folders):
        # An output folder inside an input folder would be read as input by the next run.
        if target == root or root in target.parents:
            raise ConfigError(
                f"{folder}: output folder is inside the input folder {root}; choose a folder "
                "outside it"
            )


def _real(path: Path) -> Path:
    """The path with symlinks resolved; unlike `Path.resolve`, never raises on a loop."""
    return Path(os.path.realpath(path))


def _size(source: Source) -> int:
    if source.path is None:
        return 0
    try:
        return source.path.stat().st_size
    except OSError:
        return 0


def _fingerprint(settings: PipelineSettings, options: BatchOptions) -> dict[str, Any]:
    """What decides the bytes of an output: `--resume` only trusts outputs made the same way."""
    from cleaner import __version__

    rules_dir = resolve_rules_dir(settings.rules_dir)
    digest = hashlib.sha256()
    for path in sorted(rules_dir.rglob("*.yaml")):
        digest.update(path.relative_to(rules_dir).as_posix().encode())
        digest.update(path.read_bytes())
    record = {
        "cleaner": __version__,
        "stages": list(settings.stages),
        "options": {stage: dict(values) for stage, values in settings.options},
        "rules": digest.hexdigest(),
        "text_field": options.text_field,
        "id_field": options.id_field,
        "max_doc_bytes": options.max_doc_bytes,
    }
    return json.loads(json.dumps(record, sort_keys=True))


def _resumable(
    sources: list[Source],
    folder: Path,
    settings: PipelineSettings,
    options: BatchOptions,
    summary: Summary,
) -> list[Source]:
    fingerprint = _fingerprint(settings, options)
    manifest = folder / MANIFEST
    if options.resume:
        previous = _read_manifest(manifest)
        existing = any(
            (folder / source.relative).exists() for source in sources if source.path is not None
        )
        if previous is None and existing:
            raise ConfigError(
                f"{folder}: no record of the settings its files were written with ({MANIFEST}); "
                "run without --resume to clean everything again"
            )
        if previous is not None and previous != fingerprint:
            differing = sorted(key for key in fingerprint if previous.get(key) != fingerprint[key])
            raise ConfigError(
                f"{folder}: written with other settings ({', '.join(differing)} differ); "
                "run without --resume, or write to another folder"
            )
    writer = AtomicWriter(manifest)
    writer.write((json.dumps(fingerprint, indent=2, sort_keys=True) + "\n").encode())
    writer.commit()
    if not options.resume:
        return sources
    remaining = []
    for source in sources:
        if source.path is not None and _is_complete(source.path, folder / source.relative):
            summary.files_resumed += 1
        else:
            remaining.append(source)
    return remaining


def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise ConfigError(f"{path}: cannot read the run record ({error})") from None


def _is_complete(source: Path, output: Path) -> bool:
    """Outputs are renamed into place only when complete, so existing and not older than its
    input means done."""
    try:
        return output.stat().st_mtime_ns >= source.stat().st_mtime_ns
    except OSError:
        return False


def read_items(
    sources: Iterable[Source], options: BatchOptions, stdin: BinaryIO | None
) -> Iterator[Item]:
    for source in sources:
        yield FileStart(source)
        try:
            yield from read_records(
                source,
                text_field=options.text_field,
                id_field=options.id_field,
                max_doc_bytes=options.max_doc_bytes,
                stdin=stdin,
            )
        except NotTextError as skipped:
            yield FileEnd(source, skipped=str(skipped))
        except InputError as error:
            yield FileEnd(source, error=str(error))
        else:
            yield FileEnd(source)


def chunk_items(items: Iterable[Item], options: BatchOptions) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    documents = 0
    size = 0
    for item in items:
        chunk.append(item)
        if isinstance(item, Record) and item.doc is not None:
            documents += 1
            size += item.size
            if documents >= options.chunk_docs or size >= options.chunk_bytes:
                yield chunk
                chunk, documents, size = [], 0, 0
    if chunk:
        yield chunk


def clean_items(
    pipeline: Pipeline, items: list[Item], *, text_field: str = "text", keep_records: bool = False
) -> list[CleanedItem]:
    """Clean the records of a chunk and turn each into `Cleaned`, with the sketches of its
    documents by every corpus stage (computed here, in the worker, one batch per chunk)."""
    records = [item for item in items if isinstance(item, Record)]
    _clean_records(pipeline, [record for record in records if record.doc is not None])
    docs = [record.doc for record in records if record.doc is not None]
    sketches = {stage.name: iter(stage.sketch(docs)) for stage in corpus_stages(pipeline)}
    return [
        _cleaned(item, sketches, text_field, keep_records) if isinstance(item, Record) else item
        for item in items
    ]


def _cleaned(
    record: Record, sketches: dict[str, Iterator[Any]], text_field: str, keep_records: bool
) -> Cleaned:
    doc = record.doc
    # A JSONL document has its fields, a text file's has none: the output format follows.
    output_format: Format = "jsonl" if record.fields is not None else "text"
    cleaned = Cleaned(
        location=record.location,
        size=record.size,
        output=encode_record(record, output_format, text_field),
        doc_id=doc.id if doc is not None else None,
        jsonl=record.fields is not None,
        error=record.error,
        warning=record.warning,
        record=record if keep_records else None,
    )
    if doc is not None:
        cleaned.changes.update((change.stage, change.rule) for change in doc.changes)
        cleaned.flags.extend(flag.rule for flag in doc.flags)
        cleaned.sketches = {name: next(sketch) for name, sketch in sketches.items()}
    return cleaned


def _clean_records(pipeline: Pipeline, records: list[Record]) -> None:
    originals = [record.doc.text for record in records]
    results = pipeline.clean_batch([record.doc for record in records])
    for record, original, result in zip(records, originals, results, strict=True):
        if isinstance(result, Exception):  # a bug met on one document must not stop the batch
            doc = record.doc
            record.doc = Document(id=doc.id, text=original, metadata=doc.metadata)
            record.error = (
                f"{record.location}: cleaning failed ({type(result).__name__}: {result}); "
                "text kept as is"
            )
        else:
            record.doc = result


_worker_pipeline: Pipeline | None = None


def _start_worker(settings: PipelineSettings, inherited: Pipeline | None) -> None:
    global _worker_pipeline
    _worker_pipeline = inherited if inherited is not None else Pipeline(settings)


def _clean_chunk_in_worker(
    items: list[Item], text_field: str, keep_records: bool
) -> list[CleanedItem]:
    assert _worker_pipeline is not None
    return clean_items(_worker_pipeline, items, text_field=text_field, keep_records=keep_records)


def _clean_in_order(
    items: Iterable[Item],
    pipeline: Pipeline,
    settings: PipelineSettings,
    options: BatchOptions,
    keep_records: bool,
) -> Iterator[CleanedItem]:
    """Clean the stream in chunks on `workers` processes, yielding items in input order. At
    most two chunks per worker are in flight, so memory does not grow with the corpus."""
    chunks = chunk_items(items, options)
    workers = options.worker_count
    finish = {"text_field": options.text_field, "keep_records": keep_records}
    if workers == 1:
        for chunk in chunks:
            yield from clean_items(pipeline, chunk, **finish)
        return
    context = multiprocessing.get_context()
    # A forked worker starts with this process's pipeline, already built (building one reads
    # and compiles every rule file: seconds, on every core at once); other start methods
    # would pickle it, so their workers build their own from the settings.
    inherited = pipeline if context.get_start_method() == "fork" else None
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(settings, inherited)
    )
    try:
        pending: deque[Future[list[CleanedItem]]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(_clean_chunk_in_worker, chunk, **finish))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _Reporter:
    def __init__(self, summary: Summary, on_problem: ProblemCallback | None) -> None:
        self.summary = summary
        self.on_problem = on_problem

    def problem(self, message: str, *, is_error: bool) -> None:
        kept = self.summary.errors if is_error else self.summary.warnings
        if is_error:
            self.summary.failed += 1
        else:
            self.summary.warning_count += 1
        if len(kept) < MAX_KEPT_MESSAGES:
            kept.append(message)
        if self.on_problem is not None:
            self.on_problem(message, is_error)

    def record(self, cleaned: Cleaned) -> None:
        summary = self.summary
        summary.bytes_in += cleaned.size
        if cleaned.warning:
            self.problem(cleaned.warning, is_error=False)
        if cleaned.error:
            self.problem(cleaned.error, is_error=True)
            return
        if cleaned.doc_id is None:
            return
        summary.documents += 1
        for (stage, rule), count in cleaned.changes.items():
            summary.changes[stage] += count
            summary.rules[rule] += count
        summary.flags.update(cleaned.flags)


class _StreamWriter:
    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.bytes_written = 0

    def write(self, data: bytes) -> None:
        self.stream.write(data)
        self.bytes_written += len(data)

    def commit(self) -> None:
        self.stream.flush()

    def abort(self) -> None:
        self.stream.flush()


Committed = list[tuple[AtomicWriter | _StreamWriter, OutputError | None]]


class _FolderSink:
    """Outputs in a folder, committed in batches (`CommitBatch`): a finished output is put in
    place with the next batch, at the latest when the run ends or stops."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.batch = CommitBatch()

    def open(self, source: Source) -> AtomicWriter:
        return AtomicWriter(self.folder / source.relative, compress=source.format == "jsonl.gz")

    def commit(self, writer: AtomicWriter) -> Committed:
        return list(self.batch.add(writer))

    def flush(self) -> Committed:
        return list(self.batch.flush())


class _StreamSink:
    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def open(self, source: Source) -> _StreamWriter:
        return _StreamWriter(self.stream)

    def commit(self, writer: _StreamWriter) -> Committed:
        writer.commit()
        return [(writer, None)]

    def flush(self) -> Committed:
        return []


def _write(
    items: Iterable[CleanedItem],
    sink: _FolderSink | _StreamSink | None,
    report: _Reporter,
    on_document: DocumentCallback | None,
    on_progress: ProgressCallback | None,
    total: int,
) -> None:
    summary = report.summary
    writer: AtomicWriter | _StreamWriter | None = None
    output_failed = False
    done_before_file = 0
    done = 0
    source: Source | None = None
    source_size = 0

    def settle(committed: Committed) -> None:
        for output, error in committed:
            if error is not None:
                report.problem(str(error), is_error=True)
            else:
                summary.files += 1
                summary.bytes_out += output.bytes_written

    def open_writer() -> None:
        nonlocal writer, output_failed
        if sink is None or writer is not None or output_failed or source is None:
            return
        try:
            writer = sink.open(source)
        except OutputError as error:
            output_failed = True
            report.problem(str(error), is_error=True)

    try:
        for item in items:
            if isinstance(item, FileStart):
                source, writer, output_failed = item.source, None, False
                source_size = _size(source)
                done_before_file = done
                continue
            assert source is not None
            if isinstance(item, Cleaned):
                report.record(item)
                if on_document is not None:
                    assert item.record is not None  # kept: `keep_records` follows on_document
                    on_document(source, item.record)
                open_writer()
                if writer is not None:
                    writer.write(item.output)
                done = min(done + item.size, done_before_file + source_size)
            else:
                done = done_before_file + source_size
                if item.error or item.skipped:
                    if writer is not None:
                        writer.abort()
                    if item.error:
                        report.problem(item.error, is_error=True)
                    else:
                        report.problem(item.skipped or "", is_error=False)
                        summary.files_skipped += 1
                else:
                    open_writer()
                    if writer is not None:
                        try:
                            settle(sink.commit(writer))  # type: ignore[union-attr, arg-type]
                        except OutputError as error:
                            report.problem(str(error), is_error=True)
                    elif sink is None:
                        summary.files += 1
                writer = None
            if on_progress is not None:
                on_progress(done, total)
        if sink is not None:
            settle(sink.flush())
    finally:
        if writer is not None:
            writer.abort()
        if sink is not None:
            sink.flush()  # a run that stops still puts the outputs it finished in place
