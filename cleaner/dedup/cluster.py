"""Clusters of near-duplicates: LSH candidates, verified pairs, union-find, a kept member.

Every step is order-free: candidate pairs are sorted, union-find joins a pair's roots by a
fixed rule, a cluster's members are listed by id, and the kept member is the minimum of a key
that ends in the document id. So the clusters and kept members are the same whatever order
the documents came in and however many workers computed the signatures (for `keep="first"`
the input order is the criterion itself).

>>> entries = [Entry("a.txt", 40), Entry("b.txt", 52), Entry("c.txt", 10)]
>>> pick_kept(entries, [0, 1], "longest")
1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from cleaner.dedup.bands import band_hashes, candidate_pairs, lsh_params
from cleaner.dedup.shingles import shingle_hashes

PAIR_CHUNK = 65536


@dataclass(frozen=True, slots=True)
class Entry:
    """What the keep policy needs to know about one document."""

    id: str
    length: int
    changes: int = 0
    date: datetime | None = None
    order: int = 0


@dataclass
class Cluster:
    """Documents that are near-duplicates of each other (indices into the batch), the one kept,
    and each member's estimated Jaccard similarity to the kept one."""

    members: list[int]
    kept: int
    similarity: dict[int, float] = field(default_factory=dict)


def parse_date(value: Any) -> datetime | None:
    """An ISO 8601 date or datetime (naive ones read as UTC); None when absent or unreadable.

    >>> parse_date("2024-03-01T10:00:00+02:00").isoformat()
    '2024-03-01T08:00:00+00:00'
    >>> parse_date("yesterday") is None
    True
    """
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def keep_key(entry: Entry, policy: str) -> tuple:
    """Sort key of the keep policy: the smallest is kept. Ties end on the id, never on order.

    `earliest` puts documents without a readable date after every dated one, then prefers the
    longest among them.
    """
    if policy == "longest":
        return (-entry.length, entry.id)
    if policy == "earliest":
        missing = entry.date is None
        stamp = entry.date.timestamp() if entry.date else 0.0
        return (missing, stamp, -entry.length, entry.id)
    if policy == "cleanest":
        return (entry.changes, -entry.length, entry.id)
    return (entry.order, entry.id)


def pick_kept(entries: Sequence[Entry], members: Sequence[int], policy: str) -> int:
    return min(members, key=lambda index: keep_key(entries[index], policy))


def similarities(signatures: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity (share of equal signature values) of row pairs."""
    out = np.empty(len(left), dtype=np.float64)
    for start in range(0, len(left), PAIR_CHUNK):
        stop = start + PAIR_CHUNK
        equal = signatures[left[start:stop]] == signatures[right[start:stop]]
        out[start:stop] = equal.mean(axis=1)
    return out


def exact_similarities(
    texts: Sequence[str], ngram: int, left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """Exact Jaccard similarity of the shingle-hash sets of text pairs."""
    needed = np.unique(np.concatenate((left, right)))
    hashes, offsets = shingle_hashes([texts[i] for i in needed.tolist()], ngram=ngram)
    sets = {
        int(doc): set(hashes[offsets[k] : offsets[k + 1]].tolist())
        for k, doc in enumerate(needed.tolist())
    }
    out = np.empty(len(left), dtype=np.float64)
    for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
        union = len(sets[i] | sets[j])
        out[k] = len(sets[i] & sets[j]) / union if union else 1.0
    return out


class UnionFind:
    """Disjoint sets over `0..n-1`; the root of a set is always its smallest member, so the
    result does not depend on the order of the unions."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def verified_pairs(
    signatures: np.ndarray,
    *,
    threshold: float,
    texts: Sequence[str] | None = None,
    ngram: int = 3,
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs from LSH banding, kept when their similarity reaches the threshold
    (estimated from the signatures, or exact on the shingles when `texts` are given)."""
    bands, rows = lsh_params(threshold, signatures.shape[1])
    pairs = candidate_pairs(band_hashes(signatures, bands, rows))
    if not len(pairs):
        return pairs, np.zeros(0)
    left, right = pairs[:, 0], pairs[:, 1]
    if texts is None:
        scores = similarities(signatures, left, right)
    else:
        scores = exact_similarities(texts, ngram, left, right)
    keep = scores >= threshold
    return pairs[keep], scores[keep]


def clusters_of(
    signatures: np.ndarray,
    entries: Sequence[Entry],
    *,
    threshold: float,
    keep: str,
    texts: Sequence[str] | None = None,
    ngram: int = 3,
) -> list[Cluster]:
    """Clusters of two or more near-duplicates, ordered by their kept member's id."""
    pairs, _ = verified_pairs(signatures, threshold=threshold, texts=texts, ngram=ngram)
    return group(signatures, entries, pairs, keep=keep)


def group(
    signatures: np.ndarray, entries: Sequence[Entry], pairs: np.ndarray, *, keep: str
) -> list[Cluster]:
    """Union-find over verified pairs, then the kept member and similarities of each cluster."""
    sets = UnionFind(len(entries))
    for i, j in pairs.tolist():
        sets.union(i, j)
    members_of: dict[int, list[int]] = {}
    for index in np.unique(pairs).tolist():
        members_of.setdefault(sets.find(index), []).append(index)
    clusters = []
    for members in members_of.values():
        members.sort(key=lambda index: entries[index].id)
        kept = pick_kept(entries, members, keep)
        others = np.array([m for m in members if m != kept], dtype=np.int64)
        scores = similarities(signatures, np.full(len(others), kept), others)
        similarity = {kept: 1.0} | dict(zip(others.tolist(), scores.tolist(), strict=True))
        clusters.append(Cluster(members, kept, similarity))
    clusters.sort(key=lambda cluster: entries[cluster.kept].id)
    return clusters
