"""A CPM preset as a transformers remote-code folder: the SentencePiece model (+ vocab.json for the first
release), tokenizer_config.json with an `auto_map`, the tokenizer module, and a README.md.

No `tokenizers` pipeline can hold jieba, and no transformers class runs CPM-Generate's recipe any more,
so the folder carries its own small tokenizer (tokenization_cpm_generate.py, beside this file, copied
verbatim): `AutoTokenizer.from_pretrained(folder, trust_remote_code=True)` loads it in transformers
4.57 and 5.x, without cpmtok.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..presets import Preset
from ..vocab import locate
from .folder import Files, json_bytes

MODULE = Path(__file__).with_name("tokenization_cpm_generate.py")
CLASS_NAME = "CpmGenerateTokenizer"
MODEL_MAX_LENGTH = 1024  # CPM-Generate's GPT-2 config: n_positions 1024
SPECIAL_TOKENS = {"bos_token": "<s>", "eos_token": "<eod>", "mask_token": "<mask>", "pad_token": "<pad>",
                  "sep_token": "<sep>", "unk_token": "<unk>"}


def cpm_files(preset: Preset) -> Files:
    """Every file of the folder, as bytes."""
    files: Files = {
        "spiece.model": locate(preset.vocab).read_bytes(),
        MODULE.name: MODULE.read_bytes(),
        "tokenizer_config.json": json_bytes(tokenizer_config(), sort_keys=True),
        "special_tokens_map.json": json_bytes(SPECIAL_TOKENS, sort_keys=True),
    }
    vocab_json = preset.options.get("vocab_json")
    if vocab_json:
        files["vocab.json"] = locate(vocab_json).read_bytes()
    files["README.md"] = readme(preset, first_release=bool(vocab_json)).encode("utf-8")
    return files


def tokenizer_config() -> dict[str, Any]:
    return {
        "add_sep_cls": False,
        "auto_map": {"AutoTokenizer": [f"{MODULE.stem}.{CLASS_NAME}", None]},
        "clean_up_tokenization_spaces": False,
        "model_max_length": MODEL_MAX_LENGTH,
        "tokenizer_class": CLASS_NAME,
        **SPECIAL_TOKENS,
    }


def readme(preset: Preset, *, first_release: bool) -> str:
    model = ("the first released model (`spiece.model` = CPM-Generate's first-commit bpe_3w_new/chinese_vocab.model), "
             "SentencePiece piece strings mapped through `vocab.json` (unknown pieces -> 0; newline -> `▃` -> 3)"
             if first_release else
             "the current model (`spiece.model` = CPM-Generate's bpe_3w_new/chinese_vocab.model)")
    return "\n".join([
        f"# {preset.name} tokenizer (exported by cpmtok)",
        "",
        f"Preset `{preset.name}`: {preset.source}.",
        "",
        "```python",
        "from transformers import AutoTokenizer",
        "tok = AutoTokenizer.from_pretrained(folder, trust_remote_code=True)",
        "ids = tok(text)[\"input_ids\"]      # CPM-Generate's ids, nothing appended",
        "text = tok.decode(ids)             # CPM-Generate's decode",
        "```",
        "",
        "## What it reproduces",
        "",
        "Exactly the ids of CPM-Generate's tokenizer (TsinghuaAI/CPM-Generate) for any text:",
        "`jieba.cut(text, cut_all=False)` with jieba 0.42.1 (HMM on, default dictionary), space -> `▂`",
        "(U+2582) and newline -> `▃` (U+2583) inside each word, words joined with one space, then",
        f"SentencePiece `encode` with {model}.",
        "",
        "- Nothing is appended: `add_special_tokens=True` (transformers' default) gives the same ids.",
        "  `add_sep_cls=True` (in tokenizer_config.json or `from_pretrained`) appends `<sep>` (4) and",
        "  id 3, as transformers' CpmTokenizer does; `tok.eos_token_id` is `<eod>` (7), the document end.",
        "- Special-token strings in the text (`\"<eod>\"`, `\"<unk>\"`) stay plain text, as in CPM-Generate.",
        "- `decode` is CPM-Generate's: SentencePiece decode, spaces removed, `▂` -> space, `▃` -> newline",
        "  (so NFKC-folded characters come back folded and `<unk>` as ` ⁇ `). `skip_special_tokens=True`",
        "  drops the special ids first.",
        "- Segmentation uses a private `jieba.Tokenizer()`: `jieba.add_word`, `suggest_freq` or",
        "  `load_userdict` on the process-wide jieba do not change these ids (`jieba.del_word` does: jieba",
        "  applies it to its shared HMM module). Its dictionary cache is kept in `$CPM_TOKENIZER_CACHE`,",
        "  else `$XDG_CACHE_HOME/cpm_generate_tokenizer` (default `~/.cache/...`), not the shared temp folder.",
        "",
        "Proven by cpmtok's tests on 54,604 corpus records with transformers 4.57.6 and 5.23.0.",
        "",
        "## What it needs",
        "",
        "`trust_remote_code=True` (the tokenizer is `tokenization_cpm_generate.py` in this folder: read it,",
        "it is short), transformers 4.57 or 5.x, sentencepiece, and jieba==0.42.1 exactly (another",
        "version is refused: its dictionary and segmentation differ). cpmtok is not needed.",
        "",
    ])
