"""cpmtok's CPM ids do not depend on process-wide state: jieba edits, the hash seed, jieba's temp cache.

Each check runs in a subprocess, so the jieba edits cannot poison other tests.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SAMPLE = """
import sys
sys.path.insert(0, "tests")
from corpus import corpus_files, corpus_texts
texts = [t for p in corpus_files() for t in corpus_texts(p)[:40]] + ["今天天气不错", "结婚的和尚未结婚的", "天气 不错\\n"]
"""

JIEBA_EDITS = SAMPLE + """
import json, os, tempfile
import cpmtok
from cpm_references import jieba_words
tokenizers = [cpmtok.load("cpm"), cpmtok.load("cpm-v0")]
before = [[t.encode_ids(x) for x in texts] for t in tokenizers]
untouched_tmp = os.listdir(tempfile.gettempdir()) == []
import jieba
jieba.setLogLevel(60)
reference_before = list(jieba.cut("今天天气不错"))
jieba.add_word("天天气", 10**8)
jieba.suggest_freq(("天", "气"), tune=True)
jieba.del_word("不错")
jieba.del_word("结婚")
with open(os.path.join(tempfile.gettempdir(), "user.txt"), "w", encoding="utf-8") as f:
    f.write("的和 100000000\\n尚未结 100000000 n\\n")
jieba.load_userdict(os.path.join(tempfile.gettempdir(), "user.txt"))
reference_after = list(jieba.cut("今天天气不错"))
after = [[t.encode_ids(x) for x in texts] for t in tokenizers]
fresh = [[t.encode_ids(x) for x in texts] for t in (cpmtok.load("cpm"), cpmtok.load("cpm-v0"))]
print(json.dumps({"edits_took_effect": reference_before != reference_after, "untouched_tmp": untouched_tmp,
                  "same_after": before == after, "same_fresh": before == fresh}))
"""

IDS_DIGEST = SAMPLE + """
import hashlib, json
import cpmtok
tokenizers = [cpmtok.load("cpm"), cpmtok.load("cpm-v0")]
print(hashlib.sha256(json.dumps([[t.encode_ids(x) for x in texts] for t in tokenizers]).encode()).hexdigest())
"""


def run(script: str, **env: str) -> str:
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_process_wide_jieba_edits_do_not_change_ids():
    with tempfile.TemporaryDirectory() as tmp:
        report = json.loads(run(JIEBA_EDITS, TMPDIR=tmp))
    assert report["edits_took_effect"], "the jieba edits should change jieba.cut (else the test proves nothing)"
    assert report["untouched_tmp"], "cpmtok wrote into the temp directory (jieba's shared cache?)"
    assert report["same_after"] and report["same_fresh"]


def test_ids_do_not_depend_on_the_hash_seed():
    assert run(IDS_DIGEST, PYTHONHASHSEED="1") == run(IDS_DIGEST, PYTHONHASHSEED="2")
