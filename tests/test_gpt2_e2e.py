"""End to end: text -> cpmtok ids -> NumPy greedy generation -> decode, against
text -> the reference tokenizer -> transformers GPT2LMHeadModel.generate -> the same decode.

Tiny random models with the real vocabulary sizes (21128 for the BERT vocabulary, 30000 for CPM)."""

from __future__ import annotations

import pytest
import torch

from gpt2_tiny import save, tiny_model

import cpmtok
from cpmtok import vocab
from cpmtok.cli import main
from cpmtok.generation import generate_text
from cpmtok.gpt2 import load_model

PROMPTS = ["今天天气不错，我们去公园散步吧！", "GPT-2 模型在 2019 年发布。\n第二行 English words", "龘"]


def _vocab_file(name: str) -> str:
    """The registered file `name`, found where cpmtok finds it (`cpmtok setup` places the files)."""
    entry = next(key for key, value in vocab.registry().items() if value["file"] == name)
    return str(vocab.locate(entry))


def bert_reference():
    from transformers import BertTokenizerFast

    # uer/gpt2-chinese-cluecorpussmall's tokenizer_config.json: do_lower_case false
    tokenizer = BertTokenizerFast(vocab_file=_vocab_file("bert-base-chinese-vocab-21128.txt"), do_lower_case=False)
    return lambda text: tokenizer(text, add_special_tokens=False)["input_ids"]


def cpm_reference():
    """The CPM-Generate recipe: jieba.cut, ' '->▂ and '\\n'->▃ per word, ' '.join, SentencePiece."""
    import jieba
    import sentencepiece

    jieba.setLogLevel(60)
    sp = sentencepiece.SentencePieceProcessor(model_file=_vocab_file("cpm-chinese_vocab.model"))
    table = str.maketrans(" \n", "\u2582\u2583")
    return lambda text: sp.encode(" ".join(word.translate(table) for word in jieba.cut(text, cut_all=False)))


CASES = {"uer-gpt2-chinese": (21128, bert_reference, 102, 100), "cpm": (30000, cpm_reference, 7, 0)}


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request, tmp_path_factory):
    preset = request.param
    vocab_size, reference, stop, unk = CASES[preset]
    model = tiny_model(seed=31, vocab_size=vocab_size, n_positions=128, n_embd=32, n_head=4, n_layer=2)
    directory = save(model, tmp_path_factory.mktemp(preset), safetensors=True)
    return preset, cpmtok.load(preset), reference(), model, directory, stop, unk


def hf_continuation(model, ids: list[int], stop: int, **options) -> list[int]:
    with torch.no_grad():
        out = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                             do_sample=False, pad_token_id=0, eos_token_id=stop, **options)
    new = out[0, len(ids):].tolist()
    return new[:new.index(stop) + 1] if stop in new else new


@pytest.mark.parametrize("prompt", PROMPTS)
@pytest.mark.parametrize("suppress_unk", [False, True])
def test_text_to_text_equals_reference_pipeline(case, prompt, suppress_unk):
    preset, tokenizer, reference, model, directory, stop, unk = case
    reference_ids = reference(prompt)
    assert tokenizer.encode(prompt).ids == reference_ids
    result = generate_text(tokenizer, load_model(directory), prompt, max_new_tokens=24, suppress_unk=suppress_unk)
    expected = hf_continuation(model, reference_ids, stop, max_new_tokens=24,
                               suppress_tokens=[unk] if suppress_unk else None)
    assert result.prompt_ids == reference_ids
    assert result.new_ids == expected
    shown = expected[:-1] if expected and expected[-1] == stop else expected
    assert result.text == tokenizer.decode(reference_ids + shown)
    if suppress_unk:
        assert unk not in result.new_ids


def test_cli_generate_prints_the_same_text(case, capsys):
    preset, tokenizer, _, _, directory, _, _ = case
    assert main(["generate", "-t", preset, "--model", str(directory), "--max-new-tokens", "12", PROMPTS[0]]) == 0
    expected = generate_text(tokenizer, directory, PROMPTS[0], max_new_tokens=12).text
    assert capsys.readouterr().out == expected + "\n"


def test_cli_generate_reports_a_bad_model_directory(tmp_path, capsys):
    assert main(["generate", "-t", "cpm", "--model", str(tmp_path), "你好"]) == 2
    assert "no config.json" in capsys.readouterr().err


def test_cli_generate_reports_an_unusable_prompt(case, capsys):
    preset, _, _, _, directory, _, _ = case
    assert main(["generate", "-t", preset, "--model", str(directory), ""]) == 2
    assert "at least one id" in capsys.readouterr().err
    assert main(["generate", "-t", preset, "--model", str(directory), "--max-new-tokens", "500", "你好"]) == 2
    assert "n_positions" in capsys.readouterr().err
