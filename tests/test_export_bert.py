"""Exported BERT folders, loaded the ways users load them, give cpmtok's ids (and the golden ids).

Loaders: transformers 4.57.6 `AutoTokenizer` fast and `use_fast=False`, transformers 5.23.0
`AutoTokenizer` (.venvs/transformers5), and `tokenizers.Tokenizer.from_file` in both environments.
Each runs in its own process (tests/hf_loaders.py), as a user's would. Which cpmtok dialect a loader
must equal is what the folder's README promises: the fast loaders run tokenizer.json (hf-fast with the
folder's word limit); 4.57's `use_fast=False` runs the pure-Python BertTokenizer (hf-slow) when the
folder's class is BertTokenizer, and the same tokenizer.json when it is PreTrainedTokenizerFast.

Presets whose id-deciding files are byte-identical share one folder configuration; the loaders are
run once per configuration and every preset is checked to export exactly that configuration's files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cpmtok
from budget import examples
from corpus import corpus_files, corpus_texts, golden_ids
from cpmtok.export import export_files
from hf_envs import hf_loaders  # noqa: F401 (fixture)

# configuration -> (representative preset, dialect override, the presets that export the same ids)
CONFIGURATIONS = {
    "21128-hf": ("bert-base-chinese", None, ["bert-base-chinese"]),
    "21128-hf-cased": ("uer-gpt2-chinese", None, ["uer-gpt2-chinese"]),
    "8021-hf": ("clue-small", None, ["clue-small", "gpt2-quickly"]),
    "8021-google-approx": ("gpt2-ml", None, ["gpt2-ml"]),
    "21128-google-approx": ("bert-base-chinese", "google", ["uer-py"]),
}
VOCAB_OF = {"21128-hf": "bert-base-chinese", "21128-hf-cased": "bert-base-chinese", "8021-hf": "clue-small", "8021-google-approx": "clue-small",
            "21128-google-approx": "bert-base-chinese"}
BERT_LOADERS = [("tf4", "auto"), ("tf4", "auto-slow"), ("tf4", "tokenizers"), ("tf5", "auto"), ("tf5", "tokenizers")]
ID_FILES = ("vocab.txt", "tokenizer.json", "special_tokens_map.json")


def _files(preset: str, dialect) -> dict[str, bytes]:
    return export_files(preset, dialect=dialect, approximate=True)


def _id_deciding(files: dict[str, bytes]) -> dict[str, object]:
    """Everything in the folder that can change ids: all but the README and model_max_length."""
    config = json.loads(files["tokenizer_config.json"])
    config.pop("model_max_length")
    return {**{name: files[name] for name in ID_FILES}, "tokenizer_config.json": config}


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
def test_every_preset_exports_its_configuration(configuration):
    preset, dialect, members = CONFIGURATIONS[configuration]
    expected = _id_deciding(_files(preset, dialect))
    for member in members:
        assert _id_deciding(_files(member, None)) == expected, member


class Folder:
    """One exported configuration with its loader processes and the cpmtok tokenizers they must equal."""

    def __init__(self, configuration: str, root: Path, processes: dict) -> None:
        preset, dialect, _ = CONFIGURATIONS[configuration]
        self.folder = root / configuration
        self.folder.mkdir(parents=True)
        for name, data in _files(preset, dialect).items():
            (self.folder / name).write_bytes(data)
        config = json.loads((self.folder / "tokenizer_config.json").read_bytes())
        limit = json.loads((self.folder / "tokenizer.json").read_bytes())["model"]["max_input_chars_per_word"]
        self.fast = cpmtok.load(preset, dialect="hf-fast", max_chars_per_word=limit)
        self.slow = cpmtok.load(preset, dialect="hf-slow")
        self.slow_loader_is_slow = config["tokenizer_class"] == "BertTokenizer"
        self.configuration = configuration
        self.loaders = {key: processes[key] for key in BERT_LOADERS}

    def expected_tokenizer(self, loader):
        return self.slow if loader == ("tf4", "auto-slow") and self.slow_loader_is_slow else self.fast

    def ask(self, loader, texts: list[str], *, special: bool, decode: bool = False) -> dict:
        return self.loaders[loader].ask(self.folder, texts, special=special, decode=decode)


@pytest.fixture(scope="module", params=sorted(CONFIGURATIONS))
def folder(request, tmp_path_factory, hf_loaders):
    return Folder(request.param, tmp_path_factory.mktemp("bert_export"), hf_loaders)


def test_loaders_are_the_classes_the_readme_names(folder):
    classes = {loader: folder.ask(loader, [""], special=False)["class"] for loader in folder.loaders}
    if folder.slow_loader_is_slow:
        assert classes[("tf4", "auto")] == "BertTokenizerFast"
        assert classes[("tf4", "auto-slow")] == "BertTokenizer"
        assert classes[("tf5", "auto")] == "BertTokenizer"
    else:
        assert classes[("tf4", "auto")] == classes[("tf4", "auto-slow")] == "PreTrainedTokenizerFast"
        assert classes[("tf5", "auto")] == "TokenizersBackend"
    assert not folder.loaders[("tf5", "auto")].cpmtok_importable


def _expected(tokenizer, text: str, special: bool):
    """cpmtok's ids, or the kind of failure ("error") where cpmtok refuses the text as the reference does."""
    try:
        return tokenizer.encode_ids(text, add_special_tokens=special)
    except (TypeError, ValueError, UnicodeError):
        return "error"


def _check(folder: Folder, texts: list[str]) -> None:
    for loader in folder.loaders:
        tokenizer = folder.expected_tokenizer(loader)
        for special in (False, True):
            answer = folder.ask(loader, texts, special=special, decode=True)
            for text, ids, decoded in zip(texts, answer["ids"], answer["decoded"]):
                got = "error" if isinstance(ids, dict) else ids
                expected = _expected(tokenizer, text, special)
                assert got == expected, (loader, special, text)
                if got != "error":
                    # transformers cleans up the decoder's string (" ," -> ","); bare tokenizers does not
                    reference = tokenizer.decode(ids, style="reference", skip_special_tokens=True,
                                                 clean_up_tokenization_spaces=loader[1] != "tokenizers")
                    assert decoded == reference, (loader, "decode", ids)


CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
FRAGMENTS = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=8),  # any code point, lone surrogates too
    st.text(CJK, min_size=1, max_size=10),
    st.text(st.sampled_from("abcXYZ019 ,.!?'-#@%ÀéΣσςİßﬁ１Ａ\t\n\r\u3000\u00a0\u200b\ue000\u0300"), max_size=12),
    st.sampled_from(["[SEP]", "[UNK]", "[CLS]", "[MASK]", "[PAD]", "[sep]", "##", "don't", " do not "]),
    st.integers(90, 250).map(lambda n: "a" * n),
    st.characters(min_codepoint=0x20000, max_codepoint=0x2FA1F).map(str),
)
TEXTS = st.lists(FRAGMENTS, max_size=8).map("".join)


@settings(max_examples=examples(5000, 200), deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(text=TEXTS)
def test_hypothesis_loaders_equal_cpmtok(folder, text):
    _check(folder, [text])


def test_some_known_texts(folder):
    _check(folder, ["", "今天天气不错", "abc[SEP]def 中[UNK]文", "ΟΔΟΣ", "a" * 150, "x\ue000y", "\ud800",
                    "Hello, world! don't 100%"])


@pytest.mark.slow
def test_whole_corpus_equals_golden_and_cpmtok(folder):
    vocab = VOCAB_OF[folder.configuration]
    for path in corpus_files():
        texts = corpus_texts(path)
        golden = {folder.fast: golden_ids(f"{vocab}/hf_fast", path.name),
                  folder.slow: golden_ids(f"{vocab}/hf_slow", path.name)}
        expected = {(tokenizer, special): [tokenizer.encode_ids(text, add_special_tokens=special) for text in texts]
                    for tokenizer in golden for special in (False, True)}
        for loader in folder.loaders:
            tokenizer = folder.expected_tokenizer(loader)
            for special in (False, True):
                got = folder.ask(loader, texts, special=special)["ids"]
                mismatches = [i for i, ids in enumerate(got) if ids != expected[tokenizer, special][i]]
                assert not mismatches, (loader, special, path.name, mismatches[:10])
                if not special and tokenizer.max_chars_per_word == 100 and tokenizer.lowercase:  # as golden was made
                    assert got == golden[tokenizer], (loader, path.name, "golden")
