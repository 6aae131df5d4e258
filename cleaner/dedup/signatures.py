"""MinHash signatures of whole batches, equal to datasketch's for the same seed.

datasketch's default scheme (`affine32`) pre-mixes each 32-bit shingle hash with the MurmurHash3
finalizer and applies `a * h + b mod 2^32` per permutation, keeping the minimum. We take the
permutation parameters from a datasketch `MinHash(num_perm, seed)` and run the same arithmetic
on all shingles of a batch as one matrix, reducing per text with `np.minimum.reduceat`, so a
signature row equals `MinHash(num_perm, seed, hashfunc=shingle_hash)` fed the same shingles.

>>> signer = Signer(num_perm=16, seed=1, ngram=2)
>>> rows = signer.signatures(["the wire story", "The wire, story!"])
>>> rows.shape, bool((rows[0] == rows[1]).all())
((2, 16), True)
>>> signer.minhash(rows[0]).jaccard(signer.minhash(rows[1]))
1.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from datasketch import LeanMinHash, MinHash
from datasketch.minhash import _fmix

from cleaner.dedup.shingles import shingle_hash, shingle_hashes

EMPTY = np.uint32(0xFFFFFFFF)  # datasketch's value for a permutation that saw no shingle
SCHEME = "affine32"
# Shingles per block of the permutation matrix: 128 x 8192 uint32 is 4 MB, small enough to stay
# in cache while it is multiplied, added and reduced (measured fastest on this machine).
BLOCK_SHINGLES = 8192


class Signer:
    """Computes MinHash signatures (rows of `num_perm` uint32) for batches of texts."""

    def __init__(self, *, num_perm: int, seed: int, ngram: int) -> None:
        self.num_perm = num_perm
        self.seed = seed
        self.ngram = ngram
        template = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME, hashfunc=shingle_hash)
        self._template = template
        multipliers, increments = template.permutations
        self._multipliers = np.ascontiguousarray(multipliers, dtype=np.uint32)
        self._increments = np.ascontiguousarray(increments, dtype=np.uint32)

    def signatures(self, texts: Sequence[str]) -> np.ndarray:
        """One signature row per text (`len(texts) x num_perm`, uint32)."""
        hashes, offsets = shingle_hashes(texts, ngram=self.ngram)
        return self.signatures_of_hashes(hashes, offsets)

    def signatures_of_hashes(self, hashes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        count = len(offsets) - 1
        rows = np.full((count, self.num_perm), EMPTY, dtype=np.uint32)
        if not len(hashes):
            return rows
        mixed = _fmix(hashes.astype(np.uint32), 32)
        # Permutations x shingles, so every operation runs along contiguous shingles.
        block = np.empty((self.num_perm, BLOCK_SHINGLES), dtype=np.uint32)
        text = 0
        for start in range(0, len(mixed), BLOCK_SHINGLES):
            stop = min(start + BLOCK_SHINGLES, len(mixed))
            part = block[:, : stop - start]
            np.multiply(self._multipliers[:, None], mixed[None, start:stop], out=part)
            part += self._increments[:, None]
            # The texts with shingles in this block (a long text may span several blocks).
            while offsets[text + 1] <= start:
                text += 1
            last = min(int(np.searchsorted(offsets, stop, side="left")), count)
            owners = np.arange(text, last)
            firsts = np.maximum(offsets[owners], start)
            owners = owners[offsets[owners + 1] > firsts]
            if len(owners):
                cuts = np.maximum(offsets[owners], start) - start
                minima = np.minimum.reduceat(part, cuts, axis=1)
                rows[owners] = np.minimum(rows[owners], minima.T)
        return rows

    def minhash(self, row: np.ndarray) -> LeanMinHash:
        """The datasketch `LeanMinHash` of a signature row (for `jaccard`, LSH storage, ...)."""
        return LeanMinHash(seed=self.seed, hashvalues=row, scheme=SCHEME)

    def reference_minhash(self, shingles: Sequence[bytes]) -> MinHash:
        """datasketch's own MinHash of the shingles, the per-shingle way: what `signatures`
        must equal."""
        minhash = MinHash(
            num_perm=self.num_perm,
            seed=self.seed,
            scheme=SCHEME,
            hashfunc=shingle_hash,
            permutations=self._template.permutations,
        )
        for shingle in shingles:
            minhash.update(shingle)
        return minhash
