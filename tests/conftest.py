from pathlib import Path

import pytest

from cleaner.rules import shipped_rules_dir

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def rules_dir() -> Path:
    return shipped_rules_dir()
