from pathlib import Path

import pytest

from cleaner.rules import shipped_rules_dir

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def rules_dir() -> Path:
    return shipped_rules_dir()


@pytest.fixture(scope="session")
def ray_instance():
    """One local Ray instance for the whole test session (starting Ray takes seconds)."""
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'cleaner[ray]')")
    pytest.importorskip("ray.data", reason="Ray Data is not installed (pip install 'cleaner[ray]')")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()
