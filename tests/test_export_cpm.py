"""Exported CPM folders give CPM-Generate's ids through `AutoTokenizer(..., trust_remote_code=True)` in
transformers 4.57.6 and 5.23.0 (the latter an environment without cpmtok), equal to cpmtok and to the
golden ids; and the tokenizer module itself behaves as its README says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cpmtok
from budget import examples
from corpus import corpus_files, corpus_texts, golden_ids
from cpmtok.export import export
from hf_envs import hf_loaders  # noqa: F401 (fixture)

GOLDEN = {"cpm": "cpm/cpm_generate", "cpm-v0": "cpm-v0/cpm_v0"}
CPM_LOADERS = [("tf4", "auto-remote"), ("tf5", "auto-remote")]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("cpm_export")
    for name in GOLDEN:
        export(name, root / name)
    return root


@pytest.fixture(scope="module")
def tokenizers():
    return {name: cpmtok.load(name) for name in GOLDEN}


def _expected(tokenizer, text: str):
    try:
        return tokenizer.encode_ids(text)
    except (TypeError, ValueError, UnicodeError, RuntimeError):
        return "error"


def _check(hf_loaders, folders, tokenizers, texts: list[str]) -> None:
    for name, tokenizer in tokenizers.items():
        for loader in CPM_LOADERS:
            for special in (False, True):  # nothing is appended either way
                answer = hf_loaders[loader].ask(folders / name, texts, special=special, decode=True,
                                                   skip_special=False)  # CPM-Generate's decode skips nothing
                assert answer["class"] == "CpmGenerateTokenizer"
                for text, ids, decoded in zip(texts, answer["ids"], answer["decoded"]):
                    got = "error" if isinstance(ids, dict) else ids
                    assert got == _expected(tokenizer, text), (name, loader, special, text)
                    if got != "error":
                        assert decoded == tokenizer.decode(ids, style="reference"), (name, loader, "decode", ids)


def test_known_texts(hf_loaders, folders, tokenizers):
    _check(hf_loaders, folders, tokenizers, [
        "", "今天天气不错", "你好～\n\n  世界 <eod><unk>[SEP] ▂▃▄", "\r\n\t\u3000\u00a0end ", "😀👍🏽 e\u0301",
        "\ud800", "CPM-LM 2.6B：一个中文预训练语言模型。",
    ])


def test_the_folder_works_without_cpmtok(hf_loaders, folders):
    """The transformers 5 environment has no cpmtok; its loads give the golden ids."""
    process = hf_loaders[("tf5", "auto-remote")]
    assert process.cpmtok_importable is False
    path = corpus_files()[0]
    texts = corpus_texts(path)[:50]
    for name, golden_set in GOLDEN.items():
        assert process.ask(folders / name, texts, special=True)["ids"] == golden_ids(golden_set, path.name)[:50]


FRAGMENTS = st.one_of(
    st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=12),
    st.text(st.sampled_from("的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会"),
            min_size=1, max_size=12),
    st.text(st.sampled_from("abcXYZ0123456789 ,.!?'-:;()（），。！？：；“”～·—…%\t\n\r\u3000\u00a0▂▃▄"), max_size=10),
    st.sampled_from(["<eod>", "<unk>", "<s>", "</s>", "<sep>", "<cls>", "<pad>", "<mask>", "  ", "\r\n"]),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=6),
)
TEXTS = st.lists(FRAGMENTS, max_size=8).map("".join)


@settings(max_examples=examples(5000, 150), deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(text=TEXTS)
def test_hypothesis_loaders_equal_cpmtok(hf_loaders, folders, tokenizers, text):
    _check(hf_loaders, folders, tokenizers, [text])


@pytest.mark.slow
@pytest.mark.parametrize("loader", CPM_LOADERS)
@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_whole_corpus_equals_golden(hf_loaders, folders, name, loader):
    for path in corpus_files():
        got = hf_loaders[loader].ask(folders / name, corpus_texts(path), special=True)["ids"]
        golden = golden_ids(GOLDEN[name], path.name)
        mismatches = [i for i, (a, b) in enumerate(zip(got, golden)) if a != b]
        assert len(got) == len(golden) and not mismatches, (name, loader, path.name, mismatches[:10])


# The module in-process (system transformers 4.57.6): options and isolation.

def _module_tokenizer(folder: Path, **options):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder, trust_remote_code=True, **options)


def test_add_sep_cls_appends_only_when_asked(folders):
    plain = _module_tokenizer(folders / "cpm")
    asked = _module_tokenizer(folders / "cpm", add_sep_cls=True)
    ids = plain("今天天气不错")["input_ids"]
    assert asked("今天天气不错")["input_ids"] == ids + [4, 3]
    assert asked("今天天气不错", add_special_tokens=False)["input_ids"] == ids
    assert plain.eos_token_id == 7 and plain.unk_token_id == 0 and len(plain) == 30000


def test_process_wide_jieba_edits_do_not_change_the_ids(folders, tmp_path):
    """add_word / suggest_freq / load_userdict on `jieba` (in a subprocess: they would touch this one)."""
    user_dict = tmp_path / "user.txt"
    user_dict.write_text("天天气 100000000\n", encoding="utf-8")
    code = f"""
import jieba
from transformers import AutoTokenizer
tok = AutoTokenizer.from_pretrained({str(folders / 'cpm')!r}, trust_remote_code=True)
before = tok("今天天气不错")["input_ids"]
jieba.add_word("天天气", 10**8)
jieba.suggest_freq(("今天", "天气"), True)
jieba.load_userdict({str(user_dict)!r})
assert list(jieba.cut("今天天气不错")) != ["今天", "天气", "不错"]
assert tok("今天天气不错")["input_ids"] == before, before
"""
    env = {"HF_HUB_OFFLINE": "1", "CPM_TOKENIZER_CACHE": str(tmp_path / "cache"), "HF_HOME": str(tmp_path / "hf"),
           "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path, env=env, capture_output=True)


def test_jieba_cache_is_private(folders, tmp_path, monkeypatch):
    monkeypatch.setenv("CPM_TOKENIZER_CACHE", str(tmp_path / "cache"))
    tok = _module_tokenizer(folders / "cpm-v0")
    tok("今天天气不错")
    assert tok.segmenter is not __import__("jieba").dt
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["jieba-0.42.1-default-dict.cache"]
