"""Words and word n-gram shingles of a whole batch of texts at once, hashed in numpy.

Tokenizing and shingling is the hot path of MinHash: done per shingle in Python (split, join,
encode, SHA-1) it costs more than the permutations themselves. Here a batch of texts becomes
one array of code points; a word is a maximal run of letters, marks and digits (so
lowercasing plus this split drops punctuation in every script); each word gets a 64-bit
polynomial hash computed for all words at once from prefix sums (mod 2^64, so numpy's
wrapping arithmetic is the modulo); an n-gram's hash chains its words' hashes through the
MurmurHash3 finalizer. `shingle_hash` computes the same value from a shingle's bytes in plain
Python, so datasketch's own `MinHash.update` with `hashfunc=shingle_hash` reproduces our
signatures exactly (the test suite checks that).

>>> words_of("Kyiv's mayor, Vitali KLITSCHKO: «no comment»!")
['kyiv', 's', 'mayor', 'vitali', 'klitschko', 'no', 'comment']
>>> shingles_of("One two three four", ngram=3)
[b'one two three', b'two three four']
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

MASK64 = (1 << 64) - 1
# An odd multiplier, so it has an inverse modulo 2^64 and words can be hashed from prefix sums.
BASE = 0x100000001B3
BASE_INVERSE = pow(BASE, -1, 1 << 64)
CHAIN = 0x9E3779B97F4A7C15  # mixes the previous words' hash before the next word is added
_FMIX64 = (33, 0xFF51AFD7ED558CCD, 33, 0xC4CEB9FE1A85EC53, 33)


def normalized(text: str) -> str:
    """The text as dedup sees it: lowercase words separated by single spaces.

    >>> normalized("  Kyiv,  the CAPITAL.\\nOf Ukraine — 2024 ")
    'kyiv the capital of ukraine 2024'
    """
    return " ".join(words_of(text))


def words_of(text: str) -> list[str]:
    """The words of `text` (lowercased), in order: runs of letters, marks and digits."""
    lowered = text.lower()
    table = word_char_table()
    chars = [ch if table[ord(ch)] else " " for ch in lowered]
    return "".join(chars).split()


def shingles_of(text: str, *, ngram: int) -> list[bytes]:
    """Word n-grams of `text` as UTF-8 bytes (words joined by a space); a text shorter than
    `ngram` words is one shingle of all its words, an empty one has none."""
    words = words_of(text)
    if not words:
        return []
    if len(words) < ngram:
        return [" ".join(words).encode()]
    return [" ".join(words[i : i + ngram]).encode() for i in range(len(words) - ngram + 1)]


def shingle_hash(shingle: bytes) -> int:
    """The 32-bit hash of one shingle (`b"w1 w2 w3"`), equal to what `shingle_hashes` computes
    in bulk. A `hashfunc` for datasketch's `MinHash`."""
    value = 0
    for index, word in enumerate(shingle.decode().split(" ")):
        word_value = _fmix64(_polynomial(word))
        value = word_value if index == 0 else _fmix64((value * CHAIN + word_value) & MASK64)
    return value >> 32


def _polynomial(word: str) -> int:
    value = 0
    power = 1
    for ch in word:
        value = (value + ord(ch) * power) & MASK64
        power = (power * BASE) & MASK64
    return value


def _fmix64(value: int) -> int:
    s1, m1, s2, m2, s3 = _FMIX64
    value ^= value >> s1
    value = (value * m1) & MASK64
    value ^= value >> s2
    value = (value * m2) & MASK64
    return value ^ (value >> s3)


@lru_cache(maxsize=1)
def word_char_table() -> np.ndarray:
    """For every code point: is it part of a word (a letter, mark or digit)?"""
    table = np.zeros(0x110000, dtype=bool)
    # Planes 4-13 are unassigned and 15-16 private use; plane 14 holds variation selectors.
    for code in itertools.chain(range(0x40000), range(0xE0000, 0xE1000)):
        if unicodedata.category(chr(code))[0] in "LMN":
            table[code] = True
    return table


@lru_cache(maxsize=4)
def _powers(length: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE**i and BASE**-i modulo 2^64 for i < length."""
    powers = np.full(length, BASE, dtype=np.uint64)
    powers[0] = 1
    inverse = np.full(length, BASE_INVERSE, dtype=np.uint64)
    inverse[0] = 1
    return np.cumprod(powers), np.cumprod(inverse)


def fmix64(values: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = (np.uint64(v) for v in _FMIX64)
    values = values ^ (values >> s1)
    values *= m1
    values ^= values >> s2
    values *= m2
    values ^= values >> s3
    return values


def word_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The 64-bit hashes of every word of every text, concatenated, and each text's first
    word index (`len(texts) + 1` offsets, so text i owns words `offsets[i]:offsets[i+1]`)."""
    lowered = [text.lower() for text in texts]
    # Spaces around and between texts, so no word runs over a boundary and every word has a
    # start edge.
    joined = " " + " ".join(lowered) + " "
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    is_word = word_char_table()[codes]
    starts = (np.flatnonzero(is_word[1:] != is_word[:-1]) + 1)[0::2]
    hashes = np.zeros(0, dtype=np.uint64)
    if len(starts):
        powers, inverse = _powers(_padded(len(codes)))
        weighted = codes.astype(np.uint64)
        weighted *= powers[: len(codes)]
        weighted *= is_word
        # From one word start to the next: the word, then separators that weigh nothing. The sum
        # is the word's polynomial shifted by BASE**start; undo the shift.
        sums = np.add.reduceat(weighted, starts)
        sums *= inverse[starts]
        hashes = fmix64(sums)
    text_starts = np.cumsum([1] + [len(text) + 1 for text in lowered], dtype=np.int64)
    offsets = np.searchsorted(starts, text_starts)
    return hashes, offsets


def _padded(length: int) -> int:
    """Round up so the cached power tables are reused across batches."""
    return max(1 << 16, 1 << (length - 1).bit_length())


def shingle_hashes(texts: Sequence[str], *, ngram: int) -> tuple[np.ndarray, np.ndarray]:
    """The 32-bit hashes of every word n-gram of every text, concatenated, and each text's
    first shingle index (`len(texts) + 1` offsets), like `shingles_of` + `shingle_hash`."""
    words, word_offsets = word_hashes(texts)
    counts = np.diff(word_offsets)
    # A text shorter than the n-gram is one shingle of all its words; an empty text has none.
    shingle_counts = np.where(counts >= ngram, counts - ngram + 1, np.minimum(counts, 1))
    offsets = np.concatenate(([0], np.cumsum(shingle_counts))).astype(np.int64)
    total = int(offsets[-1])
    first_word = np.repeat(word_offsets[:-1], shingle_counts) + (
        np.arange(total, dtype=np.int64) - np.repeat(offsets[:-1], shingle_counts)
    )
    width = np.repeat(np.minimum(counts, ngram), shingle_counts)
    values = words[first_word] if total else np.zeros(0, dtype=np.uint64)
    chain = np.uint64(CHAIN)
    for k in range(1, ngram):
        longer = width > k
        if not longer.any():
            break
        mixed = fmix64(values * chain + words[np.minimum(first_word + k, len(words) - 1)])
        values = np.where(longer, mixed, values)
    return (values >> np.uint64(32)).astype(np.uint32), offsets
