"""Corpus-wide checks of the pipeline (slow): the megatron output equals the golden ids on the whole shared corpus,
read by our MMIDIDX reader and by Megatron-Core's own IndexedDataset; a 100 MB JSONL encodes in under 400 MB."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cpmtok
from corpus import corpus_files, corpus_texts, golden_ids
from cpmtok.corpus import IndexedDocuments

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name, golden", [("cpm", "cpm/cpm_generate"), ("cpm-v0", "cpm-v0/cpm_v0"),
                                          ("bert-base-chinese", "bert-base-chinese/hf_fast"),
                                          ("gpt2-ml", "clue-small/google")])
def test_megatron_output_is_the_golden_ids_on_the_whole_corpus(tmp_path, name, golden):
    from megatron.core.datasets.indexed_dataset import IndexedDataset

    files = corpus_files()
    out = tmp_path / "corpus"
    subprocess.run([sys.executable, "-m", "cpmtok.cli", "encode", "-t", name, *map(str, files), "--format",
                    "megatron", "-o", str(out), "--workers", "2", "--quiet"], check=True, cwd=ROOT,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    expected = [ids for path in files for ids in golden_ids(golden, path.name)]
    ours, theirs = IndexedDocuments(out), IndexedDataset(str(out))
    assert len(ours) == len(theirs) == len(expected) == 54604
    assert all(ours[i].tolist() == ids for i, ids in enumerate(expected))
    assert all(theirs[i].tolist() == ids for i, ids in enumerate(expected))


def test_100_mb_jsonl_in_under_400_mb_with_the_ids_of_encode_batch(tmp_path):
    """Peak RSS of the run (the main process; each worker is measured apart by the kernel too), no timing."""
    texts = [text for path in corpus_files() for text in corpus_texts(path)]
    block = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts).encode()
    copies = -(-100_000_000 // len(block))
    source = tmp_path / "big.jsonl"
    with open(source, "wb") as f:
        for _ in range(copies):
            f.write(block)
    assert source.stat().st_size >= 100_000_000
    out = tmp_path / "big"
    command = [sys.executable, "-m", "cpmtok.cli", "encode", "-t", "bert-base-chinese", str(source), "--format",
               "megatron", "-o", str(out), "--workers", "2", "--quiet"]
    # A small wrapper runs it: a child forked from this (large) test process would count our pages until exec.
    wrapper = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    peak = subprocess.run([sys.executable, "-c", wrapper, *command], cwd=ROOT, capture_output=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    assert int(peak) * 1024 < 400e6, f"peak RSS {int(peak) / 1024:.0f} MB"
    expected = [e.ids for e in cpmtok.load("bert-base-chinese").encode_batch(texts, workers=2)]
    documents = IndexedDocuments(out)
    assert len(documents) == copies * len(texts)
    for copy in range(copies):
        start = copy * len(texts)
        assert all(documents[start + i].tolist() == ids for i, ids in enumerate(expected)), copy
