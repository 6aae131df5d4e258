"""Deduplicating a corpus: the library entry point behind the `dedup` stage and command.

>>> from cleaner.document import Document
>>> story = "Air raid sirens sounded across Kyiv overnight as drones approached the capital. "
>>> docs = [
...     Document("a", story * 3),
...     Document("b", story * 3 + "Read more on our site."),
...     Document("c", "The city council approved a new budget for public transport repairs."),
... ]
>>> result = deduplicate(docs, DedupConfig())
>>> [(group.kept, group.members) for group in result.clusters]
[('b', ['a', 'b'])]
>>> flag_documents(docs, result)
>>> docs[0].flags[0].rule, docs[0].flags[0].data["kept"]
('dedup.duplicate', 'b')
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from cleaner.dedup.cluster import Entry, clusters_of, parse_date
from cleaner.dedup.config import DedupConfig
from cleaner.dedup.signatures import Signer
from cleaner.document import Document, Flag

SIGNATURE_BATCH = 1000
STAGE = "dedup"


@dataclass
class DuplicateGroup:
    """One cluster of near-duplicates, by document id. The cluster's id is its kept member's id.
    `indexed` lists members that were already in the persistent index (earlier batches)."""

    kept: str
    members: list[str]
    similarity: dict[str, float]
    indexed: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.kept


@dataclass
class DedupResult:
    clusters: list[DuplicateGroup]
    documents: int
    already_indexed: list[str] = field(default_factory=list)

    @property
    def duplicates(self) -> set[str]:
        """Ids of the documents that are not kept (their cluster keeps another one)."""
        return {
            member
            for group in self.clusters
            for member in group.members
            if member != group.kept and member not in group.indexed
        }


def entry_of(doc: Document, order: int, config: DedupConfig) -> Entry:
    return Entry(
        id=doc.id,
        length=len(doc.text),
        changes=len(doc.changes),
        date=parse_date(doc.metadata.get(config.date_field)),
        order=order,
    )


def signatures_of(texts: Sequence[str], config: DedupConfig, *, workers: int = 1) -> np.ndarray:
    """Signature rows of the texts, computed in batches (over `workers` processes)."""
    chunks = [texts[i : i + SIGNATURE_BATCH] for i in range(0, len(texts), SIGNATURE_BATCH)]
    if not chunks:
        return np.zeros((0, config.num_perm), dtype=np.uint32)
    if workers <= 1 or len(chunks) == 1:
        signer = Signer(num_perm=config.num_perm, seed=config.seed, ngram=config.ngram)
        parts = [signer.signatures(chunk) for chunk in chunks]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(_sign_chunk, [(chunk, config) for chunk in chunks]))
    return np.concatenate(parts)


def _sign_chunk(job: tuple[Sequence[str], DedupConfig]) -> np.ndarray:
    chunk, config = job
    return Signer(num_perm=config.num_perm, seed=config.seed, ngram=config.ngram).signatures(chunk)


def deduplicate(
    docs: Sequence[Document], config: DedupConfig, *, workers: int = 1, index=None
) -> DedupResult:
    """Find the clusters of near-duplicates among `docs` (and, with an `index`, between them and
    every document indexed before, adding them to it)."""
    signatures = signatures_of([doc.text for doc in docs], config, workers=workers)
    collector = SketchCollector(config)
    for doc, row in zip(docs, signatures, strict=True):
        collector.add(sketch_of(doc, row, config))
    return collector.result(lambda position: docs[position].text, index=index)


@dataclass(frozen=True, slots=True)
class Sketch:
    """What dedup needs of one cleaned document: its signature row and what the keep policy
    reads. A corpus pass over documents streamed from disk keeps only these."""

    id: str
    length: int
    changes: int
    date: datetime | None
    signature: np.ndarray

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Workers send a sketch with every document: numpy's own pickling of a signature row
        # costs as much as the rest of the cleaned document, the row's bytes almost nothing.
        row = self.signature
        return _sketch, (
            self.id,
            self.length,
            self.changes,
            self.date,
            row.dtype.str,
            row.tobytes(),
        )


def _sketch(
    doc_id: str, length: int, changes: int, date: datetime | None, dtype: str, row: bytes
) -> Sketch:
    return Sketch(doc_id, length, changes, date, np.frombuffer(row, dtype=dtype))


def sketch_of(doc: Document, signature: np.ndarray, config: DedupConfig) -> Sketch:
    return Sketch(
        id=doc.id,
        length=len(doc.text),
        changes=len(doc.changes),
        date=parse_date(doc.metadata.get(config.date_field)),
        signature=signature,
    )


def sketches_of(docs: Sequence[Document], signer: Signer, config: DedupConfig) -> list[Sketch]:
    """The sketches of a batch of documents, signed together (a signature row does not depend
    on the batch it was computed in)."""
    rows = signer.signatures([doc.text for doc in docs])
    return [sketch_of(doc, row, config) for doc, row in zip(docs, rows, strict=True)]


def canonical_order(
    ids: Sequence[str], lengths: Sequence[int], text_of: Callable[[int], str]
) -> list[int]:
    """Positions sorted by (id, length, text), so nothing downstream depends on the input order.
    Texts are read (`text_of(position)`) only for positions that tie on id and length."""
    order = sorted(range(len(ids)), key=lambda i: (ids[i], lengths[i]))
    start = 0
    while start < len(order):
        stop = start + 1
        key = (ids[order[start]], lengths[order[start]])
        while stop < len(order) and (ids[order[stop]], lengths[order[stop]]) == key:
            stop += 1
        if stop - start > 1:
            order[start:stop] = sorted(order[start:stop], key=text_of)
        start = stop
    return order


class _TextsInOrder(Sequence[str]):
    """Texts by canonical position, read on demand (exact verification needs only the texts of
    candidate pairs)."""

    def __init__(self, text_of: Callable[[int], str], order: Sequence[int]) -> None:
        self.text_of = text_of
        self.order = order

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, position):  # type: ignore[override]
        return self.text_of(self.order[position])


class SketchCollector:
    """Sketches gathered one document at a time, in input order, in compact columns: the
    signature rows in one growing uint32 array, and per document its id and three numbers."""

    def __init__(self, config: DedupConfig) -> None:
        self.config = config
        self.ids: list[str] = []
        self.lengths = array("q")
        self.changes = array("q")
        self.dates: dict[int, datetime] = {}
        self._rows = np.empty((1024, config.num_perm), dtype=np.uint32)

    def add(self, sketch: Sketch) -> None:
        position = len(self.ids)
        if position == len(self._rows):
            grown = np.empty((2 * len(self._rows), self.config.num_perm), dtype=np.uint32)
            grown[:position] = self._rows
            self._rows = grown
        self._rows[position] = sketch.signature
        self.ids.append(sketch.id)
        self.lengths.append(sketch.length)
        self.changes.append(sketch.changes)
        if sketch.date is not None:
            self.dates[position] = sketch.date

    def result(self, text_of: Callable[[int], str], *, index=None) -> DedupResult:
        """The clusters (against and into `index`, when given)."""
        order = canonical_order(self.ids, self.lengths, text_of)
        entries = [
            Entry(
                id=self.ids[position],
                length=self.lengths[position],
                changes=self.changes[position],
                date=self.dates.get(position),
                order=position,
            )
            for position in order
        ]
        signatures = self._rows[: len(self.ids)][order]
        if index is not None:
            return index.check_and_add(signatures, entries, self.config)
        texts = _TextsInOrder(text_of, order) if self.config.exact else None
        return deduplicate_signatures(signatures, entries, self.config, texts=texts)


def deduplicate_signatures(
    signatures: np.ndarray,
    entries: Sequence[Entry],
    config: DedupConfig,
    *,
    texts: Sequence[str] | None = None,
) -> DedupResult:
    """Clusters from precomputed signature rows (an array or a disk-backed `np.memmap`) and
    their entries, for corpora whose texts do not fit in memory: only these are kept."""
    found = clusters_of(
        signatures,
        entries,
        threshold=config.threshold,
        keep=config.keep,
        texts=texts,
        ngram=config.ngram,
    )
    groups = [
        DuplicateGroup(
            kept=entries[cluster.kept].id,
            members=[entries[m].id for m in cluster.members],
            similarity={entries[m].id: cluster.similarity[m] for m in cluster.members},
        )
        for cluster in found
    ]
    return DedupResult(groups, len(entries))


def flag_documents(docs: Sequence[Document], result: DedupResult) -> None:
    """Add a `dedup.kept` or `dedup.duplicate` flag to every document in a cluster, with the
    cluster id, the kept member and the similarity to it in `data`."""
    flags = DedupFlags(result)
    for doc in docs:
        doc.flags.extend(flags.of(doc.id))


class DedupFlags:
    """The flags of each document id in a result, made when asked for, so a corpus pass keeps
    no more than the clusters themselves."""

    def __init__(self, result: DedupResult) -> None:
        self.clusters = result.clusters
        self._groups_of: dict[str, list[int]] = {}
        for number, group in enumerate(result.clusters):
            for member in group.members:
                if member not in group.indexed:
                    self._groups_of.setdefault(member, []).append(number)

    def of(self, doc_id: str) -> Iterator[Flag]:
        for number in self._groups_of.get(doc_id, ()):
            group = self.clusters[number]
            similarity = round(group.similarity.get(doc_id, 1.0), 4)
            data = {
                "cluster": group.id,
                "kept": group.kept,
                "similarity": similarity,
                "size": len(group.members),
            }
            if doc_id == group.kept:
                message = f"kept copy of {len(group.members)} near-duplicates"
                yield Flag(STAGE, "dedup.kept", message, confidence=1.0, data=data)
            else:
                message = f"near-duplicate of {group.kept} (similarity {similarity:.2f})"
                yield Flag(STAGE, "dedup.duplicate", message, confidence=similarity, data=data)
