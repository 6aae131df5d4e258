"""Parts of benchmarks/run.py that the full benchmark relies on, on tiny inputs."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import run  # noqa: E402


def test_machine_scaling_gives_one_speed_up_per_round():
    speed_ups = run.time_machine_scaling(2, rounds=2, steps=50_000)
    assert len(speed_ups) == 2
    # Two copies at once are never more than twice as fast as one, give or take timer noise.
    assert all(0.2 < speed_up < 3.0 for speed_up in speed_ups)
