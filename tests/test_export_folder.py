"""The export as files: deterministic bytes, safe targets, clear refusals, config.json, no transformers import."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cpmtok import PRESETS
from cpmtok.cli import main
from cpmtok.errors import ExportTargetNotEmpty, NotExpressible
from cpmtok.export import export
from cpmtok.export.cpm import MODULE
from cpmtok.vocab import locate

ALL_EXPORTS = [(name, preset.options.get("dialect") == "google") for name, preset in sorted(PRESETS.items())
               if preset.options.get("dialect") != "gpt2-chinese"] + [("bert-base-chinese-google", True)]


def _export(name: str, out: Path, **options) -> list[Path]:
    if name == "bert-base-chinese-google":
        return export("bert-base-chinese", out, dialect="google", **options)
    return export(name, out, **options)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name,approximate", ALL_EXPORTS)
def test_export_twice_gives_byte_identical_folders(tmp_path, name, approximate):
    first = _export(name, tmp_path / "a", approximate=approximate)
    _export(name, tmp_path / "b", approximate=approximate)
    assert first and _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")


@pytest.mark.parametrize("name", ["bert-base-chinese", "cpm"])
def test_cli_refuses_a_non_empty_folder_and_overwrites_nothing(tmp_path, capsys, name):
    target = tmp_path / "model"
    target.mkdir()
    (target / "vocab.txt").write_bytes(b"mine\n")
    (target / "pytorch_model.bin").write_bytes(b"weights")
    before = _snapshot(target)
    assert main(["export", "-t", name, str(target)]) != 0
    assert "not empty" in capsys.readouterr().err
    assert _snapshot(target) == before
    with pytest.raises(ExportTargetNotEmpty):
        export(name, target)
    assert _snapshot(target) == before


def test_force_writes_the_export_and_leaves_other_files(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "vocab.txt").write_bytes(b"mine\n")
    (target / "pytorch_model.bin").write_bytes(b"weights")
    assert main(["export", "-t", "clue-small", str(target), "--force"]) == 0
    assert (target / "vocab.txt").read_bytes() == locate("clue-small").read_bytes()
    assert (target / "pytorch_model.bin").read_bytes() == b"weights"
    assert not list(target.glob("*.partial"))


def test_google_dialect_is_refused_unless_approximate(tmp_path, capsys):
    assert main(["export", "-t", "gpt2-ml", str(tmp_path / "out")]) != 0
    err = capsys.readouterr().err
    assert "google dialect" in err and "--approximate" in err and "D7" in err
    assert not (tmp_path / "out").exists()
    with pytest.raises(NotExpressible):
        export("bert-base-chinese", tmp_path / "out2", dialect="google")
    assert main(["export", "-t", "gpt2-ml", str(tmp_path / "out"), "--approximate"]) == 0
    readme = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "APPROXIMATION" in readme and "D2 private-use" in readme and "200 characters per word" in readme
    config = json.loads((tmp_path / "out" / "tokenizer.json").read_text(encoding="utf-8"))
    assert config["model"]["max_input_chars_per_word"] == 200


@pytest.mark.parametrize("name", ["gpt2-chinese", "gpt2-chinese-small"])
def test_gpt2_chinese_dialect_is_refused_with_the_reasons(tmp_path, capsys, name):
    assert main(["export", "-t", name, str(tmp_path / "out")]) != 0
    err = capsys.readouterr().err
    assert "gpt2-chinese dialect" in err and "char::is_numeric" in err and "final" in err
    assert not (tmp_path / "out").exists()
    with pytest.raises(NotExpressible, match="no Hugging Face form"):
        export(name, tmp_path / "out2", approximate=True)
    assert export(name, tmp_path / "out3", dialect="hf-slow")


def test_bert_folder_files(tmp_path):
    export("uer-gpt2-chinese", tmp_path)
    assert (tmp_path / "vocab.txt").read_bytes() == locate("bert-base-chinese").read_bytes()
    tokenizer = json.loads((tmp_path / "tokenizer.json").read_text(encoding="utf-8"))
    assert [t["content"] for t in tokenizer["added_tokens"]] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    assert all(t["normalized"] is False and t["special"] for t in tokenizer["added_tokens"])
    assert tokenizer["normalizer"]["type"] == "BertNormalizer" and tokenizer["normalizer"]["lowercase"] is False  # UER: do_lower_case false
    assert tokenizer["post_processor"]["type"] == "TemplateProcessing"
    assert tokenizer["decoder"]["type"] == "WordPiece" and tokenizer["model"]["type"] == "WordPiece"
    assert len(tokenizer["model"]["vocab"]) == 21128
    config = json.loads((tmp_path / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert config["tokenizer_class"] == "BertTokenizer" and config["do_lower_case"] is False
    assert config["tokenize_chinese_chars"] is True and config["model_max_length"] == 1024
    special_map = json.loads((tmp_path / "special_tokens_map.json").read_text(encoding="utf-8"))
    assert special_map["sep_token"] == "[SEP]"


def test_model_type_sets_tokenizer_class_and_keeps_the_rest(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "gpt2", "n_positions": 1024, "vocab_size": 21128}))
    (tmp_path / "pytorch_model.bin").write_bytes(b"weights")
    assert main(["export", "-t", "uer-gpt2-chinese", str(tmp_path), "--force", "--model-type", "gpt2"]) == 0
    config = json.loads((tmp_path / "config.json").read_text())
    assert config == {"model_type": "gpt2", "n_positions": 1024, "vocab_size": 21128, "tokenizer_class": "BertTokenizer"}
    assert (tmp_path / "pytorch_model.bin").read_bytes() == b"weights"
    export("cpm", tmp_path / "cpm", model_type="gpt2")
    assert json.loads((tmp_path / "cpm" / "config.json").read_text()) == {
        "model_type": "gpt2", "tokenizer_class": "CpmGenerateTokenizer"}


def test_model_type_refuses_another_model(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    before = _snapshot(tmp_path)
    with pytest.raises(NotExpressible, match="model_type 'bert'"):
        export("bert-base-chinese", tmp_path, force=True, model_type="gpt2")
    assert _snapshot(tmp_path) == before


def test_cpm_folder_carries_the_module_verbatim_and_v0_its_vocab_json(tmp_path):
    export("cpm-v0", tmp_path)
    assert (tmp_path / MODULE.name).read_bytes() == MODULE.read_bytes()
    assert (tmp_path / "spiece.model").read_bytes() == locate("cpm-v0").read_bytes()
    assert (tmp_path / "vocab.json").read_bytes() == locate("cpm-vocab-json").read_bytes()
    config = json.loads((tmp_path / "tokenizer_config.json").read_text())
    assert config["auto_map"]["AutoTokenizer"][0] == "tokenization_cpm_generate.CpmGenerateTokenizer"
    export("cpm", tmp_path / "current")
    assert not (tmp_path / "current" / "vocab.json").exists()


def test_the_tokenizer_module_does_not_import_cpmtok():
    tree = ast.parse(MODULE.read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported == {"json", "os", "shutil", "tempfile", "jieba", "sentencepiece", "transformers"}
    assert not any(isinstance(node, ast.ImportFrom) and node.level for node in ast.walk(tree))


def test_export_imports_neither_transformers_nor_tokenizers(tmp_path):
    code = (
        "import sys\nfrom cpmtok.export import export\n"
        f"export('bert-base-chinese', {str(tmp_path / 'b')!r})\nexport('cpm', {str(tmp_path / 'c')!r})\n"
        "loaded = sorted(m for m in ('transformers', 'tokenizers', 'torch') if m in sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)
