"""`cpmtok.load(folder)` gives `AutoTokenizer.from_pretrained(folder)`'s ids (transformers 4.57.6, live) for every
tokenizer_config.json option cpmtok supports, both values; every other option is a typed error; exports reload
as their preset; a Hub repo id resolves through the Hugging Face cache."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import cpmtok
from bert_strategies import texts as bert_texts
from budget import examples
from corpus import SHARED, all_corpus_texts
from cpmtok.bert.dialects import DEFAULT, dialect
from cpmtok.export import export
from cpmtok.presets import PRESETS

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

BERT_VOCAB = SHARED / "vocab" / "bert-base-chinese-vocab-21128.txt"
CLUE_VOCAB = SHARED / "vocab" / "clue-vocab-8021.txt"
KNOWN = ["", "Hello World 今天", "Héllo naïve ÅB Ωμέγα ΟΔΟΣ", "abc[SEP]def 中[UNK]文[CLS]", "a" * 150,
         "x\ue000y", "ﬁ ① Ⅻ ｆｕｌｌ", "\u3000\t\n 空白\u200b", "Hello, world! don't 100%", "𠀀𪜀 🙂👍🏽",
         "\ud800"]
SPECIALS = {"cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]", "sep_token": "[SEP]",
            "unk_token": "[UNK]"}


def corpus_sample(step: int) -> list[str]:
    return [text for _, index, text in all_corpus_texts() if index % step == 0]


def make_folder(root: Path, name: str, config: dict | None, *, vocab: Path = BERT_VOCAB,
                from_export: str | None = None, edit_tokenizer_json=None) -> Path:
    """A folder with vocab.txt (or an export's files without cpmtok.json) and this tokenizer_config.json."""
    folder = root / name
    if from_export:
        export(from_export, folder, approximate=from_export == "gpt2-ml")
        (folder / "cpmtok.json").unlink()
    else:
        folder.mkdir(parents=True)
        shutil.copyfile(vocab, folder / "vocab.txt")
    if config is not None:
        (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    if edit_tokenizer_json is not None:
        spec = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
        edit_tokenizer_json(spec)
        (folder / "tokenizer.json").write_text(json.dumps(spec), encoding="utf-8")
    return folder


def _lowercase_off(spec: dict) -> None:
    spec["normalizer"]["lowercase"] = False


# Every supported option, both values: (name, config, make_folder options, same_as). `same_as` names a folder
# whose loader builds the very same tokenizer (its serialization is compared); the whole-corpus check runs once
# per distinct tokenizer.
SUPPORTED = [
    ("class-only", {"tokenizer_class": "BertTokenizer"}, {}, None),
    ("lower-true", {"tokenizer_class": "BertTokenizer", "do_lower_case": True}, {}, "class-only"),
    ("lower-false", {"tokenizer_class": "BertTokenizer", "do_lower_case": False}, {}, None),
    ("accents-true", {"tokenizer_class": "BertTokenizer", "do_lower_case": True, "strip_accents": True}, {}, None),
    ("accents-false", {"tokenizer_class": "BertTokenizer", "do_lower_case": False, "strip_accents": False}, {},
     None),
    ("chinese-true-uer-like", {"tokenizer_class": "BertTokenizer", "do_lower_case": False, "do_basic_tokenize": True,
                               "never_split": None, "tokenize_chinese_chars": True, "model_max_length": 1024,
                               "strip_accents": None, **SPECIALS}, {}, "lower-false"),
    ("fast-clue-lower-false", {"tokenizer_class": "BertTokenizerFast", "do_lower_case": False,
                               "model_max_length": 77}, {"vocab": CLUE_VOCAB}, None),
    # tokenizer.json says lowercase false; BertTokenizerFast rebuilds the normalizer from the config's default (true)
    ("json-config-default", {"tokenizer_class": "BertTokenizerFast"}, {"from_export": "uer-gpt2-chinese"},
     "class-only"),
    ("json-config-false", None, {"from_export": "uer-gpt2-chinese"}, "lower-false"),
    # PreTrainedTokenizerFast runs tokenizer.json as written: 200 characters per word, its own lowercase flag
    ("file-class-lower-true", None, {"from_export": "gpt2-ml"}, None),
    ("file-class-lower-false", None, {"from_export": "gpt2-ml", "edit_tokenizer_json": _lowercase_off}, None),
]
DISTINCT = [name for name, _, _, same_as in SUPPORTED if same_as is None]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    from transformers import AutoTokenizer

    root = tmp_path_factory.mktemp("folders")
    made = {}
    for name, config, options, _ in SUPPORTED:
        folder = make_folder(root, name, config, **options)
        made[name] = (cpmtok.load(folder), AutoTokenizer.from_pretrained(str(folder)))
    return made


def reference_ids(reference, text: str, special: bool):
    try:
        return reference(text, add_special_tokens=special)["input_ids"]
    except Exception as err:  # the reference's own refusal (a lone surrogate): cpmtok must refuse too
        return type(err)


def assert_same_ids(tokenizer, reference, texts: list[str]) -> None:
    for special in (False, True):
        for text in texts:
            expected = reference_ids(reference, text, special)
            if isinstance(expected, type):
                with pytest.raises(cpmtok.CpmtokError):
                    tokenizer.encode(text, add_special_tokens=special)
                continue
            assert tokenizer.encode(text, add_special_tokens=special).ids == expected, (text, special)


@pytest.mark.parametrize("name,same_as", [(name, same_as) for name, _, _, same_as in SUPPORTED])
def test_folder_ids_equal_auto_tokenizer(folders, name, same_as):
    tokenizer, reference = folders[name]
    assert_same_ids(tokenizer, reference, KNOWN + corpus_sample(200))
    assert tokenizer.model_max_length == reference.model_max_length or tokenizer.model_max_length is None
    if same_as is not None:
        twin, twin_reference = folders[same_as]
        assert reference.backend_tokenizer.to_str() == twin_reference.backend_tokenizer.to_str()
        assert type(reference) is type(twin_reference) and reference.all_special_ids == twin_reference.all_special_ids
        assert repr(tokenizer).replace(name, same_as) == repr(twin)




@settings(max_examples=examples(1000, 100), deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(text=bert_texts)
def test_hypothesis_folder_ids_equal_auto_tokenizer(folders, text):
    for name in ("lower-false", "json-config-default", "file-class-lower-false"):
        tokenizer, reference = folders[name]
        assert_same_ids(tokenizer, reference, [text])


@pytest.mark.slow
@pytest.mark.parametrize("name", DISTINCT)
def test_whole_corpus_folder_ids_equal_auto_tokenizer(folders, name):
    tokenizer, reference = folders[name]
    texts = [text for _, _, text in all_corpus_texts()]
    for special in (False, True):
        expected = reference(texts, add_special_tokens=special)["input_ids"]
        got = [encoding.ids for encoding in tokenizer.encode_batch(texts, add_special_tokens=special)]
        mismatches = [i for i, (a, b) in enumerate(zip(got, expected)) if a != b]
        assert not mismatches, f"{name}: {len(mismatches)} records differ, first {mismatches[:5]}"


# --- what cpmtok cannot reproduce: a typed error naming the file and the option ------------------------

UNSUPPORTED = [
    ({"tokenizer_class": "BertTokenizer", "do_lower_case": False, "strip_accents": True}, "strip_accents"),
    ({"tokenizer_class": "BertTokenizer", "do_lower_case": True, "strip_accents": False}, "strip_accents"),
    ({"tokenizer_class": "BertTokenizer", "tokenize_chinese_chars": False}, "tokenize_chinese_chars"),
    ({"tokenizer_class": "BertTokenizer", "unk_token": "[MASK]"}, "unk_token"),
    ({"tokenizer_class": "BertTokenizer", "additional_special_tokens": ["World"]}, "additional special tokens"),
    ({"tokenizer_class": "BertTokenizer", "split_special_tokens": True}, "split_special_tokens"),
    ({"tokenizer_class": "BertTokenizer", "added_tokens_decoder": {"21128": {"content": "<new>", "special": True}}},
     "added token '<new>'"),
    ({"tokenizer_class": "BertTokenizer", "do_lower_case": "yes"}, "do_lower_case"),
    ({"tokenizer_class": "XLNetTokenizer"}, "tokenizer_class 'XLNetTokenizer'"),
    ({"tokenizer_class": "CpmTokenizer"}, "CpmTokenizer is XLNet"),
]


@pytest.mark.parametrize("config,named", UNSUPPORTED)
def test_unsupported_options_are_typed_errors_naming_file_and_option(tmp_path, config, named):
    folder = make_folder(tmp_path, "f", config)
    with pytest.raises(cpmtok.UnsupportedOption) as err:
        cpmtok.load(folder)
    assert named in str(err.value) and "tokenizer_config.json" in str(err.value)


def _other_pre_tokenizer(spec):
    spec["pre_tokenizer"] = {"type": "Whitespace"}


def _other_vocab(spec):
    spec["model"]["vocab"]["[UNK]"], spec["model"]["vocab"]["[PAD]"] = 0, 100


def _added_word(spec):
    spec["added_tokens"].append({"id": 21128, "content": "hello", "normalized": True, "special": False})


@pytest.mark.parametrize("edit,named", [(_other_pre_tokenizer, "pre_tokenizer"), (_other_vocab, "vocab differs"),
                                        (_added_word, "added_tokens")])
def test_inexpressible_tokenizer_json_is_a_typed_error(tmp_path, edit, named):
    folder = make_folder(tmp_path, "f", None, from_export="bert-base-chinese", edit_tokenizer_json=edit)
    with pytest.raises(cpmtok.UnsupportedOption, match=named):
        cpmtok.load(folder)


def test_malformed_config_and_ambiguous_cpm_folder(tmp_path):
    folder = make_folder(tmp_path, "bad", None)
    (folder / "tokenizer_config.json").write_text("{not json")
    with pytest.raises(cpmtok.InvalidTokenizerConfig, match="tokenizer_config.json"):
        cpmtok.load(folder)
    (folder / "tokenizer_config.json").write_text("[1]")
    with pytest.raises(cpmtok.InvalidTokenizerConfig, match="JSON object"):
        cpmtok.load(folder)
    cpm = tmp_path / "cpm"
    cpm.mkdir()
    for name in ("chinese_vocab.model", "spiece.model"):
        shutil.copyfile(SHARED / "vocab" / "cpm-chinese_vocab.model", cpm / name)
    with pytest.raises(cpmtok.AmbiguousFolder, match="chinese_vocab.model, spiece.model"):
        cpmtok.load(cpm)
    (cpm / "chinese_vocab.model").unlink()
    assert cpmtok.load(cpm).encode("今天天气不错").ids == cpmtok.load("cpm").encode("今天天气不错").ids
    (cpm / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "CpmGenerateTokenizer",
                                                           "add_sep_cls": True}))
    with pytest.raises(cpmtok.UnsupportedOption, match="add_sep_cls"):
        cpmtok.load(cpm)


def test_unknown_name_names_every_place_looked(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    with pytest.raises(cpmtok.UnknownTokenizer) as err:
        cpmtok.load("someone/some-model")
    message = str(err.value)
    assert "bert-base-chinese" in message and str(tmp_path / "hf" / "models--someone--some-model") in message
    from cpmtok.cli import main

    assert main(["encode", "-t", "someone/some-model", os.devnull]) == 2
    assert "Traceback" not in capsys.readouterr().err


# --- exports reload as their preset -----------------------------------------------------------------------

def _exportable(name: str) -> bool:
    """Every preset but those whose dialect has no Hugging Face form (export refuses them: tests/test_export.py)."""
    preset = PRESETS[name]
    return preset.family != "bert" or not dialect(preset.options.get("dialect", DEFAULT)).no_hf_form


EXPORTABLE = sorted(name for name in PRESETS if _exportable(name))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("exports")
    pairs = {}
    for name in EXPORTABLE:
        export(name, root / name, approximate=PRESETS[name].options.get("dialect") == "google")
        pairs[name] = (cpmtok.load(name), cpmtok.load(root / name))
    return pairs


@pytest.mark.parametrize("name", EXPORTABLE)
def test_export_reloads_as_its_preset(exported, name):
    preset, reloaded = exported[name]
    assert repr(reloaded).replace(str(getattr(reloaded, "model_path", "")), "") == \
        repr(preset).replace(str(getattr(preset, "model_path", "")), "")
    texts = KNOWN[:-1] + corpus_sample(500 if PRESETS[name].family == "cpm" else 100)
    for special in (False, True):
        assert [e.ids for e in reloaded.encode_batch(texts, add_special_tokens=special)] == \
            [e.ids for e in preset.encode_batch(texts, add_special_tokens=special)]


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPORTABLE)
def test_whole_corpus_export_reloads_to_identical_ids(exported, name):
    preset, reloaded = exported[name]
    texts = [text for _, _, text in all_corpus_texts()]
    assert [e.ids for e in reloaded.encode_batch(texts, workers=2)] == \
        [e.ids for e in preset.encode_batch(texts, workers=2)]


# --- a Hub repo id through the Hugging Face cache ---------------------------------------------------------

def test_hub_repo_id_loads_its_cached_snapshot_like_auto_tokenizer(tmp_path, monkeypatch):
    from test_vocab_registry import hf_snapshot
    from transformers import AutoTokenizer

    config = tmp_path / "tokenizer_config.json"
    config.write_text(json.dumps({"tokenizer_class": "BertTokenizer", "do_lower_case": False, **SPECIALS}))
    hf_snapshot(tmp_path / "hf", "uer/gpt2-chinese-cluecorpussmall", "7c87595",
                {"vocab.txt": BERT_VOCAB, "tokenizer_config.json": config})
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    tokenizer = cpmtok.load("uer/gpt2-chinese-cluecorpussmall")
    assert tokenizer.encode("Hello World 今天").ids == [100, 100, 791, 1921]
    assert pickle.loads(pickle.dumps(tokenizer)).encode("Hello World 今天").ids == [100, 100, 791, 1921]  # by recipe
    reference = AutoTokenizer.from_pretrained("uer/gpt2-chinese-cluecorpussmall", cache_dir=str(tmp_path / "hf"))
    assert_same_ids(tokenizer, reference, KNOWN + corpus_sample(500))
