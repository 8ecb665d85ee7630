"""Typed errors: every failure names the problem, the file or input involved, and how to fix it."""

from __future__ import annotations


class CpmtokError(Exception):
    """Base class of every error cpmtok raises on purpose."""


class UnknownTokenizer(CpmtokError, ValueError):
    """`cpmtok.load` got a name that is no preset, no registry entry and no existing path."""


class VocabNotFound(CpmtokError, FileNotFoundError):
    """A vocabulary file is not where cpmtok looked; the message says where it looked and how to place it."""


class VocabChecksumMismatch(CpmtokError, ValueError):
    """A registered vocabulary file has another sha256 than the registry records."""


class InvalidVocab(CpmtokError, ValueError):
    """A vocabulary file is malformed (empty, not UTF-8, missing a required entry, ...); names file and line."""


class UnreadableVocab(InvalidVocab):
    """A vocabulary path is no regular file of sane size (a directory, FIFO, device, or too large); refused
    before it is opened, so /dev/zero or a FIFO cannot exhaust memory or hang the load."""


class UnsupportedText(CpmtokError, TypeError):
    """The text cannot be encoded by the chosen reference behaviour (the reference raises too)."""


class UnknownDialect(CpmtokError, ValueError):
    """A BERT dialect name that is none of cpmtok.bert.dialects.DIALECTS; the message lists them."""


class InvalidInput(CpmtokError, ValueError):
    """A record of an input file (CLI) is not what was promised: not UTF-8, not JSON, no "text" field."""


class InvalidModel(CpmtokError, ValueError):
    """A GPT-2 weights file or directory is malformed: missing/unknown keys, wrong shapes; names them."""


class UnsupportedModel(InvalidModel):
    """A GPT-2 config or checkpoint asks for something the NumPy model does not implement; names the key."""


class UnsafeModelFile(InvalidModel):
    """A pytorch_model.bin pickle names a global other than the tensor-rebuild ones; nothing was executed."""


class UnsafeShardPath(InvalidModel):
    """A sharded model's index names a file outside the model folder (an absolute path, `..`, a symlink out)."""


class NonFiniteWeights(InvalidModel):
    """Weights hold NaN or infinity (in the file, or by overflow in the asked-for dtype); `allow_nonfinite` loads them."""


class VocabMismatch(InvalidVocab):
    """Two vocabulary files that must belong together do not (a vocab.json that does not fit its .model)."""


class UnsupportedOption(CpmtokError, ValueError):
    """An option that the chosen reference behaviour cannot combine with the others; names both."""


class UnsupportedDependency(CpmtokError, RuntimeError):
    """A reference package is missing or another version than the one whose behaviour cpmtok reproduces."""


class ExportTargetNotEmpty(CpmtokError, FileExistsError):
    """`cpmtok export` was pointed at a folder that already holds files, without `force`; nothing was written."""


class NotExpressible(CpmtokError, ValueError):
    """An export format cannot reproduce the asked-for behaviour exactly (e.g. the google dialect in a
    tokenizer.json); the message names the differences and the explicit opt-in (`approximate`)."""


class DuplicateVocabEntry(UserWarning):
    """A vocabulary file repeats an entry; the warning names both lines and which id wins (as the reference)."""


class UnknownDecodeStyle(CpmtokError, ValueError):
    """`decode` got a style or reference name that is unknown, or one the tokenizer's family does not offer."""


class InvalidIds(CpmtokError, ValueError):
    """`decode` got something that is not a sequence of ids of this vocabulary; names the first bad one."""


class WorkerDied(CpmtokError, RuntimeError):
    """An encoding worker process died (killed, out of memory); the batch was abandoned, other workers stopped."""


class NativeUnavailable(UserWarning):
    """cpmtok's C extension is not built here: CPM runs its pure-Python segmenter (same ids, slower). Said once."""


class InvalidOption(CpmtokError, ValueError):
    """An option is out of range, contradicts another or names what is not there: an argument of `tok(...)`
    (padding, truncation, max_length, stride, pad_to_multiple_of, padding_side, return_tensors) or of a corpus run
    (`--workers 0`, `--format megatron` without `--output`, `--resume` with no unfinished run); the message names
    it and what it accepts."""


class MissingSpecialToken(CpmtokError, ValueError):
    """An operation needs a special token (the pad token to pad) that this vocabulary does not have."""


class BatchOptionWarning(UserWarning):
    """`tok(...)` adjusted an option as transformers adjusts it (max_length alone truncates; padding or truncation
    without any length does nothing); the message says what happened and how to say it explicitly."""


class SpecialTokenInText(CpmtokError, ValueError):
    """The text holds a special token string ("[SEP]", "<eod>") that `disallowed_special` refuses."""


class UnsupportedOption(CpmtokError, ValueError):
    """A model folder (tokenizer_config.json, tokenizer.json) asks for behaviour cpmtok cannot reproduce exactly;
    names the file, the option and its value, so no id ever differs in silence."""


class InvalidTokenizerConfig(CpmtokError, ValueError):
    """A model folder's tokenizer_config.json / tokenizer.json / cpmtok.json is not the JSON object it must be."""


class AmbiguousFolder(CpmtokError, ValueError):
    """A model folder holds several candidate vocabulary files (e.g. two .model files); names them."""
