"""The shared corpus and its golden ids (../shared), for tests and benchmarks.

Missing data is a failure with a clear message, never a skip: CI has ../shared beside the clone.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CPMTOK_SHARED_DIR", ROOT.parent / "shared"))
CORPUS_DIR = SHARED / "corpus"
GOLDEN_DIR = SHARED / "golden"


def _require(path: Path, what: str) -> Path:
    if not path.exists():
        raise FileNotFoundError(
            f"{what} not found at {path}. The tests need ../shared beside the checkout "
            "(or CPMTOK_SHARED_DIR pointing at it)."
        )
    return path


def corpus_files() -> list[Path]:
    files = sorted(_require(CORPUS_DIR, "the shared corpus").glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"no *.jsonl in {CORPUS_DIR}")
    return files


def corpus_texts(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f]


def all_corpus_texts() -> Iterator[tuple[str, int, str]]:
    """(file name, record index, text) for every record of the shared corpus."""
    for path in corpus_files():
        for index, text in enumerate(corpus_texts(path)):
            yield path.name, index, text


def golden_ids(golden_set: str, corpus_file: str) -> list[list[int]]:
    """Reference ids of every record of one corpus file; golden_set like 'cpm/cpm_generate'."""
    path = _require(GOLDEN_DIR / golden_set / (corpus_file + ".gz"), f"golden ids {golden_set}")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line)["ids"] for line in f]
