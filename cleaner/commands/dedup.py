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
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from cleaner.commands import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from cleaner.commands.engine import EngineOption, RayAddressOption, checked_engine
from cleaner.dedup.config import DedupConfig
from cleaner.dedup.corpus import DedupResult, deduplicate, flag_documents
from cleaner.dedup.explain import shared_passages
from cleaner.dedup.index import open_index
from cleaner.document import Document
from cleaner.errors import CleanerError, ConfigError, InputError
from cleaner.io import AtomicWriter, Record, Source, encode_record, find_sources, read_records
from cleaner.pipeline import Pipeline

SUMMARY_CLUSTERS = 10


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
    engine: EngineOption = "local",
    ray_address: RayAddressOption = None,
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
        on_ray = checked_engine(engine, ray_address) == "ray"
        if on_ray:
            from cleaner.ray_dedup import check_ray_dedup

            check_ray_dedup(replace(config, index=index))
        if drop and output_dir is None:
            raise ConfigError("--drop writes the kept documents: give -o OUTDIR")
        if workers < 1:
            raise ConfigError(f"--workers must be at least 1, got {workers}")
        loaded, problems = read_documents(inputs, text_field=text_field, id_field=id_field)
        records = [record for _, record in loaded if record.doc is not None]
        if clean:
            problems += _clean_all(records)
        for problem in problems:
            typer.echo(f"cleaner: error: {problem}", err=True)
        docs = [record.doc for record in records]
        if on_ray:
            from cleaner.ray_dedup import deduplicate_on_ray

            result = deduplicate_on_ray(docs, config, address=ray_address, workers=workers)
        else:
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
            _write_documents(output_dir, loaded, result, drop=drop)
    except CleanerError as error:
        typer.echo(f"cleaner: error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    if as_json:
        typer.echo(json.dumps(clusters_json(result), ensure_ascii=False))
    typer.echo(summary(result), err=True)
    raise typer.Exit(EXIT_FAILED if problems else EXIT_OK)


def _clean_all(records: list[Record]) -> list[str]:
    """Clean the documents in place (all stages but dedup); the problems of those that fail,
    which are then deduplicated as read."""
    pipeline = Pipeline(skip=["dedup"])
    problems = []
    for record in records:
        doc = record.doc
        text, metadata = doc.text, dict(doc.metadata)
        try:
            record.doc = pipeline(doc)
        except Exception as error:  # a bug met on one document must not stop the batch
            record.doc = Document(id=doc.id, text=text, metadata=metadata)
            problems.append(
                f"{record.location}: cleaning failed ({type(error).__name__}: {error}); "
                "deduplicated as read"
            )
    return problems


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
) -> tuple[list[tuple[Source, Record]], list[str]]:
    """The records of the inputs as `cleaner clean` reads them (same walk, formats and ids: the
    path relative to the input folder for text files, the id field for JSONL records), and the
    problems of those that could not be read."""
    sources, problems = find_sources(inputs)
    loaded = []
    for source in sources:
        try:
            for record in read_records(source, text_field=text_field, id_field=id_field):
                if record.error:
                    problems.append(record.error)
                loaded.append((source, record))
        except InputError as error:
            problems.append(str(error))
    return loaded, problems


def _write_documents(
    folder: Path, loaded: list[tuple[Source, Record]], result: DedupResult, *, drop: bool
) -> None:
    dropped = result.duplicates if drop else set()
    writers: dict[Path, AtomicWriter] = {}
    try:
        for source, record in loaded:
            path = folder / source.relative
            if path not in writers:
                writers[path] = AtomicWriter(path, compress=source.format == "jsonl.gz")
            if record.doc is not None and record.doc.id in dropped:
                continue
            if record.doc is not None and record.fields is not None:
                flags = [flag.to_dict() for flag in record.doc.flags if flag.stage == "dedup"]
                if flags:
                    record.fields["dedup"] = flags
            writers[path].write(encode_record(record, source.format))
        for path, writer in writers.items():
            if writer.bytes_written or path.suffix != ".txt" and not path.name.endswith(".md"):
                writer.commit()
            else:
                writer.abort()
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise


def _write_atomically(path: Path, content: str) -> None:
    writer = AtomicWriter(path)
    writer.write(content.encode("utf-8"))
    writer.commit()
