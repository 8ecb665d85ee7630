"""GPT2-Chinese's own tokenizer, run live: the reference of the gpt2-chinese dialect.

The code is Morizeyao/GPT2-Chinese@bbb4465 `tokenizations/tokenization_bert.py` (MIT), kept with its
runner in ../shared/golden/tools/gpt2_chinese/. It subclasses transformers 2.1.1's PreTrainedTokenizer,
which tools/make_gpt2_chinese_env.sh installs into .venvs/gpt2-chinese (.ci/run does). 2.1.1 must not
shadow the transformers 4.57.6 of the tests, so the tokenizer runs in a child process that has only that
folder on its path; `character_module()` imports just the file's character functions here (the
superclass stubbed while it imports), for tools/make_bert_tables.py.

A missing runner or environment is a failure that says how to get it, never a skip.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
import types
from functools import lru_cache
from pathlib import Path
from typing import Optional

from corpus import GOLDEN_DIR

ROOT = Path(__file__).resolve().parent.parent
RUNNER_DIR = GOLDEN_DIR / "tools" / "gpt2_chinese"
RUNNER = RUNNER_DIR / "gpt2_chinese_ref.py"
TOKENIZATION_FILE = RUNNER_DIR / "tokenization_bert.py"
TRANSFORMERS_2_1_1 = ROOT / ".venvs" / "gpt2-chinese" / "transformers-2.1.1"
# the golden ids were made with PYTHONHASHSEED=0: a whitespace-only text becomes the first special
# token of a set's iteration order, which is [UNK] under that seed (the dialect always gives [UNK])
HASH_SEED = "0"


def _require() -> None:
    if not RUNNER.is_file() or not TOKENIZATION_FILE.is_file():
        raise FileNotFoundError(f"GPT2-Chinese's tokenizer and runner not found in {RUNNER_DIR}: the tests need "
                                "../shared beside the checkout (or CPMTOK_SHARED_DIR pointing at it)")
    if not (TRANSFORMERS_2_1_1 / "transformers" / "tokenization_utils.py").is_file():
        raise FileNotFoundError(f"{TRANSFORMERS_2_1_1} has no transformers 2.1.1: build it with "
                                "`bash tools/make_gpt2_chinese_env.sh` (.ci/run does)")


class Gpt2ChineseReference:
    """One live GPT2-Chinese BertTokenizer(vocab_file) in a child process, asked one text at a time.

    `train=True` applies train.py's `text.replace('\\n', ' [SEP] ')` before tokenizing.
    """

    def __init__(self, vocab_path: Path, *, train: bool = False) -> None:
        _require()
        env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
        env.update(PYTHONHASHSEED=HASH_SEED, PYTHONIOENCODING="utf-8")
        command = [sys.executable, "-u", str(RUNNER), str(TRANSFORMERS_2_1_1), str(vocab_path)]
        self.process = subprocess.Popen(command + (["--train"] if train else []), env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def ids(self, text: str) -> list[int]:
        return self.ids_of([text])[0]

    def ids_of(self, texts: list[str]) -> list[list[int]]:
        """Ids of each text; a thread writes the texts while this one reads the answers (long texts fill both
        pipes, so writing all before reading would deadlock)."""
        def write() -> None:
            for text in texts:
                self.process.stdin.write(json.dumps({"text": text}) + "\n")
            self.process.stdin.flush()

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        answers = [self._read() for _ in texts]
        writer.join()
        return answers

    def _read(self) -> list[int]:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the GPT2-Chinese reference died (exit {self.process.wait()}); see stderr above")
        return json.loads(line)["ids"]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=60)


_references: dict[tuple[str, bool], Gpt2ChineseReference] = {}


def reference(vocab_path: Path, *, train: bool = False) -> Gpt2ChineseReference:
    """The shared running reference for this vocabulary and mode (started on first use)."""
    key = (str(vocab_path), train)
    if key not in _references:
        _references[key] = Gpt2ChineseReference(vocab_path, train=train)
    return _references[key]


@lru_cache(maxsize=1)
def character_module() -> types.ModuleType:
    """tokenization_bert.py imported here for its character functions and BasicTokenizer.

    Its one import from transformers (the PreTrainedTokenizer base class) is stubbed only while the
    file executes, so the transformers of this interpreter stays untouched.
    """
    _require()
    stub = types.ModuleType("transformers.tokenization_utils")
    stub.PreTrainedTokenizer = type("PreTrainedTokenizer", (), {})
    saved: Optional[types.ModuleType] = sys.modules.get("transformers.tokenization_utils")
    sys.modules["transformers.tokenization_utils"] = stub
    try:
        spec = importlib.util.spec_from_file_location("gpt2_chinese_tokenization_bert", TOKENIZATION_FILE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            sys.modules.pop("transformers.tokenization_utils", None)
        else:
            sys.modules["transformers.tokenization_utils"] = saved
    return module
