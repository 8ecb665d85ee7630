"""CPM-Generate's tokenizer (TsinghuaAI/CPM-Generate, CPM-LM 2.6B) as a transformers tokenizer.

Written by cpmtok's export into a model folder, used through
`AutoTokenizer.from_pretrained(folder, trust_remote_code=True)` (transformers 4.57 and 5.x). It needs
transformers, sentencepiece and jieba 0.42.1 -- not cpmtok.

Encoding is CPM-Generate's: `jieba.cut(text, cut_all=False)` (HMM on), space -> U+2582 and newline ->
U+2583 inside each word, words joined with one space, SentencePiece `encode`. With `vocab.json` in the
folder it is the first release's: SentencePiece piece strings mapped through vocab.json, unknown -> 0.
Decoding is CPM-Generate's: SentencePiece decode, remove spaces, U+2582 -> space, U+2583 -> newline.

Why not transformers' CpmTokenizer: its slow class no longer runs jieba, its fast class (4.x) runs
rjieba with HMM off, 5.x runs no segmenter at all, and both append <sep><cls>. Here nothing is
appended unless `add_sep_cls=True`, and special-token strings in the text ("<eod>") stay plain text,
as in CPM-Generate. The segmenter is a private `jieba.Tokenizer()`, so `jieba.add_word` & co. on
the process-wide jieba do not change the ids (except `jieba.del_word`, which jieba applies to its
shared HMM module), and its dictionary cache lives in a per-user folder, not the shared temp folder.
"""

import json
import os
import shutil
import tempfile

import jieba
import sentencepiece as spm
from transformers import PreTrainedTokenizer

JIEBA_VERSION = "0.42.1"
SPACE_AND_NEWLINE = str.maketrans(" \n", "\u2582\u2583")
SEP_ID, CLS_ID = 4, 3  # <sep>, and <cls> (v0) / U+2583 (current model): what CpmTokenizer appends


def jieba_cache_dir():
    """Where the private jieba keeps its dictionary cache: $CPM_TOKENIZER_CACHE, else a per-user folder."""
    configured = os.environ.get("CPM_TOKENIZER_CACHE")
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "cpm_generate_tokenizer")


def private_jieba():
    """A jieba 0.42.1 segmenter of our own (never the module-level `jieba.dt`)."""
    if jieba.__version__ != JIEBA_VERSION:
        raise ImportError(
            f"CPM-Generate's ids need jieba=={JIEBA_VERSION} (found {jieba.__version__}): "
            f"pip install jieba=={JIEBA_VERSION}"
        )
    segmenter = jieba.Tokenizer()
    cache_dir = jieba_cache_dir()
    try:
        os.makedirs(cache_dir, mode=0o700, exist_ok=True)
    except OSError:
        cache_dir = tempfile.mkdtemp(prefix="cpm_generate_jieba_")
    segmenter.tmp_dir = cache_dir
    segmenter.cache_file = f"jieba-{JIEBA_VERSION}-default-dict.cache"
    return segmenter


class CpmGenerateTokenizer(PreTrainedTokenizer):
    """jieba + SentencePiece exactly as CPM-Generate; ids with no special tokens unless `add_sep_cls`."""

    vocab_files_names = {"vocab_file": "spiece.model", "vocab_json_file": "vocab.json"}
    model_input_names = ["input_ids", "attention_mask"]

    def __init__(self, vocab_file, vocab_json_file=None, add_sep_cls=False, unk_token="<unk>",
                 bos_token="<s>", eos_token="<eod>", sep_token="<sep>", pad_token="<pad>",
                 mask_token="<mask>", **kwargs):
        self.vocab_file = vocab_file
        self.vocab_json_file = vocab_json_file
        self.add_sep_cls = add_sep_cls
        self.sp = spm.SentencePieceProcessor(model_file=vocab_file)
        if vocab_json_file:  # first release: piece strings -> ids through vocab.json
            with open(vocab_json_file, encoding="utf-8") as f:
                self.encoder = json.load(f)
        else:
            self.encoder = {self.sp.id_to_piece(i): i for i in range(self.sp.get_piece_size())}
        self.decoder = {i: piece for piece, i in self.encoder.items()}
        self.segmenter = private_jieba()
        kwargs.setdefault("clean_up_tokenization_spaces", False)
        super().__init__(unk_token=unk_token, bos_token=bos_token, eos_token=eos_token, sep_token=sep_token,
                         pad_token=pad_token, mask_token=mask_token, add_sep_cls=add_sep_cls, **kwargs)

    @property
    def vocab_size(self):
        return len(self.encoder)

    def get_vocab(self):
        return dict(self.encoder)

    def segment(self, text):
        """CPM-Generate's SentencePiece input: jieba words, space/newline substituted, joined by spaces."""
        return " ".join(word.translate(SPACE_AND_NEWLINE) for word in self.segmenter.cut(text, cut_all=False))

    def tokenize(self, text, **kwargs):
        """Pieces of the whole text: no added-token matching, so "<eod>" in the text stays text."""
        return self._tokenize(text)

    def _tokenize(self, text, **kwargs):
        return self.sp.encode(self.segment(text), out_type=str)

    def _convert_token_to_id(self, token):
        if self.vocab_json_file:
            return self.encoder.get(token, 0)
        return self.sp.piece_to_id(token)

    def _convert_id_to_token(self, index):
        return self.decoder.get(index, self.unk_token)

    def convert_tokens_to_string(self, tokens):
        return self.sp.decode_pieces(list(tokens)).replace(" ", "").replace("\u2582", " ").replace("\u2583", "\n")

    def _decode(self, token_ids, skip_special_tokens=False, clean_up_tokenization_spaces=None, **kwargs):
        """CPM-Generate's decode (v0: ids -> vocab.json pieces -> SentencePiece)."""
        if isinstance(token_ids, int):
            token_ids = [token_ids]
        if skip_special_tokens:
            special = set(self.all_special_ids)
            token_ids = [i for i in token_ids if i not in special]
        if self.vocab_json_file:
            return self.convert_tokens_to_string([self.decoder.get(i, "<unk>") for i in token_ids])
        return self.sp.decode([int(i) for i in token_ids]).replace(" ", "").replace(
            "\u2582", " ").replace("\u2583", "\n")

    def build_inputs_with_special_tokens(self, token_ids_0, token_ids_1=None):
        ids = list(token_ids_0) + (list(token_ids_1) if token_ids_1 else [])
        return ids + [SEP_ID, CLS_ID] if self.add_sep_cls else ids

    def get_special_tokens_mask(self, token_ids_0, token_ids_1=None, already_has_special_tokens=False):
        if already_has_special_tokens:
            special = set(self.all_special_ids)
            return [1 if i in special else 0 for i in token_ids_0]
        length = len(token_ids_0) + (len(token_ids_1) if token_ids_1 else 0)
        return [0] * length + ([1, 1] if self.add_sep_cls else [])

    def create_token_type_ids_from_sequences(self, token_ids_0, token_ids_1=None):
        return [0] * len(self.build_inputs_with_special_tokens(token_ids_0, token_ids_1))

    def save_vocabulary(self, save_directory, filename_prefix=None):
        prefix = f"{filename_prefix}-" if filename_prefix else ""
        saved = []
        for source, name in [(self.vocab_file, "spiece.model"), (self.vocab_json_file, "vocab.json")]:
            if source:
                target = os.path.join(save_directory, prefix + name)
                if os.path.abspath(source) != os.path.abspath(target):
                    shutil.copyfile(source, target)
                saved.append(target)
        return tuple(saved)
