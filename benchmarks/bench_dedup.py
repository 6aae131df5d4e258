"""Speed and memory of dedup, against datasketch's own ways, in one run.

    python benchmarks/bench_dedup.py                 # throughput, memory, index (a few minutes)
    python benchmarks/bench_dedup.py --scale 1000000 # only: a corpus of 1M generated ~3 KB docs

1. Signatures, text to signature, one core: ours vs datasketch's per-shingle `update` loop and
   `update_batch` (the baselines shingle the plain Python way: regex words, joined n-grams).
2. Peak memory of finding candidate pairs for the same signatures: our sorted band arrays vs
   datasketch's `MinHashLSH` (tracemalloc counts numpy and Python allocations alike).
3. Persistent SQLite index: documents added per second, batch after batch.
4. `--scale N` (alone, so the peak memory is its own): N generated documents (~3 KB, one in
   20 a planted edited copy) deduplicated on all cores; wall time, peak memory (RSS of the
   process and of its largest worker) and how many planted copies were found.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datasketch import MinHash, MinHashLSH  # noqa: E402

from cleaner.dedup import DedupConfig  # noqa: E402
from cleaner.dedup.bands import band_hashes, candidate_pairs, lsh_params  # noqa: E402
from cleaner.dedup.cluster import Entry  # noqa: E402
from cleaner.dedup.corpus import deduplicate_signatures  # noqa: E402
from cleaner.dedup.index import SqliteIndex  # noqa: E402
from cleaner.dedup.shingles import word_char_table  # noqa: E402
from cleaner.dedup.signatures import Signer  # noqa: E402

CONFIG = DedupConfig()
WORDS = re.compile(r"[^\W_]+")
SYLLABLES = ["ka", "ro", "mi", "te", "lu", "sa", "no", "vi", "de", "pra", "st", "or", "en", "an"]
VOCABULARY_RNG = random.Random(0)
VOCABULARY = [
    "".join(VOCABULARY_RNG.choice(SYLLABLES) for _ in range(VOCABULARY_RNG.randint(1, 4)))
    for _ in range(30000)
]
CUMULATIVE = np.cumsum([1 / (rank + 1) for rank in range(len(VOCABULARY))])
PLANT_EVERY = 20
PLANT_DISTANCE = 7


def document(number: int) -> str:
    """A ~3 KB article-like text (Zipfian words, sentences, paragraphs); every 20th is an edited
    copy of the document 7 before it."""
    if number % PLANT_EVERY == PLANT_EVERY - 1:
        words = document(number - PLANT_DISTANCE).split(" ")
        rng = random.Random(number)
        for _ in range(len(words) // 25):
            words[rng.randrange(len(words))] = rng.choice(VOCABULARY)
        return " ".join(words[: len(words) - len(words) // 10])
    rng = random.Random(number)
    picks = np.searchsorted(CUMULATIVE, [rng.random() * CUMULATIVE[-1] for _ in range(470)])
    words = [VOCABULARY[i] for i in picks]
    for i in range(0, len(words), 15):
        words[i] = words[i].capitalize()
        if i:
            words[i - 1] += "." if i % 60 else ".\n"
    return " ".join(words) + "."


def naive_shingles(text: str, ngram: int) -> list[bytes]:
    words = WORDS.findall(text.lower())
    return [" ".join(words[i : i + ngram]).encode() for i in range(len(words) - ngram + 1)]


def datasketch_update_batch(text: str) -> MinHash:
    """datasketch's MinHash of a text, the shingles given all at once."""
    minhash = MinHash(num_perm=CONFIG.num_perm, seed=CONFIG.seed)
    minhash.update_batch(naive_shingles(text, CONFIG.ngram))
    return minhash


def datasketch_update_loop(text: str) -> MinHash:
    """datasketch's MinHash of a text, one `update` per shingle."""
    minhash = MinHash(num_perm=CONFIG.num_perm, seed=CONFIG.seed)
    for shingle in naive_shingles(text, CONFIG.ngram):
        minhash.update(shingle)
    return minhash


def seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def throughput(texts: list[str]) -> None:
    megabytes = sum(len(text.encode()) for text in texts) / 1e6
    signer = Signer(num_perm=CONFIG.num_perm, seed=CONFIG.seed, ngram=CONFIG.ngram)
    word_char_table()

    def ours() -> None:
        for start in range(0, len(texts), 1000):
            signer.signatures(texts[start : start + 1000])

    def update_batch(subset: list[str]) -> None:
        for text in subset:
            datasketch_update_batch(text)

    def update_loop(subset: list[str]) -> None:
        for text in subset:
            datasketch_update_loop(text)

    rows = {}
    rows["ours (numpy batches)"] = seconds(ours) / len(texts)
    batch_subset = texts[: len(texts) // 4]
    rows["datasketch update_batch"] = seconds(lambda: update_batch(batch_subset)) / len(
        batch_subset
    )
    loop_subset = texts[: len(texts) // 20]
    rows["datasketch update loop"] = seconds(lambda: update_loop(loop_subset)) / len(loop_subset)
    per_doc_mb = megabytes / len(texts)
    print(
        f"1. signatures, one core, {len(texts)} docs of {per_doc_mb * 1e3:.1f} KB, "
        f"num_perm={CONFIG.num_perm}, ngram={CONFIG.ngram}"
    )
    ours_time = rows["ours (numpy batches)"]
    for name, per_doc in rows.items():
        print(
            f"   {name:26} {per_doc_mb / per_doc:8.2f} MB/s {1 / per_doc:9.0f} docs/s"
            f"   ours is {per_doc / ours_time:5.1f}x"
        )


def memory(count: int) -> None:
    texts = [document(i) for i in range(count)]
    signer = Signer(num_perm=CONFIG.num_perm, seed=CONFIG.seed, ngram=CONFIG.ngram)
    signatures = np.concatenate(
        [signer.signatures(texts[i : i + 1000]) for i in range(0, count, 1000)]
    )
    del texts
    bands, rows = lsh_params(CONFIG.threshold, CONFIG.num_perm)

    tracemalloc.start()
    started = time.perf_counter()
    pairs = candidate_pairs(band_hashes(signatures, bands, rows))
    ours_seconds = time.perf_counter() - started
    ours_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    minhashes = [signer.minhash(row) for row in signatures]
    tracemalloc.start()
    started = time.perf_counter()
    lsh = MinHashLSH(threshold=CONFIG.threshold, num_perm=CONFIG.num_perm)
    with lsh.insertion_session() as session:
        for number, minhash in enumerate(minhashes):
            session.insert(number, minhash)
    found = sum(len(lsh.query(minhash)) - 1 for minhash in minhashes) // 2
    theirs_seconds = time.perf_counter() - started
    theirs_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"2. candidate pairs for {count} signatures ({bands} bands x {rows} rows)")
    print(
        f"   ours: sorted band arrays   peak {ours_peak / 1e6:8.1f} MB {ours_seconds:7.2f} s"
        f"  {len(pairs)} candidate pairs"
    )
    print(
        f"   datasketch MinHashLSH      peak {theirs_peak / 1e6:8.1f} MB {theirs_seconds:7.2f} s"
        f"  {found} candidate pairs   (ours uses {theirs_peak / ours_peak:.1f}x less memory)"
    )


def index_throughput(count: int, batch: int) -> None:
    signer = Signer(num_perm=CONFIG.num_perm, seed=CONFIG.seed, ngram=CONFIG.ngram)
    with tempfile.TemporaryDirectory() as folder:
        index = SqliteIndex(Path(folder) / "index.db", CONFIG)
        total = 0.0
        for start in range(0, count, batch):
            numbers = range(start, min(start + batch, count))
            texts = [document(i) for i in numbers]
            signatures = signer.signatures(texts)
            entries = sorted(
                (Entry(f"doc{i:08d}", len(texts[k])) for k, i in enumerate(numbers)),
                key=lambda entry: entry.id,
            )
            total += seconds(lambda: index.check_and_add(signatures, entries, CONFIG))  # noqa: B023
        size = (Path(folder) / "index.db").stat().st_size
        print(
            f"3. SQLite index: {count} docs in batches of {batch}: {count / total:.0f} docs/s "
            f"checked and added (signatures excluded), {size / count:.0f} bytes per doc on disk"
        )
        index.close()


def _signatures_of_range(bounds: tuple[int, int]) -> tuple[np.ndarray, list[int]]:
    """Documents are generated in the workers: shipping 3 GB of text to them would measure
    pickling, not dedup."""
    signer = Signer(num_perm=CONFIG.num_perm, seed=CONFIG.seed, ngram=CONFIG.ngram)
    texts = [document(i) for i in range(*bounds)]
    return signer.signatures(texts), [len(text) for text in texts]


def scale(count: int) -> None:
    started = time.perf_counter()
    workers = os.cpu_count() or 1
    chunk = 2000
    bounds = [(start, min(start + chunk, count)) for start in range(0, count, chunk)]
    signatures = np.empty((count, CONFIG.num_perm), dtype=np.uint32)
    lengths: list[int] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for (start, stop), (rows, sizes) in zip(
            bounds, pool.map(_signatures_of_range, bounds), strict=True
        ):
            signatures[start:stop] = rows
            lengths.extend(sizes)
    signed = time.perf_counter()
    entries = [Entry(f"doc{i:08d}", length) for i, length in enumerate(lengths)]
    result = deduplicate_signatures(signatures, entries, CONFIG)
    finished = time.perf_counter()
    planted = {
        (f"doc{i - PLANT_DISTANCE:08d}", f"doc{i:08d}")
        for i in range(PLANT_EVERY - 1, count, PLANT_EVERY)
    }
    found = {
        (a, b) for group in result.clusters for a in group.members for b in group.members if a < b
    }
    cpu = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(
        f"4. {count} generated docs on {workers} processes: {finished - started:.0f} s wall "
        f"(generating + signatures {signed - started:.0f} s, LSH + verify + clusters "
        f"{finished - signed:.0f} s), peak RSS {peak / 1e6:.2f} GB"
    )
    print(
        f"   {len(result.clusters)} clusters; planted copies found "
        f"{len(planted & found)}/{len(planted)}, other pairs {len(found - planted)}; "
        f"CPU {cpu:.0f} s (process and workers)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="docs for the throughput run")
    parser.add_argument("--memory-docs", type=int, default=100_000)
    parser.add_argument("--index-docs", type=int, default=20_000)
    parser.add_argument("--parts", default="1,2,3", help="which of parts 1-3 to run")
    parser.add_argument("--scale", type=int, default=0, help="only dedup this many generated docs")
    arguments = parser.parse_args()
    if arguments.scale:
        scale(arguments.scale)
        return
    parts = set(arguments.parts.split(","))
    if "1" in parts:
        throughput([document(i) for i in range(arguments.docs)])
    if "2" in parts:
        memory(arguments.memory_docs)
    if "3" in parts:
        index_throughput(arguments.index_docs, 5000)


if __name__ == "__main__":
    main()
