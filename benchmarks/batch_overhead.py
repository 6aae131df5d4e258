"""What the batch machinery costs and what the workers buy: `run_batch` against the naive loop
(read JSONL, clean each document, write JSONL) on the same generated corpus, in one run.

    python benchmarks/batch_overhead.py --mb 20 --stages unicode
    python benchmarks/batch_overhead.py --mb 5            # every stage

Prints MB/s, documents/s and the ratio to the naive loop for the loop, one worker and all
cores, the peak memory of this process and of its workers, and checks that every way gives
the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import tempfile
import time
from pathlib import Path

from cleaner import BatchOptions, Document, Pipeline, PipelineSettings, run_batch

PARAGRAPHS = [
    "The mayor  said on Monday that the bridge over the river would reopen in spring.",
    "Residents were told to stay indoors\u00a0while crews repaired the power lines.",
    "Le conseil municipal a voté mardi un budget de 4 millions d’euros pour les écoles.",
    "Die Regierung kündigte an, die Hilfen für die betroffenen Regionen zu verlängern.",
    "Міська рада заявила, що ремонт мосту завершиться до кінця року.",
    "Власти города сообщили, что движение по мосту будет открыто весной.",
    "The cityâ€™s council met on Tuesday &amp; approved the plan.",
    "Officials said the talks would resume next week.  ",
]


def make_corpus(path: Path, megabytes: float, seed: int = 0) -> int:
    rng = random.Random(seed)
    written = documents = 0
    with path.open("w", encoding="utf-8") as stream:
        while written < megabytes * 1e6:
            text = "\n\n".join(rng.choice(PARAGRAPHS) for _ in range(rng.randint(4, 14)))
            line = json.dumps(
                {"id": documents, "text": text, "source": "bench"}, ensure_ascii=False
            )
            stream.write(line + "\n")
            written += len(line.encode()) + 1
            documents += 1
    return documents


def naive_loop(source: Path, target: Path, settings: PipelineSettings) -> None:
    pipeline = Pipeline(settings)
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for line in lines:
            record = json.loads(line)
            record["text"] = pipeline(Document(id=str(record["id"]), text=record["text"])).text
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=20.0, help="corpus size in MB")
    parser.add_argument("--stages", default=None, help="comma-separated stages (default: all)")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each way; the fastest counts (noisy hosts)"
    )
    arguments = parser.parse_args()
    stages = arguments.stages.split(",") if arguments.stages else None
    settings = PipelineSettings.build(stages=stages)
    folder = Path(tempfile.mkdtemp(prefix="cleaner-bench-"))
    try:
        corpus = folder / "in" / "corpus.jsonl"
        corpus.parent.mkdir()
        documents = make_corpus(corpus, arguments.mb)
        size = corpus.stat().st_size / 1e6
        print(f"corpus: {size:.1f} MB, {documents} documents, stages {settings.stages}")
        results: dict[str, float] = {}
        ways = {"naive loop": lambda: naive_loop(corpus, folder / "naive.jsonl", settings)}
        for workers in sorted({1, arguments.workers}):
            ways[f"run_batch, {workers} worker(s)"] = lambda workers=workers: run_batch(
                [corpus.parent], folder / f"out{workers}", settings, BatchOptions(workers=workers)
            )
        for _ in range(arguments.repeat):
            for name, way in ways.items():
                started = time.perf_counter()
                way()
                seconds = time.perf_counter() - started
                results[name] = min(seconds, results.get(name, seconds))
        baseline = results["naive loop"]
        for workers in sorted({1, arguments.workers}):
            same = (folder / f"out{workers}" / "corpus.jsonl").read_bytes() == (
                folder / "naive.jsonl"
            ).read_bytes()
            assert same, f"{workers} worker(s) wrote other bytes than the naive loop"
        for name, seconds in results.items():
            print(
                f"{name:24} {seconds:7.2f} s  {size / seconds:6.2f} MB/s  "
                f"{documents / seconds:8.0f} docs/s  x{baseline / seconds:.2f} vs naive"
            )
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory: this process {own:.0f} MB, largest worker {workers_peak:.0f} MB")
        print("outputs: byte-identical for the naive loop and every worker count")
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
