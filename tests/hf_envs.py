"""The two transformers environments the export tests prove, and a client for tests/hf_loaders.py.

- the test Python itself: transformers 4.57.6, tokenizers 0.22.2 (pinned by pyproject's `test` extra);
- .venvs/transformers5: transformers 5.23.0, tokenizers 0.23.3, no cpmtok (tools/make_transformers5_env.sh).
A missing environment or another version is a failure that says how to build it, never a skip.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOADER_SCRIPT = Path(__file__).resolve().parent / "hf_loaders.py"
TRANSFORMERS5_PYTHON = ROOT / ".venvs" / "transformers5" / "bin" / "python"

# environment name -> (python, versions it must have)
ENVIRONMENTS = {
    "tf4": (Path(sys.executable), {"transformers": "4.57.6", "tokenizers": "0.22.2"}),
    "tf5": (TRANSFORMERS5_PYTHON, {"transformers": "5.23.0", "tokenizers": "0.23.3"}),
}
LOADERS = [("tf4", "auto"), ("tf4", "auto-slow"), ("tf4", "tokenizers"), ("tf4", "auto-remote"),
           ("tf5", "auto"), ("tf5", "tokenizers"), ("tf5", "auto-remote")]


def python_of(environment: str) -> Path:
    python, _ = ENVIRONMENTS[environment]
    if not python.exists():
        raise FileNotFoundError(
            f"{python} not found: the export tests need the transformers 5.23.0 environment. "
            "Build it with `bash tools/make_transformers5_env.sh` (.ci/run does)."
        )
    return python


class LoaderProcess:
    """One way of loading folders in one environment, kept running so hypothesis can ask it per example."""

    def __init__(self, environment: str, loader: str, scratch: Path) -> None:
        python = python_of(environment)
        scratch.mkdir(parents=True, exist_ok=True)
        env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
        env.update(HF_HOME=str(scratch / "hf_home"), HF_HUB_OFFLINE="1", TRANSFORMERS_VERBOSITY="error",
                   CPM_TOKENIZER_CACHE=str(scratch / "jieba_cache"), PYTHONIOENCODING="utf-8")
        self.environment = environment
        self.description = f"{loader} in {environment} ({python})"
        self.log = scratch / f"{environment}-{loader}.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [str(python), str(LOADER_SCRIPT), loader], cwd=scratch, env=env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, encoding="utf-8",
            )
        self.versions: dict[str, Optional[str]] = {}
        self.cpmtok_importable: Optional[bool] = None

    def wait_ready(self) -> "LoaderProcess":
        ready = self._read()
        self.versions = ready["versions"]
        self.cpmtok_importable = ready["cpmtok_importable"]
        _, pins = ENVIRONMENTS[self.environment]
        for package, version in pins.items():
            if self.versions[package] != version:
                raise AssertionError(f"{self.description}: {package} {self.versions[package]}, expected {version}")
        return self

    def _read(self) -> dict[str, Any]:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.description} died (exit {self.process.wait()}):\n"
                               + self.log.read_text(errors="replace")[-3000:])
        return json.loads(line)

    def ask(self, folder: Path, texts: list[str], *, special: bool, decode: bool = False,
            skip_special: bool = True) -> dict[str, Any]:
        """{"class": name, "ids": [ids or {"error": name}], "decoded": [str or None]} for each text."""
        request = {"folder": str(folder), "texts": texts, "special": special, "decode": decode,
                   "skip_special": skip_special}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.terminate()
            self.process.wait(timeout=60)


@pytest.fixture(scope="session")
def hf_loaders(tmp_path_factory):
    """Every (environment, loader) of LOADERS as a running process, started side by side."""
    scratch = tmp_path_factory.mktemp("hf_loaders")
    processes = {key: LoaderProcess(*key, scratch) for key in LOADERS}
    try:
        for process in processes.values():
            process.wait_ready()
        yield processes
    finally:
        for process in processes.values():
            process.close()
