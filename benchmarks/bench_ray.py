"""The Ray engine against the local engine on the same generated corpus, on this machine.

    python benchmarks/bench_ray.py --mb 20 --workers 2

Writes a deterministic corpus (`benchmarks/corpus.py` when it is there, else a generator of
its own from the samples), cleans it with `run_batch` on the local engine and on the Ray
engine (a local Ray instance with `--workers` CPUs), checks that the outputs are the same
bytes, and prints MB/s and docs/s of both and their ratio. The Ray figures are given twice:
cold (starting Ray inside the timing, as `cleaner clean --engine ray` does) and warm (Ray
already running, as on a cluster). With `cleaner.dedup` installed it also times dedup of the
cleaned texts (local `deduplicate` against `deduplicate_on_ray`) and checks the clusters match.
Peak memory is the driver's (this process) resident high-water mark; Ray's worker processes
are not included. Results go to the screen and to `--results` (Markdown).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from cleaner.batch import BatchOptions, run_batch  # noqa: E402


def records(mb: float, seed: int) -> Iterator[dict]:
    try:
        from corpus import iter_records  # the benchmark harness's generator, when present
    except ImportError:
        yield from _sample_records(mb, seed)
    else:
        yield from iter_records(mb=mb, seed=seed)


def _sample_records(mb: float, seed: int) -> Iterator[dict]:
    """Documents cut from the sample inputs (every kind of noise the stages handle), shuffled
    by paragraph and with every eighth one a near-copy of an earlier one."""
    texts = []
    for path in sorted((HERE.parent / "samples" / "input").iterdir()):
        if path.suffix in (".txt", ".md"):
            texts.append(path.read_text(encoding="utf-8"))
        elif path.suffix == ".jsonl":
            texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line]
    produced, index, earlier = 0, 0, []
    while produced < mb * 1_000_000:
        rng = random.Random(f"bench-ray:{seed}:{index}")
        if earlier and rng.random() < 0.125:
            paragraphs = rng.choice(earlier).split("\n")
            del paragraphs[rng.randrange(len(paragraphs))]
        else:
            paragraphs = rng.choice(texts).split("\n")
            rng.shuffle(paragraphs)
            earlier.append("\n".join(paragraphs))
        text = "\n".join(paragraphs)
        produced += len(text.encode("utf-8"))
        yield {"id": f"doc-{index:07d}", "text": text}
        index += 1


def write_corpus(folder: Path, mb: float, seed: int, files: int) -> tuple[int, int]:
    folder.mkdir(parents=True)
    outputs = [(folder / f"part-{n:02d}.jsonl").open("w", encoding="utf-8") for n in range(files)]
    count = size = 0
    try:
        for record in records(mb, seed):
            outputs[count % files].write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
            size += len(record["text"].encode("utf-8"))
    finally:
        for output in outputs:
            output.close()
    return count, size


def tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*.jsonl")}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_clean(corpus: Path, out: Path, workers: int, engine=None) -> tuple[float, int]:
    started = time.perf_counter()
    summary = run_batch([corpus], out, options=BatchOptions(workers=workers), engine=engine)
    seconds = time.perf_counter() - started
    if not summary.ok:
        raise SystemExit(f"run failed: {summary.errors[:3]}")
    return seconds, summary.documents


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=20.0, help="corpus size (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--files", type=int, default=4, help="JSONL files to split it into")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--results", type=Path, default=HERE / "results" / "ray.md")
    args = parser.parse_args(argv)

    from cleaner.ray_engine import RayEngine, import_ray

    ray = import_ray()
    work = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    try:
        docs, size = write_corpus(work / "in", args.mb, args.seed, args.files)
        mb = size / 1e6
        rows = []

        def row(name: str, seconds: float, baseline: float | None) -> None:
            ratio = f"{baseline / seconds:.2f}" if baseline else "1.00"
            rows.append(
                f"| {name} | {seconds:.1f} | {mb / seconds:.2f} | {docs / seconds:.0f} | "
                f"{ratio} | {peak_mb():.0f} |"
            )
            print(rows[-1], flush=True)

        print(f"corpus: {docs} documents, {mb:.1f} MB in {args.files} JSONL files; "
              f"{args.workers} workers")  # fmt: skip
        header = "| run | seconds | MB/s | docs/s | speed vs local | driver peak RSS MB |"
        print(header)
        local_seconds, _ = timed_clean(work / "in", work / "local", args.workers)
        row("local engine", local_seconds, None)
        cold_seconds, _ = timed_clean(work / "in", work / "ray-cold", args.workers, RayEngine())
        row("ray engine, cold (starts Ray)", cold_seconds, local_seconds)
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        ray.init(
            num_cpus=args.workers,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.ERROR,
        )
        try:
            warm_seconds, _ = timed_clean(work / "in", work / "ray", args.workers, RayEngine())
            row("ray engine, warm (Ray running)", warm_seconds, local_seconds)
            same = tree(work / "local") == tree(work / "ray") == tree(work / "ray-cold")
            print(f"same output bytes: {'yes' if same else 'NO'}")
            dedup_rows = _dedup(work / "local", args.workers)
        finally:
            ray.shutdown()
        lines = [
            f"Command: `python benchmarks/bench_ray.py --mb {args.mb:g} --workers {args.workers}`",
            "",
            f"Corpus: {docs} documents, {mb:.1f} MB, {args.files} JSONL files.",
            "",
            header,
            "|---|---|---|---|---|---|",
            *rows,
            "",
            f"Same output bytes: {'yes' if same else 'NO'}.",
            *dedup_rows,
        ]
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"results: {args.results}")
        return 0 if same else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _dedup(cleaned: Path, workers: int) -> list[str]:
    try:
        from cleaner.dedup import DedupConfig, deduplicate
        from cleaner.ray_dedup import deduplicate_on_ray
    except ImportError:
        return []
    from cleaner.document import Document

    docs = [
        Document(record["id"], record["text"])
        for path in sorted(cleaned.glob("*.jsonl"))
        for record in map(json.loads, path.read_text(encoding="utf-8").splitlines())
    ]
    config = DedupConfig()
    started = time.perf_counter()
    local = deduplicate(docs, config, workers=workers)
    local_seconds = time.perf_counter() - started
    started = time.perf_counter()
    on_ray = deduplicate_on_ray(docs, config, workers=workers)
    ray_seconds = time.perf_counter() - started
    same = local.clusters == on_ray.clusters
    lines = [
        "",
        f"Dedup of the cleaned texts ({len(docs)} documents, {len(local.clusters)} clusters):",
        f"local {local_seconds:.1f} s ({len(docs) / local_seconds:.0f} docs/s), "
        f"Ray (warm) {ray_seconds:.1f} s ({len(docs) / ray_seconds:.0f} docs/s), "
        f"speed vs local {local_seconds / ray_seconds:.2f}; same clusters: "
        f"{'yes' if same else 'NO'}.",
    ]
    print("\n".join(lines[1:]))
    return lines


if __name__ == "__main__":
    sys.exit(main())
