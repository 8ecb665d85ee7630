"""A BERT preset as a Hugging Face tokenizer folder: vocab.txt, tokenizer.json, tokenizer_config.json,
special_tokens_map.json and a README.md that says which loader gives which cpmtok dialect.

What the HF loaders do with such a folder (measured with transformers 4.57.6 / 5.23.0, tokenizers
0.22.2 / 0.23.3; proven by tests/test_export_bert.py):
- `tokenizers.Tokenizer.from_file(tokenizer.json)` and the fast loaders run the tokenizer.json: that
  *is* the hf-fast dialect. transformers 5.x `BertTokenizer` keeps only the vocabulary and the
  post-processor of the file and rebuilds the rest from tokenizer_config.json (so the flags there must
  agree), with 100 characters per word; `PreTrainedTokenizerFast` runs the file as it is.
- transformers 4.57 `use_fast=False` runs the pure-Python `BertTokenizer` over vocab.txt: the hf-slow
  dialect, always with 100 characters per word.
- A dialect with `tokenizer_json_gaps` (Google's, gpt2-ml) has no tokenizer.json form. Only an explicit
  `approximate=True` writes it, as hf-fast with the dialect's characters per word, and lists the
  differences in the README.
- A dialect with `no_hf_form` (GPT2-Chinese's) has no HF form at all: not even the closest tokenizer.json
  (hf-fast with a `Digits(individual_digits=True)` pre-tokenizer) nor transformers' BertTokenizer gives its
  ids (each difference shown by tests/test_gpt2_chinese.py). Export refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..bert.dialects import DEFAULT, Dialect, dialect
from ..errors import NotExpressible
from ..presets import Preset
from ..vocab import locate, registry_entry
from .folder import Files, json_bytes

HF_MAX_CHARS_PER_WORD = 100  # transformers' BertTokenizer (4.x slow, 5.x) cannot be told otherwise

# model_max_length: the position count of the model each preset's vocabulary was trained for.
MODEL_MAX_LENGTH = {
    "bert-base-chinese": 512,  # google-research/bert, max_position_embeddings 512
    "clue-small": 512,  # CLUEPretrainedModels small models, max_position_embeddings 512
    "uer-gpt2-chinese": 1024,  # uer/gpt2-chinese-cluecorpussmall config.json n_positions 1024
    "uer-py": 1024,  # the same uer/gpt2-*-chinese-cluecorpussmall models
    "gpt2-chinese": 1024,  # Morizeyao/GPT2-Chinese config/model_config.json n_positions 1024 (hf-* dialect only)
    "gpt2-chinese-small": 1024,  # its config/model_config_small.json n_positions 1024 (vocab_size 13317)
    "gpt2-ml": 1024,  # imcaspar/gpt2-ml configs/mega.json max_position_embeddings 1024
    "gpt2-quickly": 512,  # mymusise/gpt2-quickly configs/train.py n_positions 512
}


@dataclass(frozen=True)
class BertFlags:
    """The settings of a BERT preset that decide its ids (defaults as in cpmtok.bert)."""

    dialect: Dialect
    lowercase: bool
    max_chars_per_word: int

    @classmethod
    def of(cls, preset: Preset, overrides: dict[str, Any]) -> "BertFlags":
        options = {**preset.options, **{k: v for k, v in overrides.items() if v is not None}}
        record = dialect(options.get("dialect", DEFAULT))
        if record.no_hf_form:
            raise NotExpressible(
                f"{preset.name}: the {record.name} dialect ({record.reference}) has no Hugging Face form; neither a "
                "tokenizer.json nor transformers' BertTokenizer gives its ids:\n  - "
                + "\n  - ".join(f"{why} (e.g. {text!r})" for why, text in record.no_hf_form)
                + "\nExport with dialect='hf-fast' or 'hf-slow' for a folder that is exact to that dialect instead.")
        return cls(record, bool(options.get("lowercase", True)),
                   int(options.get("max_chars_per_word", record.max_chars_per_word)))


def bert_files(preset: Preset, flags: BertFlags, *, approximate: bool) -> Files:
    """Every file of the folder, as bytes."""
    gaps = flags.dialect.tokenizer_json_gaps
    if gaps and not approximate:
        raise NotExpressible(
            f"{preset.name}: the {flags.dialect.name} dialect cannot be expressed by a tokenizer.json or a "
            "transformers tokenizer; these differ:\n  - " + "\n  - ".join(gaps)
            + f"\nPass --approximate (Python: approximate=True) to export it as hf-fast with its "
            f"{flags.dialect.max_chars_per_word} characters per word; the folder's README.md will list these "
            "differences."
        )
    special_ids = registry_entry(preset.vocab)["special_ids"]
    # transformers' BertTokenizer ignores a tokenizer.json word limit other than 100 (5.x rebuilds the model,
    # 4.x slow has it hard-coded); the generic fast class runs the file as written.
    tokenizer_class = "BertTokenizer" if flags.max_chars_per_word == HF_MAX_CHARS_PER_WORD else "PreTrainedTokenizerFast"
    vocab_bytes = locate(preset.vocab).read_bytes()
    return {
        "vocab.txt": vocab_bytes,
        "tokenizer.json": json_bytes(tokenizer_json(vocab_lines(vocab_bytes), special_ids, flags), sort_keys=False),
        "tokenizer_config.json": json_bytes(
            tokenizer_config(preset, special_ids, flags, tokenizer_class), sort_keys=True),
        "special_tokens_map.json": json_bytes(special_tokens_map(), sort_keys=True),
        "README.md": readme(preset, flags, tokenizer_class).encode("utf-8"),
    }


def vocab_lines(vocab_bytes: bytes) -> list[str]:
    """Entries as transformers and tokenizers read vocab.txt: one per "\\n"-ended line, nothing else stripped."""
    lines = vocab_bytes.decode("utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


SPECIAL_ROLES = {"cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]", "sep_token": "[SEP]",
                 "unk_token": "[UNK]"}


def _added_token(token_id: int, content: str) -> dict[str, Any]:
    return {"id": token_id, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def tokenizer_json(vocab: list[str], special_ids: dict[str, int], flags: BertFlags) -> dict[str, Any]:
    """The `tokenizers` serialisation (format 1.0) of the hf-fast pipeline with these flags."""
    cls_id, sep_id = special_ids["[CLS]"], special_ids["[SEP]"]

    def special(token: str, type_id: int) -> dict:
        return {"SpecialToken": {"id": token, "type_id": type_id}}

    def sequence(name: str, type_id: int) -> dict:
        return {"Sequence": {"id": name, "type_id": type_id}}

    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [_added_token(i, t) for t, i in sorted(special_ids.items(), key=lambda item: item[1])],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": flags.lowercase},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0)],
            "pair": [special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0), sequence("B", 1),
                     special("[SEP]", 1)],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [cls_id], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [sep_id], "tokens": ["[SEP]"]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": flags.max_chars_per_word,
                  "vocab": {token: index for index, token in enumerate(vocab)}},
    }


def tokenizer_config(preset: Preset, special_ids: dict[str, int], flags: BertFlags,
                     tokenizer_class: str) -> dict[str, Any]:
    """tokenizer_config.json: the class and the flags transformers rebuilds the tokenizer from."""
    return {
        "added_tokens_decoder": {
            str(i): {k: v for k, v in _added_token(i, t).items() if k != "id"} for t, i in special_ids.items()
        },
        "clean_up_tokenization_spaces": True,
        "do_basic_tokenize": True,
        "do_lower_case": flags.lowercase,
        "model_max_length": MODEL_MAX_LENGTH[preset.name],
        "never_split": None,
        "strip_accents": None,
        "tokenize_chinese_chars": True,
        "tokenizer_class": tokenizer_class,
        **SPECIAL_ROLES,
    }


def special_tokens_map() -> dict[str, str]:
    return dict(SPECIAL_ROLES)


def readme(preset: Preset, flags: BertFlags, tokenizer_class: str) -> str:
    """What the folder reproduces, loader by loader, and what it needs."""
    case = "lower-cased, accents stripped" if flags.lowercase else "case kept"
    fast = f"cpmtok's hf-fast dialect ({case}, {flags.max_chars_per_word} characters per word)"
    if tokenizer_class == "BertTokenizer":
        loaders = [
            f"- `tokenizers.Tokenizer.from_file(\"tokenizer.json\")`: {fast}.",
            f"- `transformers.AutoTokenizer.from_pretrained(folder)` (4.57.6 `BertTokenizerFast`; 5.23.0 "
            f"`BertTokenizer`, with or without `use_fast=False`): {fast}.",
            "- transformers 4.57.6 `AutoTokenizer.from_pretrained(folder, use_fast=False)` (pure-Python "
            "`BertTokenizer`): cpmtok's hf-slow dialect (on Python 3.11, Unicode 14.0).",
        ]
    else:
        loaders = [
            f"- `tokenizers.Tokenizer.from_file(\"tokenizer.json\")` and `transformers.AutoTokenizer."
            f"from_pretrained(folder)` in 4.57.6 and 5.23.0, fast or `use_fast=False` (all load "
            f"`PreTrainedTokenizerFast`, which runs tokenizer.json as written): {fast}.",
            f"- The class is `PreTrainedTokenizerFast`, not `BertTokenizer`, because transformers' "
            f"`BertTokenizer` cannot keep {flags.max_chars_per_word} characters per word "
            "(5.x rebuilds the WordPiece model with 100, 4.x slow has 100 built in).",
        ]
    lines = [
        f"# {preset.name} tokenizer (exported by cpmtok)",
        "",
        f"Preset `{preset.name}`: {preset.source}.",
        f"Vocabulary: `vocab.txt`, byte for byte the registered `{registry_entry(preset.vocab)['file']}`.",
        f"Dialect asked for: `{flags.dialect.name}`.",
        "",
        "## What gives which ids",
        "",
        *loaders,
        "",
        "Special tokens ([PAD] [UNK] [CLS] [SEP] [MASK]) are added tokens with `normalized: false`, so a",
        "literal `[SEP]` inside raw text is matched as the special token, as transformers does.",
        "`add_special_tokens=True` (transformers' default) wraps ids as `[CLS] ... [SEP]`; GPT models were",
        "trained without them: pass `add_special_tokens=False`.",
    ]
    if flags.dialect.export_note:
        lines += ["", f"## {flags.dialect.name}", "", *flags.dialect.export_note]
    if flags.dialect.tokenizer_json_gaps:
        lines += [
            "",
            "## APPROXIMATION: exported with --approximate",
            "",
            f"The preset's tokenizer is {flags.dialect.reference} (the {flags.dialect.name} dialect). No",
            "tokenizer.json or transformers class reproduces it. This folder gives hf-fast ids with its",
            f"{flags.dialect.max_chars_per_word} characters per word; where they differ from the {flags.dialect.name} "
            "dialect:",
            "",
            *[f"- {difference}" for difference in flags.dialect.tokenizer_json_gaps],
            "",
            "For the exact ids use `cpmtok.load(\"" + preset.name + "\")`.",
        ]
    lines += ["", "Needs: transformers (4.57 or 5.x) or tokenizers; nothing from cpmtok.", ""]
    return "\n".join(lines)
