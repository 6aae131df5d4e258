"""LSH banding in numpy: band hashes in arrays, collisions found by sorting, not in a dict.

datasketch's `MinHashLSH` keeps one Python dict per band mapping band bytes to a set of keys:
several hundred bytes per document and band. Here a band is one uint64 per document (its
`r` signature values chained through the MurmurHash3 finalizer), so a corpus's bands are one
`n x b` array of 8-byte values, and the documents that collide in a band are runs of equal
values after `argsort`. The number of bands and rows comes from datasketch's own optimizer,
so the LSH behaves as `MinHashLSH(threshold, num_perm)` would.

>>> lsh_params(0.5, 128)
(25, 5)
>>> import numpy as np
>>> bands = np.array([[1, 7], [2, 7], [1, 8], [3, 9]], dtype=np.uint64)
>>> candidate_pairs(bands).tolist()
[[0, 1], [0, 2]]
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from datasketch.lsh import _optimal_param

from cleaner.dedup.shingles import CHAIN, fmix64

# A bucket larger than this is paired as a star around its first member plus a chain of
# neighbours, not all-pairs: a thousand exact copies give 2,000 candidate pairs, not 500,000,
# and union-find still joins them all.
ALL_PAIRS_LIMIT = 32


@lru_cache(maxsize=64)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """`(bands, rows)` minimising the sum of false positive and false negative probability
    for `threshold` (datasketch's `MinHashLSH` choice with equal weights)."""
    return _optimal_param(threshold, num_perm, 0.5, 0.5)


def band_hashes(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One uint64 per document and band (`n x bands`)."""
    count = signatures.shape[0]
    out = np.empty((count, bands), dtype=np.uint64)
    chain = np.uint64(CHAIN)
    for band in range(bands):
        value = np.full(count, band + 1, dtype=np.uint64)
        for column in range(band * rows, (band + 1) * rows):
            value = fmix64(value * chain + signatures[:, column].astype(np.uint64))
        out[:, band] = value
    return out


def candidate_pairs(bands: np.ndarray) -> np.ndarray:
    """Pairs `(i, j)`, `i < j`, of rows that share a value in some band column; sorted and
    unique (`k x 2` int64)."""
    found = [np.zeros((0, 2), dtype=np.int64)]
    for column in range(bands.shape[1]):
        found.append(_colliding_pairs(bands[:, column]))
    pairs = np.concatenate(found)
    if not len(pairs):
        return pairs
    # Each pair as one number, `i * rows + j`, ordered as the pairs are: a sort of numbers,
    # several times faster than `np.unique(pairs, axis=0)`'s sort of rows.
    rows = bands.shape[0]
    codes = np.unique(pairs[:, 0] * rows + pairs[:, 1])
    return np.stack((codes // rows, codes % rows), axis=1)


def _colliding_pairs(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    boundaries = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    run_starts = np.concatenate(([0], boundaries))
    run_lengths = np.diff(np.concatenate((run_starts, [len(values)])))
    pairs = []
    # Every member after the first with the run's first member (star) and with its predecessor
    # (chain): enough for union-find, linear in the run length.
    in_run = np.repeat(run_lengths > 1, run_lengths)
    position = np.arange(len(values))
    first_of_run = np.repeat(run_starts, run_lengths)
    later = in_run & (position != first_of_run)
    pairs.append(np.stack((order[first_of_run[later]], order[later]), axis=1))
    chained = later & (position - 1 != first_of_run)
    pairs.append(np.stack((order[position[chained] - 1], order[chained]), axis=1))
    # Small runs: all pairs, so a chance collision with the first member cannot hide a real one;
    # the runs of one length together, one row each.
    small = (run_lengths > 2) & (run_lengths <= ALL_PAIRS_LIMIT)
    for length in np.unique(run_lengths[small]).tolist():
        starts = run_starts[small & (run_lengths == length)]
        members = order[starts[:, np.newaxis] + np.arange(length)]
        left, right = np.triu_indices(length, k=1)
        pairs.append(np.stack((members[:, left].ravel(), members[:, right].ravel()), axis=1))
    stacked = np.concatenate(pairs).astype(np.int64)
    return np.sort(stacked, axis=1)
