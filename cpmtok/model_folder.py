"""A model folder read as transformers' `AutoTokenizer.from_pretrained(folder)` reads it (4.57.6).

BERT: `tokenizer_class` BertTokenizer / BertTokenizerFast give BertTokenizerFast (cpmtok's hf-fast dialect),
whose flags come from tokenizer_config.json (`do_lower_case` default true, `strip_accents` default: follows
it, `tokenize_chinese_chars` default true), its vocabulary and word limit from tokenizer.json when present
(else vocab.txt, 100 characters per word). PreTrainedTokenizerFast runs tokenizer.json as written.
CPM: a SentencePiece `.model` (+ `vocab.json` for the first release), as cpmtok's export writes it.
`cpmtok.json`, written by cpmtok's export, adds what no Hugging Face file can say (the dialect), so
`load(export(preset))` is the preset. Anything whose ids cpmtok cannot reproduce is `UnsupportedOption`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from .base import Tokenizer
from .errors import AmbiguousFolder, InvalidTokenizerConfig, UnknownTokenizer, UnsupportedOption
from .vocab import FAST_READLINES, PYTHON_READLINES, entry_for_file, read_bert_vocab

CONFIG = "tokenizer_config.json"
MARKER = "cpmtok.json"
BERT_CLASSES = ("BertTokenizer", "BertTokenizerFast")
FILE_CLASS = "PreTrainedTokenizerFast"
CPM_CLASS = "CpmGenerateTokenizer"  # cpmtok's export (remote code running CPM-Generate's recipe)
BERT_SPECIALS = {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]",
                 "mask_token": "[MASK]"}
HF_MAX_CHARS_PER_WORD = 100
_FIX = ("Load the vocabulary file itself (`cpmtok.load(path/to/vocab.txt)`, with options such as lowercase=...) "
        "if that is what you mean; cpmtok never gives other ids than the folder's loader in silence.")


def read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InvalidTokenizerConfig(f"{path}: not a readable UTF-8 JSON file ({err})") from None
    if not isinstance(value, dict):
        raise InvalidTokenizerConfig(f"{path}: expected a JSON object, got {type(value).__name__}")
    return value


def _optional_json(path: Path) -> dict[str, Any]:
    return read_json(path) if path.is_file() else {}


def tokenizer_class(folder: Path, config: dict[str, Any]) -> Optional[str]:
    """tokenizer_config.json's `tokenizer_class`, else config.json's (the order AutoTokenizer uses)."""
    return config.get("tokenizer_class") or _optional_json(folder / "config.json").get("tokenizer_class")


def load_folder(folder: Path, **options: Any) -> Tokenizer:
    folder = Path(folder)
    config = _optional_json(folder / CONFIG)
    marker = _optional_json(folder / MARKER)
    cls = tokenizer_class(folder, config)
    models = sorted(folder.glob("*.model"))
    has_bert_files = (folder / "vocab.txt").is_file() or (folder / "tokenizer.json").is_file()
    if cls is None and has_bert_files and models:
        raise AmbiguousFolder(f"{folder}: both a WordPiece vocabulary (vocab.txt / tokenizer.json) and "
                              f"SentencePiece models ({', '.join(p.name for p in models)}), and no tokenizer_class "
                              f"in {CONFIG} or config.json says which; set it, or load the file you mean by its path")
    if cls in BERT_CLASSES or cls == FILE_CLASS or (cls is None and has_bert_files and not models):
        return _bert(folder, config, marker, cls, options)
    if cls == CPM_CLASS or (cls is None and models):
        return _cpm(folder, config, marker, models, options)
    if cls is not None:
        hint = (" transformers' CpmTokenizer is XLNet's SentencePiece handling after jieba (it normalises spaces "
                "and accents and appends <sep> <cls>), not CPM-Generate's recipe; `cpmtok.load(\"cpm\")` finds "
                "this folder's spiece.model by content when it is CPM-Generate's." if cls.startswith(("Cpm", "XLNet"))
                else "")
        raise UnsupportedOption(f"{folder / CONFIG}: tokenizer_class {cls!r} is not one cpmtok reproduces (BERT: "
                                f"{', '.join(BERT_CLASSES)}, {FILE_CLASS} over a WordPiece tokenizer.json; CPM: "
                                f"{CPM_CLASS}, cpmtok's export).{hint} {_FIX}")
    raise UnknownTokenizer(f"{folder}: a model folder needs vocab.txt or tokenizer.json (BERT WordPiece) or a "
                           "SentencePiece .model (CPM); none is there")


# --- BERT ----------------------------------------------------------------------------------------------

def _bert(folder: Path, config: dict[str, Any], marker: dict[str, Any], cls: Optional[str],
          options: dict[str, Any]) -> Tokenizer:
    from .bert.tokenizer import load_path

    vocab_path = folder / "vocab.txt"
    if not vocab_path.is_file():
        raise UnsupportedOption(f"{folder}: no vocab.txt beside tokenizer.json; cpmtok reads a WordPiece "
                                "vocabulary from vocab.txt (save it with the tokenizer's save_vocabulary)")
    settings = _bert_settings(folder, config, cls, vocab_path)
    settings["dialect"] = marker.get("dialect", "hf-fast")
    explicit = {key: options.pop(key) for key in ("dialect", "lowercase", "max_chars_per_word") if key in options}
    if options:
        raise TypeError(f"unknown option(s) for a BERT model folder: {', '.join(sorted(options))}")
    tokenizer = load_path(vocab_path, **{**settings, **explicit})
    tokenizer.name = _name(folder, marker, vocab_path)
    tokenizer.model_max_length = config.get("model_max_length")
    return tokenizer


def _bert_settings(folder: Path, config: dict[str, Any], cls: Optional[str], vocab_path: Path) -> dict[str, Any]:
    """lowercase and max_chars_per_word as the folder's loader sets them; UnsupportedOption for the rest."""
    where = folder / CONFIG
    for key, default in BERT_SPECIALS.items():
        if config.get(key, default) not in (default, {"content": default}) and not _is_added(config.get(key), default):
            raise UnsupportedOption(f"{where}: {key} {config[key]!r}; cpmtok's BERT uses {default!r}. {_FIX}")
    if config.get("additional_special_tokens") or config.get("extra_special_tokens"):
        raise UnsupportedOption(f"{where}: additional special tokens "
                                f"{config.get('additional_special_tokens') or config.get('extra_special_tokens')!r} "
                                f"are not reproduced. {_FIX}")
    if config.get("split_special_tokens"):
        raise UnsupportedOption(f"{where}: split_special_tokens true is not reproduced. {_FIX}")
    _check_added_tokens(where, config.get("added_tokens_decoder", {}), vocab_path)
    tokenizer_json = folder / "tokenizer.json"
    spec = read_json(tokenizer_json) if tokenizer_json.is_file() else None
    if cls == FILE_CLASS:
        if spec is None:
            raise UnsupportedOption(f"{where}: tokenizer_class {FILE_CLASS} needs a tokenizer.json")
        normalizer = spec.get("normalizer") or {}
        flags = (normalizer.get("lowercase"), normalizer.get("strip_accents"), normalizer.get("handle_chinese_chars"))
        where = tokenizer_json
    else:
        flags = (config.get("do_lower_case", True), config.get("strip_accents"),
                 config.get("tokenize_chinese_chars", True))
    lowercase, strip_accents, chinese = flags
    if not isinstance(lowercase, bool):
        raise UnsupportedOption(f"{where}: lowercase/do_lower_case {lowercase!r} is not true or false")
    if strip_accents is not None and strip_accents != lowercase:
        raise UnsupportedOption(f"{where}: strip_accents {strip_accents!r} with do_lower_case {lowercase!r}; cpmtok "
                                "strips accents exactly when it lower-cases (strip_accents null). " + _FIX)
    if chinese is not True:
        raise UnsupportedOption(f"{where}: tokenize_chinese_chars {chinese!r}; cpmtok always splits CJK characters "
                                "into words of their own, as every BERT Chinese model does. " + _FIX)
    max_chars = HF_MAX_CHARS_PER_WORD if spec is None else _check_tokenizer_json(tokenizer_json, spec, vocab_path)
    return {"lowercase": lowercase, "max_chars_per_word": max_chars}


def _is_added(value: Any, default: str) -> bool:
    return isinstance(value, dict) and value.get("content") == default


def _check_added_tokens(where: Path, added: dict[str, Any], vocab_path: Path) -> None:
    """Added tokens must be the five specials at their vocabulary ids (anything else adds ids cpmtok lacks)."""
    vocab = read_bert_vocab(vocab_path, FAST_READLINES).token_to_id
    for key, token in added.items():
        content = token.get("content") if isinstance(token, dict) else token
        if content not in BERT_SPECIALS.values() or str(vocab.get(content)) != str(key):
            raise UnsupportedOption(f"{where}: added token {content!r} with id {key} is not one of the vocabulary's "
                                    f"special tokens at its own id. {_FIX}")


def _check_tokenizer_json(path: Path, spec: dict[str, Any], vocab_path: Path) -> int:
    """A tokenizer.json cpmtok expresses: BertNormalizer (clean_text) + BertPreTokenizer + WordPiece over vocab.txt.

    Returns its word limit. Its normalizer flags matter only for PreTrainedTokenizerFast (checked by the caller).
    """
    normalizer, pre, model = spec.get("normalizer") or {}, spec.get("pre_tokenizer") or {}, spec.get("model") or {}
    problems = []
    if normalizer.get("type") != "BertNormalizer" or normalizer.get("clean_text") is not True:
        problems.append(f"normalizer {({k: normalizer.get(k) for k in ('type', 'clean_text')})}")
    if pre.get("type") != "BertPreTokenizer":
        problems.append(f"pre_tokenizer {pre.get('type')!r}")
    if model.get("type") != "WordPiece" or model.get("unk_token") != "[UNK]" \
            or model.get("continuing_subword_prefix") != "##":
        problems.append(f"model {({k: model.get(k) for k in ('type', 'unk_token', 'continuing_subword_prefix')})}")
    # transformers writes vocab.txt's lines as they are (its slow reading); the Rust reader trims whitespace
    # at line ends. The two differ only in entries with whitespace, which no word can match: either is vocab.txt.
    if not problems and all(model.get("vocab") != read_bert_vocab(vocab_path, reading).token_to_id
                            for reading in (PYTHON_READLINES, FAST_READLINES)):
        problems.append("model.vocab differs from vocab.txt")
    added = [t.get("content") for t in spec.get("added_tokens") or []
             if t.get("content") not in BERT_SPECIALS.values() or t.get("normalized")]
    if added:
        problems.append(f"added_tokens {added!r}")
    max_chars = model.get("max_input_chars_per_word")
    if not isinstance(max_chars, int) or isinstance(max_chars, bool) or max_chars < 1:
        problems.append(f"max_input_chars_per_word {max_chars!r}")
    if problems:
        raise UnsupportedOption(f"{path}: not a BERT WordPiece cpmtok reproduces: {'; '.join(problems)}. {_FIX}")
    return max_chars


def _name(folder: Path, marker: dict[str, Any], vocab_path: Path) -> str:
    """The preset name an export was made from, when the folder's vocabulary is that preset's file."""
    from .presets import PRESETS

    preset = PRESETS.get(marker.get("preset", ""))
    known = entry_for_file(vocab_path)
    return preset.name if preset is not None and known is not None and known[0] == preset.vocab else str(folder)


# --- CPM -----------------------------------------------------------------------------------------------

def _cpm(folder: Path, config: dict[str, Any], marker: dict[str, Any], models: list[Path],
         options: dict[str, Any]) -> Tokenizer:
    from .cpm.tokenizer import load_path

    if len(models) != 1:
        raise AmbiguousFolder(f"{folder}: {len(models)} SentencePiece models "
                              f"({', '.join(p.name for p in models) or 'none'}); a CPM folder holds exactly one "
                              "(spiece.model). Remove the others, or load the one you mean by its path.")
    if config.get("add_sep_cls"):
        raise UnsupportedOption(f"{folder / CONFIG}: add_sep_cls true appends <sep> and id 3 as transformers' "
                                "CpmTokenizer does; cpmtok appends only <eod> (add_special_tokens=True). "
                                "Set add_sep_cls false, or append the ids yourself.")
    tokenizer = load_path(folder, **options)
    tokenizer.name = _name(folder, marker, models[0])
    tokenizer.model_max_length = config.get("model_max_length")
    return tokenizer
