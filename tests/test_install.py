"""A real install: the wheel, built from this checkout, in a fresh venv in a temporary directory with no ../shared,
HOME and the Hugging Face cache in temporary directories holding the vocabularies under their upstream names
(refs/main, blobs, snapshot symlinks): every preset gives the golden ids with no setup step, nothing is written
next to the package, `import cpmtok` works from the parent of a clone named cpmtok, and the CLI's errors are
one line with exit code 2.

The venv sees the system site-packages for cpmtok's dependencies (numpy, regex, sentencepiece, jieba; no
network in tests), and the test proves `cpmtok` itself is imported from the venv's wheel install.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

import gpt2_chinese_reference
from corpus import GOLDEN_DIR, SHARED, all_corpus_texts, corpus_files
from cpmtok.presets import PRESETS
from test_vocab_registry import hf_snapshot

ROOT = Path(__file__).resolve().parent.parent
VOCAB = SHARED / "vocab"
# preset -> golden set (None: no golden set has its flags; the live reference gives its ids)
GOLDEN = {"bert-base-chinese": "bert-base-chinese/hf_fast", "clue-small": "clue-small/hf_fast",
          "uer-gpt2-chinese": None, "uer-py": "bert-base-chinese/google",
          "gpt2-chinese": "gpt2-chinese-21128/gpt2_chinese", "gpt2-chinese-small": None,
          "gpt2-ml": "clue-small/google", "gpt2-quickly": "clue-small/hf_slow", "cpm": "cpm/cpm_generate",
          "cpm-v0": "cpm-v0/cpm_v0"}
# The Hugging Face cache a user might have: files under their upstream names. Which spiece.model revision each
# real repository holds is not known here, so the two CPM models sit in two snapshots: lookup is by content.
HF_LAYOUT = [("google-bert/bert-base-chinese", "a1", {"vocab.txt": "bert-base-chinese-vocab-21128.txt"}, True),
             ("mymusise/gpt2-medium-chinese", "b1", {"vocab.txt": "clue-vocab-8021.txt"}, True),
             ("TsinghuaAI/CPM-Generate", "c2", {"spiece.model": "cpm-chinese_vocab.model"}, True),
             ("TsinghuaAI/CPM-Generate", "c1", {"spiece.model": "cpm-chinese_vocab.v0.model"}, False)]


def test_every_preset_has_its_golden_set():
    assert set(GOLDEN) == set(PRESETS)


def _build_wheel(out: Path) -> Path:
    """`pip wheel` on a copy of the checkout (building in place would leave build/ and egg-info behind)."""
    source = out / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venvs", "vocab", "__pycache__", ".hypothesis", "build", "dist", "*.egg-info", "benchmarks"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(out / "dist"), str(source)], check=True, capture_output=True)
    (wheel,) = (out / "dist").glob("cpmtok-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(run, env, cwd): a venv with the wheel installed, an environment pointing at empty temp homes."""
    root = tmp_path_factory.mktemp("install")
    wheel = _build_wheel(root)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "cpmtok/registry.json" in names and "cpmtok/bert/tables/hf_fast.json" in names
    assert not [n for n in names if n.endswith((".model", "vocab.txt")) or "/vocab/" in n]
    venv_dir = root / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(venv_dir)
    python = venv_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--ignore-installed", "--no-index", str(wheel)], check=True, capture_output=True)
    home, hf = root / "home", root / "home" / "hf-hub"
    for repo, revision, files, main in HF_LAYOUT:
        hf_snapshot(hf, repo, revision, {name: VOCAB / shared for name, shared in files.items()}, main=main)
    own_vocab = root / "mine"  # files published on GitHub only, under their upstream names
    own_vocab.mkdir()
    for shared, upstream in [("cpm-vocab.json", "vocab.json"), ("gpt2-chinese-vocab-21128.txt", "vocab.txt"),
                             ("gpt2-chinese-vocab-small-13317.txt", "vocab_small.txt")]:
        shutil.copyfile(VOCAB / shared, own_vocab / upstream)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("CPMTOK_", "HF_", "XDG_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), HF_HUB_CACHE=str(hf), CPMTOK_VOCAB_DIR=str(own_vocab), PYTHONNOUSERSITE="1",
               PATH=f"{venv_dir / 'bin'}{os.pathsep}{os.environ['PATH']}")
    clone_parent = root / "work"  # the parent of a clone named cpmtok: its folder must not shadow the package
    (clone_parent / "cpmtok" / "cpmtok").mkdir(parents=True)
    (clone_parent / "cpmtok" / "pyproject.toml").write_text("")

    def run(*args: str, input: str | None = None, **env_overrides: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(python), *args], env={**env, **env_overrides}, cwd=clone_parent,
                              capture_output=True, text=True, input=input)

    site = Path(run("-c", "import cpmtok, os; print(os.path.dirname(cpmtok.__file__))").stdout.strip())
    before = sorted(p.relative_to(site) for p in site.rglob("*") if "__pycache__" not in p.parts)
    yield run, root, site, home
    after = sorted(p.relative_to(site) for p in site.rglob("*") if "__pycache__" not in p.parts)
    assert after == before, "cpmtok wrote next to the installed package"


def _live(preset: str, texts: list[str]) -> list[list[int]]:
    """Ids from the live reference of a preset no golden set covers."""
    if preset == "gpt2-chinese-small":
        return gpt2_chinese_reference.reference(VOCAB / "gpt2-chinese-vocab-small-13317.txt").ids_of(texts)
    from transformers import BertTokenizerFast

    uer = BertTokenizerFast(str(VOCAB / "bert-base-chinese-vocab-21128.txt"), do_lower_case=False)
    return uer(texts, add_special_tokens=False)["input_ids"]


def _expected(chosen: dict[str, int], texts: list[str]) -> dict[str, list[list[int]]]:
    """Golden ids of the chosen records per preset; the others' from their live references."""
    expected = {preset: [] for preset in GOLDEN}
    for preset, golden in GOLDEN.items():
        if golden is None:
            expected[preset] = _live(preset, texts)
            continue
        for name, count in chosen.items():
            expected[preset] += golden_prefix(golden, name, count)
    return expected


def golden_prefix(golden_set: str, corpus_file: str, count: int) -> list[list[int]]:
    """The golden ids of a corpus file's first `count` records (reads no further)."""
    with gzip.open(GOLDEN_DIR / golden_set / (corpus_file + ".gz"), "rt", encoding="utf-8") as f:
        return [json.loads(line)["ids"] for line in itertools.islice(f, count)]


def _check_presets(installed, per_file: int, workers: int = 1) -> None:
    """The first `per_file` records of each corpus file, every preset, against the golden ids (one process)."""
    run, root, site, home = installed
    chosen = {path.name: 0 for path in corpus_files()}
    texts = []
    for name, index, text in all_corpus_texts():
        if index < per_file:
            chosen[name] += 1
            texts.append(text)
    request, answer = root / f"request-{per_file}.json", root / f"answer-{per_file}.json"
    request.write_text(json.dumps({"presets": sorted(PRESETS), "texts": texts, "workers": workers}), encoding="utf-8")
    probe = run(str(Path(__file__).with_name("install_probe.py")), str(request), str(answer))
    assert probe.returncode == 0, probe.stderr
    result = json.loads(answer.read_text(encoding="utf-8"))
    assert result["cpmtok_file"].startswith(str(site)), result["cpmtok_file"]
    assert result["errors"] == {}
    expected = _expected(chosen, texts)
    for preset in sorted(PRESETS):
        got = result["ids"][preset]
        differing = [i for i, (a, b) in enumerate(zip(got, expected[preset])) if a != b]
        assert len(got) == len(expected[preset]) and not differing, f"{preset}: records {differing[:5]} differ"
    assert list((home / ".cache" / "cpmtok" / "jieba").glob("jieba-tables-*")), "jieba tables not in the user cache"


def test_every_preset_gives_golden_ids_from_the_hf_cache_with_no_setup(installed):
    _check_presets(installed, per_file=15)


@pytest.mark.slow
def test_whole_corpus_every_preset_from_a_wheel_install(installed):
    _check_presets(installed, per_file=10**9, workers=2)


def test_cli_in_the_installed_package(installed):
    run, root, site, home = installed
    encoded = run("-m", "cpmtok.cli", "encode", "-t", "uer-gpt2-chinese", "--lines", input="Hello World 今天\n")
    assert encoded.returncode == 0 and json.loads(encoded.stdout) == {"ids": [100, 100, 791, 1921]}
    placed = run("-m", "cpmtok.cli", "setup", "clue-small")
    assert placed.returncode == 0 and str(home / ".cache" / "cpmtok" / "vocab") in placed.stdout
    empty = {"CPMTOK_VOCAB_DIR": str(root / "nowhere"), "HF_HUB_CACHE": str(root / "nowhere"),
             "CPMTOK_HOME": str(root / "nowhere")}
    (root / "json-only").mkdir(exist_ok=True)  # a folder with CPM-Generate's vocab.json and no model
    shutil.copyfile(root / "mine" / "vocab.json", root / "json-only" / "vocab.json")
    for args in (["encode", "-t", "no/such-model", "--lines"], ["setup", "--from", str(root / "nowhere"), "cpm-v0"],
                 ["encode", "-t", "cpm", "--lines"], ["encode", "-t", str(root / "json-only"), "--lines"]):
        failed = run("-m", "cpmtok.cli", *args, input="x\n", **empty)
        assert failed.returncode == 2 and failed.stderr.startswith("cpmtok: error: "), (args, failed.stderr)
        assert "Traceback" not in failed.stderr and len(failed.stderr.strip().splitlines()) == 1, failed.stderr
