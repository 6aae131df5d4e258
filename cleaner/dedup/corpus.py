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

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from cleaner.dedup.cluster import Entry, clusters_of, parse_date
from cleaner.dedup.config import DedupConfig
from cleaner.dedup.signatures import Signer
from cleaner.document import Document

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
    # A canonical order (by id), so nothing downstream can depend on the input order.
    order = sorted(range(len(docs)), key=lambda i: (docs[i].id, len(docs[i].text), docs[i].text))
    ordered = [docs[i] for i in order]
    entries = [
        entry_of(doc, position, config) for doc, position in zip(ordered, order, strict=True)
    ]
    signatures = signatures_of([doc.text for doc in ordered], config, workers=workers)
    if index is not None:
        return index.check_and_add(signatures, entries, config)
    texts = [doc.text for doc in ordered] if config.exact else None
    return deduplicate_signatures(signatures, entries, config, texts=texts)


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
    by_id: dict[str, list[Document]] = {}
    for doc in docs:
        by_id.setdefault(doc.id, []).append(doc)
    for group in result.clusters:
        for member in group.members:
            if member in group.indexed:
                continue
            similarity = round(group.similarity.get(member, 1.0), 4)
            data = {
                "cluster": group.id,
                "kept": group.kept,
                "similarity": similarity,
                "size": len(group.members),
            }
            for doc in by_id.get(member, []):
                if member == group.kept:
                    message = f"kept copy of {len(group.members)} near-duplicates"
                    doc.flag(STAGE, "dedup.kept", message, confidence=1.0, data=data)
                else:
                    message = f"near-duplicate of {group.kept} (similarity {similarity:.2f})"
                    doc.flag(STAGE, "dedup.duplicate", message, confidence=similarity, data=data)
