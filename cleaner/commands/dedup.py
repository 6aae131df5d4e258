"""`cleaner dedup INPUT...`: find near-duplicate clusters, explain them, keep one copy.

The command cleans every document with the pipeline first (unless `--no-clean`), so copies that
differ only in boilerplate, spelling or machine-translation residue still match. It prints a
summary on standard error, `--json` prints the clusters on standard output, `--out FILE`
writes one JSON line per cluster with its members, their similarity to the kept member and the
longest passages they share, and `-o OUTDIR` writes the documents (`--drop`: only the kept
ones). Exit codes: 0 ok, 1 some documents could not be read, 2 usage or configuration error.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from cleaner.dedup.config import DedupConfig
from cleaner.dedup.corpus import DedupResult, deduplicate, flag_documents
from cleaner.dedup.explain import shared_passages
from cleaner.dedup.index import open_index
from cleaner.document import Document
from cleaner.errors import CleanerError, ConfigError, InputError
from cleaner.pipeline import Pipeline

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SUMMARY_CLUSTERS = 10

app = typer.Typer(add_completion=False, help="Near-duplicate detection.")


@app.callback()
def _group() -> None:
    """A group, so `dedup` is a sub-command here as it is under `cleaner`."""


@app.command("dedup")
def dedup(
    inputs: Annotated[
        list[str], typer.Argument(metavar="INPUT", help="Text files, .jsonl files or folders.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the clusters as JSON.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write one JSON line per cluster here.")
    ] = None,
    index: Annotated[
        str | None,
        typer.Option(help="Persistent index: a SQLite file, or redis://HOST:PORT/DB."),
    ] = None,
    threshold: Annotated[float, typer.Option(help="Jaccard similarity of copies.")] = 0.5,
    num_perm: Annotated[int, typer.Option(help="MinHash permutations.")] = 128,
    seed: Annotated[int, typer.Option(help="Seed of the permutations.")] = 1,
    ngram: Annotated[int, typer.Option(help="Words per shingle.")] = 3,
    keep: Annotated[
        str, typer.Option(help="Kept member: longest, earliest, first or cleanest.")
    ] = "longest",
    date_field: Annotated[
        str, typer.Option(help="Metadata field with the date, for --keep earliest.")
    ] = "published",
    exact: Annotated[
        bool, typer.Option(help="Verify pairs on exact shingle sets, not signatures.")
    ] = False,
    drop: Annotated[
        bool, typer.Option("--drop", help="Write only the kept documents (needs -o).")
    ] = False,
    output_dir: Annotated[
        Path | None, typer.Option("-o", "--output-dir", help="Write the documents here.")
    ] = None,
    clean: Annotated[
        bool, typer.Option("--clean/--no-clean", help="Clean the documents first.")
    ] = True,
    text_field: Annotated[str, typer.Option(help="JSONL field holding the text.")] = "text",
    id_field: Annotated[str, typer.Option(help="JSONL field holding the id.")] = "id",
    workers: Annotated[int, typer.Option(help="Processes computing signatures.")] = 1,
) -> None:
    """Find near-duplicate documents (MinHash LSH over word n-grams of the cleaned text)."""
    try:
        config = DedupConfig(
            threshold=threshold,
            num_perm=num_perm,
            seed=seed,
            ngram=ngram,
            keep=keep,  # type: ignore[arg-type]
            date_field=date_field,
            exact=exact,
        )
        if drop and output_dir is None:
            raise ConfigError("--drop writes the kept documents: give -o OUTDIR")
        if workers < 1:
            raise ConfigError(f"--workers must be at least 1, got {workers}")
        loaded, problems = read_documents(inputs, text_field=text_field, id_field=id_field)
        for problem in problems:
            typer.echo(f"cleaner: error: {problem}", err=True)
        docs = [doc for _, doc in loaded]
        if clean:
            pipeline = Pipeline(skip=["dedup"])
            docs = [pipeline(doc) for doc in docs]
        opened = open_index(index, config) if index else None
        try:
            result = deduplicate(docs, config, workers=workers, index=opened)
        finally:
            if opened is not None:
                opened.close()
        flag_documents(docs, result)
        if out is not None:
            _write_atomically(out, "".join(_cluster_line(group, docs) for group in result.clusters))
        if output_dir is not None:
            _write_documents(output_dir, loaded, docs, result, drop=drop)
    except CleanerError as error:
        typer.echo(f"cleaner: error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    if as_json:
        typer.echo(json.dumps(clusters_json(result), ensure_ascii=False))
    typer.echo(summary(result), err=True)
    raise typer.Exit(EXIT_FAILED if problems else EXIT_OK)


def clusters_json(result: DedupResult) -> dict[str, Any]:
    return {
        "clusters": [group.members for group in result.clusters],
        "kept": [group.kept for group in result.clusters],
        "documents": result.documents,
        "duplicates": len(result.duplicates),
    }


def summary(result: DedupResult) -> str:
    lines = [
        f"{result.documents} documents, {len(result.clusters)} clusters of near-duplicates, "
        f"{len(result.duplicates)} duplicates"
        + (f" ({len(result.already_indexed)} already indexed)" if result.already_indexed else "")
    ]
    for group in result.clusters[:SUMMARY_CLUSTERS]:
        others = ", ".join(
            f"{member} ({group.similarity.get(member, 1.0):.2f})"
            for member in group.members
            if member != group.kept
        )
        lines.append(f"  keep {group.kept} <- {others}")
    if len(result.clusters) > SUMMARY_CLUSTERS:
        lines.append(f"  ... {len(result.clusters) - SUMMARY_CLUSTERS} more clusters (--out FILE)")
    return "\n".join(lines)


def _cluster_line(group, docs: list[Document]) -> str:
    texts = {doc.id: doc.text for doc in docs}
    others = [texts[m] for m in group.members if m != group.kept and m in texts]
    passages = shared_passages(texts[group.kept], others) if group.kept in texts else []
    record = {
        "cluster": group.id,
        "kept": group.kept,
        "members": [
            {
                "id": member,
                "similarity": round(group.similarity.get(member, 1.0), 4),
                "kept": member == group.kept,
                "indexed": member in group.indexed,
            }
            for member in group.members
        ],
        "shared_passages": passages,
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def read_documents(
    inputs: list[str], *, text_field: str, id_field: str
) -> tuple[list[tuple[tuple[Path, str], Document]], list[str]]:
    """Documents of the inputs with where they came from (`(output path, format)`), and the
    problems of those that could not be read. Ids as `cleaner clean` gives them: the path
    relative to the input folder for text files, the id field for JSONL records."""
    loaded, problems = [], []
    for given in inputs:
        root = Path(given)
        if root.is_dir():
            files = sorted(
                path
                for path in root.rglob("*")
                if path.is_file()
                and not any(p.startswith(".") for p in path.relative_to(root).parts)
            )
            pairs = [(path, path.relative_to(root).as_posix()) for path in files]
        elif root.is_file():
            pairs = [(root, root.name)]
        else:
            raise ConfigError(f"{root}: no such file or folder")
        for path, relative in pairs:
            try:
                data = path.read_bytes()
            except OSError as error:
                problems.append(f"{path}: cannot read: {error.strerror}")
                continue
            if path.name.endswith(".jsonl"):
                for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                        text = record[text_field]
                        if not isinstance(text, str) or not isinstance(record, dict):
                            raise TypeError
                    except (json.JSONDecodeError, KeyError, TypeError):
                        problems.append(
                            f"{path}:{number}: not a JSON object with a string {text_field!r}"
                        )
                        continue
                    doc_id = str(record.pop(id_field, f"{relative}:{number}"))
                    del record[text_field]
                    doc = Document(id=doc_id, text=text, metadata=record)
                    loaded.append(((Path(relative), "jsonl"), doc))
            else:
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError as error:
                    problems.append(f"{path}: not UTF-8 text (byte {error.start})")
                    continue
                loaded.append(((Path(relative), "text"), Document(id=relative, text=text)))
    return loaded, problems


def _write_documents(
    folder: Path, loaded, docs: list[Document], result: DedupResult, *, drop: bool
) -> None:
    dropped = result.duplicates if drop else set()
    outputs: dict[Path, list[str]] = {}
    for ((relative, kind), _), doc in zip(loaded, docs, strict=True):
        if doc.id in dropped:
            outputs.setdefault(relative, [])
            continue
        if kind == "text":
            outputs[relative] = [doc.text]
        else:
            flags = [flag.to_dict() for flag in doc.flags if flag.stage == "dedup"]
            record = {"id": doc.id, "text": doc.text, **doc.metadata, "dedup": flags}
            outputs.setdefault(relative, []).append(json.dumps(record, ensure_ascii=False) + "\n")
    for relative, parts in outputs.items():
        if not parts and relative.suffix != ".jsonl":
            continue
        _write_atomically(folder / relative, "".join(parts))


def _write_atomically(path: Path, content: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except OSError as error:
        raise InputError(f"{path}: cannot write: {error.strerror}") from None
