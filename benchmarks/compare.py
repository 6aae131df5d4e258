"""Whether a change made the stages faster, on a machine whose speed drifts.

    python benchmarks/compare.py BASE [--docs 4000] [--rounds 3] [--reference langid]

On the 2-core machine the benchmarks run on, speeds measured minutes apart differ by up to a
quarter at the same load, so two runs of `run.py` cannot tell a 10% gain from noise. This
script exports the git revision BASE to a temporary folder and times it and the working tree
alternately (in turn first), `--rounds` times each, the way `run.py` times one core (each stage fed the previous
stages' output, 100 documents at a time, after a warm-up), on the first `--docs` documents of
the benchmark corpus. Each process also times `--reference`, a stage the change left alone:
dividing every stage's speed by the reference's speed in the same process cancels most of the
drift. It prints each round's MB/s (CPU time) and, per stage, the median of the working tree's
speed over BASE's, raw and relative to the reference.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS.parent))
sys.path.insert(0, str(BENCHMARKS))

import corpus  # noqa: E402
from run import PIPELINE  # noqa: E402

from cleaner.stages import REGISTRY  # noqa: E402

# Run inside the tree being measured, with that tree's `cleaner` and `benchmarks/run.py`.
MEASURE = """
import contextlib, itertools, json, sys
tree, corpus_file, docs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path[:0] = [tree, tree + "/benchmarks"]
import run
from cleaner import pipeline
from cleaner.stages import REGISTRY
with open(corpus_file, encoding="utf-8") as lines:
    records = [json.loads(line) for line in itertools.islice(lines, docs)]
cleaning = pipeline.Pipeline(stages=list(REGISTRY))
run.time_stages_one_core(cleaning, records[: run.WARM_UP_DOCS])
getattr(cleaning, "warm_up", lambda: None)()
spared = getattr(pipeline, "garbage_collection_spared", contextlib.nullcontext)
with spared():
    timings = run.time_stages_one_core(cleaning, records)
print(json.dumps({name: timing.mb_per_s(timing.cpu) for name, timing in timings.items()}))
"""


def export(revision: str, folder: Path) -> Path:
    """The files of `revision` (a git revision of this repository) in `folder`."""
    archive = folder / "base.tar"
    subprocess.run(
        ["git", "archive", "--format=tar", "-o", str(archive), revision],
        cwd=BENCHMARKS.parent,
        check=True,
    )
    tree = folder / "base"
    with tarfile.open(archive) as files:
        files.extractall(tree, filter="data")
    return tree


def measure(tree: Path, corpus_file: Path, docs: int) -> dict[str, float]:
    """MB/s (CPU time) of every stage and of the pipeline, in a fresh process on `tree`."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(tree), str(corpus_file), str(docs)],
        cwd=tree,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"measuring {tree} failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout.splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="git revision to compare the working tree with")
    parser.add_argument("--docs", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reference", default="langid", help="a stage the change left alone")
    parser.add_argument("--corpus", type=Path, help="default: the 100 MB benchmark corpus")
    args = parser.parse_args(argv)
    if args.reference not in (*REGISTRY, PIPELINE):
        parser.error(f"--reference {args.reference!r} is not a stage ({', '.join(REGISTRY)})")
    if args.rounds < 1 or args.docs < 1:
        parser.error("--rounds and --docs must be at least 1")
    corpus_dir = args.corpus
    if corpus_dir is None:
        default = corpus.default_dir(mb=corpus.DEFAULT_MB, docs=None, seed=0)
        corpus_dir = corpus.ensure_corpus(default, mb=corpus.DEFAULT_MB, seed=0)
    elif not (corpus_dir / "corpus.jsonl").exists():
        parser.error(f"{corpus_dir}: no corpus.jsonl (write one with benchmarks/corpus.py)")
    corpus_file = (corpus_dir / "corpus.jsonl").resolve()
    runs: dict[str, list[dict[str, float]]] = {"base": [], "new": []}
    with tempfile.TemporaryDirectory(prefix="cleaner-compare-") as folder:
        trees = {"base": export(args.base, Path(folder)), "new": BENCHMARKS.parent}
        for number in range(1, args.rounds + 1):
            # Which tree goes first alternates, so that a drift during a round favours neither.
            order = ["base", "new"] if number % 2 else ["new", "base"]
            for name in order:
                speeds = measure(trees[name], corpus_file, args.docs)
                runs[name].append(speeds)
                figures = " ".join(f"{stage} {mb:.1f}" for stage, mb in speeds.items())
                print(f"round {number} {name:4s} MB/s: {figures}", flush=True)

    stages = [stage for stage in runs["new"][0] if stage in runs["base"][0]]
    if args.reference not in stages:
        parser.error(f"--reference {args.reference!r} was not measured in {args.base}")
    print(f"\nmedian over {args.rounds} rounds; relative: each stage over {args.reference}")
    print(f"{'stage':12s} {'base MB/s':>9s} {'new MB/s':>9s} {'new/base':>9s} {'relative':>9s}")
    for stage in stages:
        pairs = list(zip(runs["base"], runs["new"], strict=True))
        raw = statistics.median(new[stage] / base[stage] for base, new in pairs)
        relative = statistics.median(
            (new[stage] / new[args.reference]) / (base[stage] / base[args.reference])
            for base, new in pairs
        )
        base_speed = statistics.median(run[stage] for run in runs["base"])
        new_speed = statistics.median(run[stage] for run in runs["new"])
        print(f"{stage:12s} {base_speed:9.2f} {new_speed:9.2f} {raw:9.3f} {relative:9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
