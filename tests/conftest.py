import sys
from pathlib import Path

import pytest

# test helper modules (corpus, references, budget) import by name
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpmtok  # noqa: E402


@pytest.fixture(scope="session")
def bert():
    """The bert-base-chinese preset (hf-fast), shared by the decode and round-trip tests."""
    return cpmtok.load("bert-base-chinese")


@pytest.fixture(scope="session")
def cpm():
    """The cpm preset, shared by the decode and round-trip tests."""
    return cpmtok.load("cpm")
