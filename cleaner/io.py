"""Reading inputs and writing outputs: formats, decoding, folder walks and atomic writes.

Formats, chosen by file name:

- `.txt`, `.md`: one document per file; its id is the path relative to the input folder. One
  trailing newline is stripped on reading and exactly one is added on writing a non-empty
  text, so a file that is already clean comes back byte for byte.
- `.jsonl`, `.jsonl.gz`: one JSON object per line; the text is in `text_field`, the id in
  `id_field` (`path:line` when absent). Every other field is written back unchanged, in order.

Bytes that are not UTF-8 are decoded as Windows-1251 when that gives Cyrillic words, else as
Windows-1252 (then Latin-1, which never fails), with a warning naming the file and line; files holding NUL bytes are binary and skipped. A document
larger than `max_doc_bytes` is reported and left out, and JSONL is read line by line, so memory
stays bounded whatever the input. Outputs are written to a temporary file in the target folder,
synced (a batch of outputs at once: `CommitBatch`) and renamed, so an output that exists is
complete.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import json
import os
import re
import sys
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO, Literal

from cleaner.document import Document
from cleaner.errors import ConfigError, InputError, NotTextError, OutputError

Format = Literal["text", "jsonl", "jsonl.gz"]

TEXT_SUFFIXES = (".txt", ".md")
DEFAULT_MAX_DOC_BYTES = 16 * 1024 * 1024
WRITE_BUFFER_BYTES = 1 << 18
STDIN = "-"
_SKIP_CHUNK = 1 << 20
LETTERS = re.compile(r"[^\W\d_]+")


def input_format(path: str | Path) -> Format | None:
    """The format a file name announces, or None for files a folder walk leaves alone.

    >>> input_format("a/b.JSONL.gz"), input_format("notes.md"), input_format("x.csv")
    ('jsonl.gz', 'text', None)
    """
    name = str(path).lower()
    if name.endswith(".jsonl.gz"):
        return "jsonl.gz"
    if name.endswith(".jsonl"):
        return "jsonl"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    return None


@dataclass(frozen=True)
class Source:
    """One input: a file (or standard input when `path` is None), where its output goes
    relative to the output folder, and its format."""

    path: Path | None
    relative: str
    format: Format

    @property
    def name(self) -> str:
        return "<stdin>" if self.path is None else str(self.path)


@dataclass
class Record:
    """One document read from an input, or the reason a line of it is not one.

    `fields` is the JSONL object (its text field is replaced on writing); `verbatim` is a line
    that is not a usable document, written back unchanged so nothing is lost.
    """

    location: str
    line: int | None = None
    doc: Document | None = None
    fields: dict[str, Any] | None = None
    verbatim: str | None = None
    error: str | None = None
    warning: str | None = None
    size: int = 0


def find_sources(
    inputs: Sequence[str | Path], *, stdin_format: Format = "text"
) -> tuple[list[Source], list[str]]:
    """The inputs to clean, in a stable order, and warnings about what the walk skipped.

    A folder is walked recursively (names starting with `.` are skipped); folder symlinks are
    followed, but a folder already visited (a symlink loop) is skipped with a warning. A file
    named explicitly is read whatever its name (as text unless it ends in `.jsonl[.gz]`).
    """
    if not inputs:
        raise ConfigError("no INPUT given (a file, a folder, or - for standard input)")
    sources: list[Source] = []
    warnings: list[str] = []
    for given in inputs:
        if str(given) == STDIN:
            sources.append(
                Source(None, f"stdin.{'txt' if stdin_format == 'text' else 'jsonl'}", stdin_format)
            )
            continue
        path = Path(given)
        if path.is_dir():
            found = _walk(path, warnings)
            if not found:
                warnings.append(f"{path}: no .txt, .md, .jsonl or .jsonl.gz files found")
            sources.extend(found)
        elif path.exists() or path.is_symlink():
            sources.append(Source(path, path.name, input_format(path) or "text"))
        else:
            raise ConfigError(f"{path}: no such file or folder")
    seen: dict[str, Source] = {}
    for source in sources:
        if source.relative in seen:
            raise ConfigError(
                f"{seen[source.relative].name} and {source.name} would both be written to "
                f"{source.relative}; clean them in separate runs"
            )
        seen[source.relative] = source
    return sources, warnings


def _walk(root: Path, warnings: list[str]) -> list[Source]:
    visited: set[tuple[int, int]] = set()
    stack: list[tuple[Path, PurePosixPath]] = [(root, PurePosixPath())]
    found: list[Source] = []
    while stack:
        folder, relative = stack.pop()
        try:
            status = folder.stat()
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            warnings.append(f"{folder}: cannot read folder ({error.strerror}), skipped")
            continue
        key = (status.st_dev, status.st_ino)
        if key in visited:
            warnings.append(f"{folder}: folder already visited (symlink loop), skipped")
            continue
        visited.add(key)
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if is_folder:
                subfolders.append((path, relative / entry.name))
                continue
            file_format = input_format(entry.name)
            if file_format is not None:
                found.append(Source(path, str(relative / entry.name), file_format))
            elif entry.is_symlink() and not os.path.exists(path):
                warnings.append(f"{path}: broken or looping symlink, skipped")
        stack.extend(reversed(subfolders))
    return sorted(found, key=lambda source: source.relative)


def decode(data: bytes, where: str) -> tuple[str, str | None]:
    """Text from bytes: UTF-8 (or UTF-16 with a byte-order mark), else Windows-1251 when that
    gives Cyrillic words, else Windows-1252, else Latin-1, with a warning naming the place.

    >>> decode("café".encode("cp1252"), "a.txt")
    ('café', 'a.txt: not UTF-8 (byte 0xe9 at offset 3); read as cp1252')
    >>> decode("Київ, 5 травня".encode("cp1251"), "b.txt")[0]
    'Київ, 5 травня'
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        problem = f"byte 0x{data[error.start]:02x} at offset {error.start}"
    for encoding in ("cp1251", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "cp1251" and not _mostly_cyrillic_words(text):
            continue
        return text, f"{where}: not UTF-8 ({problem}); read as {encoding}"
    raise AssertionError("latin-1 decodes every byte string")


def _mostly_cyrillic_words(text: str) -> bool:
    """Whether the non-ASCII words of a Windows-1251 reading are Cyrillic through and through.
    Russian or Ukrainian bytes give whole Cyrillic words; Western bytes read as Windows-1251
    give Cyrillic letters stuck inside Latin words ("dйjа")."""
    words = [word for word in LETTERS.findall(text) if not word.isascii()]
    cyrillic = sum(all("\u0400" <= char <= "\u04ff" for char in word) for word in words)
    return bool(words) and cyrillic >= 0.9 * len(words)


def read_records(
    source: Source,
    *,
    text_field: str = "text",
    id_field: str = "id",
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES,
    stdin: BinaryIO | None = None,
) -> Iterator[Record]:
    """The documents of one input, lazily. Problems with one document (or line) come back as
    a `Record` with `error`; problems with the whole input raise `InputError` (`NotTextError`
    for a binary file)."""
    stream = stdin if source.path is None else None
    try:
        if stream is None:
            stream = _open(source)
        if source.format == "text":
            yield _text_record(source, stream, max_doc_bytes)
        else:
            yield from _jsonl_records(source, stream, text_field, id_field, max_doc_bytes)
    except (OSError, EOFError, zlib.error) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise InputError(f"{source.name}: cannot read: {reason}") from None
    finally:
        if stream is not None and source.path is not None:
            stream.close()


def _open(source: Source) -> BinaryIO:
    assert source.path is not None
    raw = source.path.open("rb")
    if source.format == "jsonl.gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def _text_record(source: Source, stream: BinaryIO, max_doc_bytes: int) -> Record:
    data = stream.read(max_doc_bytes + 1)
    if len(data) > max_doc_bytes:
        raise InputError(
            f"{source.name}: document is larger than --max-doc-bytes ({max_doc_bytes} bytes); "
            "not cleaned (raise the limit to clean it)"
        )
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise NotTextError(f"{source.name}: binary file (NUL bytes), skipped")
    text, warning = decode(data, source.name)
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    doc = Document(id=source.relative, text=text)
    return Record(source.name, doc=doc, warning=warning, size=len(data))


def _jsonl_records(
    source: Source, stream: BinaryIO, text_field: str, id_field: str, max_doc_bytes: int
) -> Iterator[Record]:
    number = 0
    while True:
        raw = stream.readline(max_doc_bytes + 1)
        if not raw:
            return
        number += 1
        where = f"{source.name}:{number}"
        if len(raw) > max_doc_bytes and not raw.endswith(b"\n"):
            size = len(raw) + _skip_rest_of_line(stream)
            yield Record(
                where,
                number,
                error=f"{where}: line is {size} bytes, larger than --max-doc-bytes "
                f"({max_doc_bytes}); left out of the output",
                size=size,
            )
            continue
        line_bytes = raw.rstrip(b"\n").removesuffix(b"\r")
        if not line_bytes.strip():
            continue
        line, warning = decode(line_bytes, where)
        yield _jsonl_record(source, line, where, number, text_field, id_field, warning, len(raw))


def _jsonl_record(
    source: Source,
    line: str,
    where: str,
    number: int,
    text_field: str,
    id_field: str,
    warning: str | None,
    size: int,
) -> Record:
    def unusable(message: str) -> Record:
        return Record(
            where, number, verbatim=line, error=f"{where}: {message}", warning=warning, size=size
        )

    try:
        fields = json.loads(line)
    except json.JSONDecodeError as error:
        return unusable(f"invalid JSON ({error.msg} at column {error.colno}); line kept as is")
    if not isinstance(fields, dict):
        return unusable("not a JSON object; line kept as is")
    text = fields.get(text_field)
    if not isinstance(text, str):
        problem = "no" if text_field not in fields else "not a string in"
        return unusable(f"{problem} field {text_field!r} (see --text-field); line kept as is")
    doc_id = fields.get(id_field)
    metadata = {key: value for key, value in fields.items() if key not in (text_field, id_field)}
    doc = Document(
        id=f"{source.relative}:{number}" if doc_id is None else str(doc_id),
        text=text,
        metadata=metadata,
    )
    return Record(where, number, doc=doc, fields=fields, warning=warning, size=size)


def _skip_rest_of_line(stream: BinaryIO) -> int:
    skipped = 0
    while True:
        chunk = stream.readline(_SKIP_CHUNK)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def encode_record(record: Record, file_format: Format, text_field: str = "text") -> bytes:
    """The bytes an output file gets for one record (nothing for a document left out)."""
    if record.verbatim is not None:
        return (record.verbatim + "\n").encode("utf-8", "surrogatepass")
    if record.doc is None:
        return b""
    if file_format == "text":
        text = record.doc.text
        return (text + "\n").encode("utf-8", "surrogatepass") if text else b""
    fields = record.fields if record.fields is not None else {}
    fields[text_field] = record.doc.text
    return encode_fields(fields)


def encode_fields(fields: dict[str, Any]) -> bytes:
    """One JSONL output line."""
    line = json.dumps(fields, ensure_ascii=False)
    try:
        return (line + "\n").encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates (from "\ud800" escapes) stay escaped
        return (json.dumps(fields) + "\n").encode("ascii")


class AtomicWriter:
    """A file written under a temporary name in its final folder, then synced and renamed:
    readers see either the old file, or the complete new one, never a partial file."""

    def __init__(self, path: Path, *, compress: bool = False) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".part"
            )
        except OSError as error:
            raise OutputError(f"{path}: cannot write: {error.strerror}") from None
        self.temporary = Path(temporary)
        # Outputs come a document (a few KB) at a time: a large buffer saves most system calls.
        self._raw: IO[bytes] = os.fdopen(descriptor, "wb", buffering=WRITE_BUFFER_BYTES)
        self._stream: IO[bytes] = (
            # Empty name and zero mtime in the gzip header: the same input gives the same bytes.
            gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0)
            if compress
            else self._raw
        )
        self.bytes_written = 0

    def write(self, data: bytes) -> None:
        if data:
            self._stream.write(data)
            self.bytes_written += len(data)

    def commit(self) -> None:
        """Sync the file, rename it into place, sync its folder."""
        self.close(sync=True)
        self.publish()
        _sync_folder(self.path.parent)

    def close(self, *, sync: bool) -> None:
        """Finish the temporary file (synced to disk if `sync`); `publish` renames it."""
        try:
            if self._stream is not self._raw:
                self._stream.close()
            self._raw.flush()
            if sync:
                os.fsync(self._raw.fileno())
            self._raw.close()
            os.chmod(self.temporary, 0o666 & ~_umask())
        except OSError as error:
            raise self._failed(error) from None

    def sync(self) -> None:
        """Sync the closed temporary file to disk."""
        try:
            descriptor = os.open(self.temporary, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        except OSError as error:
            raise self._failed(error) from None

    def publish(self) -> None:
        try:
            os.replace(self.temporary, self.path)
        except OSError as error:
            raise self._failed(error) from None

    def abort(self) -> None:
        for stream in (self._stream, self._raw):
            with contextlib.suppress(OSError, ValueError):
                stream.close()
        self.temporary.unlink(missing_ok=True)

    def _failed(self, error: OSError) -> OutputError:
        self.abort()
        return OutputError(f"{self.path}: cannot write: {error.strerror}")


class CommitBatch:
    """Atomic writers committed together: each is closed when done, then a whole batch is
    synced to disk, renamed into place and its folders synced once each.

    The guarantee is `AtomicWriter.commit`'s (a file in place is complete, after a power cut
    too, so `--resume` can trust it), but a folder of small files no longer waits for a journal
    flush per file: on Linux a batch is synced with one `sync()` (ext4 here: about 350-950
    files/s one by one, 2,000-2,400 batched; renaming without any sync, 2,800-6,200). Elsewhere
    `sync()` may return before the data is on disk, so each file is synced on its own. A lone
    file is always synced on its own, which also keeps one big JSONL output from flushing every
    other file of the machine.

    `add` and `flush` return the writers they put in place, each with its error or None.
    """

    def __init__(self, *, max_files: int = 256, max_bytes: int = 64 << 20) -> None:
        self.max_files = max_files
        self.max_bytes = max_bytes
        self._pending: list[AtomicWriter] = []
        self._pending_bytes = 0

    def add(self, writer: AtomicWriter) -> list[tuple[AtomicWriter, OutputError | None]]:
        """Close `writer` (an `OutputError` then is raised at once) and queue it."""
        writer.close(sync=False)
        self._pending.append(writer)
        self._pending_bytes += writer.bytes_written
        if len(self._pending) >= self.max_files or self._pending_bytes >= self.max_bytes:
            return self.flush()
        return []

    def flush(self) -> list[tuple[AtomicWriter, OutputError | None]]:
        pending, self._pending, self._pending_bytes = self._pending, [], 0
        at_once = len(pending) > 1 and sys.platform == "linux"
        if at_once:
            os.sync()
        outcomes: list[tuple[AtomicWriter, OutputError | None]] = []
        for writer in pending:
            try:
                if not at_once:
                    writer.sync()
                writer.publish()
            except OutputError as error:
                outcomes.append((writer, error))
            else:
                outcomes.append((writer, None))
        for folder in dict.fromkeys(writer.path.parent for writer, error in outcomes if not error):
            _sync_folder(folder)
        return outcomes

    def abort(self) -> None:
        for writer in self._pending:
            writer.abort()
        self._pending, self._pending_bytes = [], 0


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _sync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def check_writable(folder: Path) -> None:
    """Create the output folder and prove a file can be written in it, before any work."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise OutputError(f"{folder}: output folder is not writable ({error.strerror})") from None
