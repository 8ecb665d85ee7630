"""The vocabulary registry and the one place that reads vocabulary files.

The registry (`vocab/registry.json`, written by us) names every known file with its sha256. The
files themselves are not ours to commit: `cpmtok setup` copies them into `vocab/` (git-ignored)
from `../shared/vocab`, `$CPMTOK_VOCAB_DIR` or a directory the user names, checking each sha256.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from .errors import DuplicateVocabEntry, InvalidVocab, UnreadableVocab, VocabChecksumMismatch, VocabNotFound

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VOCAB_DIR = PROJECT_ROOT / "vocab"
REGISTRY_PATH = VOCAB_DIR / "registry.json"
ENV_VOCAB_DIR = "CPMTOK_VOCAB_DIR"
SHARED_VOCAB_DIR = PROJECT_ROOT.parent / "shared" / "vocab"
MAX_VOCAB_BYTES = 256 << 20  # the largest known vocabulary file is ~1 MB
DUPLICATES_SHOWN = 5


def cache_dir() -> Path:
    """Where cpmtok keeps what it derives from vocabulary files (prepared tables), built once, checked on use."""
    return VOCAB_DIR


@lru_cache(maxsize=1)
def registry() -> dict[str, dict[str, Any]]:
    """Registry entries by name (`bert-base-chinese`, `cpm`, ...)."""
    with open(REGISTRY_PATH, encoding="utf-8") as f:
        return json.load(f)["vocabularies"]


def registry_entry(name: str) -> dict[str, Any]:
    return registry()[name]


def regular_file(path: str | Path) -> Path:
    """`path`, known to be a regular file of at most MAX_VOCAB_BYTES before anything opens it (opening a
    FIFO blocks, /dev/zero and /dev/urandom never end)."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise VocabNotFound(f"{path}: no such vocabulary file") from None
    except OSError as err:
        raise UnreadableVocab(f"{path}: cannot be read ({err.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = ("a directory" if stat.S_ISDIR(info.st_mode) else "a FIFO" if stat.S_ISFIFO(info.st_mode)
                else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "no regular file")
        raise UnreadableVocab(f"{path}: is {kind}, not a regular vocabulary file")
    if info.st_size > MAX_VOCAB_BYTES:
        raise UnreadableVocab(f"{path}: {info.st_size:,} bytes; a vocabulary file has at most {MAX_VOCAB_BYTES:,}")
    return path


def sha256_of(path: Path) -> str:
    regular_file(path)
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def entry_for_file(path: Path) -> Optional[tuple[str, dict[str, Any]]]:
    """The registry entry whose sha256 equals this file's, if any (recognises renamed copies)."""
    digest = sha256_of(path)
    for name, entry in registry().items():
        if entry["sha256"] == digest:
            return name, entry
    return None


def _search_dirs() -> list[Path]:
    dirs = [VOCAB_DIR]
    if os.environ.get(ENV_VOCAB_DIR):
        dirs.append(Path(os.environ[ENV_VOCAB_DIR]))
    return dirs


def locate(name: str, *, allow_checksum_mismatch: bool = False) -> Path:
    """Path of the registered file `name`, found and checked; typed errors say what to do otherwise."""
    entry = registry_entry(name)
    looked = [directory / entry["file"] for directory in _search_dirs()]
    for path in looked:
        if path.is_file():
            verify(path, entry, allow_checksum_mismatch=allow_checksum_mismatch)
            return path
    where = ", ".join(str(p) for p in looked)
    raise VocabNotFound(
        f"vocabulary file {entry['file']!r} ({name}) not found; looked at: {where}. "
        f"Run `cpmtok setup` (copies it from {SHARED_VOCAB_DIR}), or `cpmtok setup --from DIR`, "
        f"or set {ENV_VOCAB_DIR}=DIR to a directory that holds it."
    )


def verify(path: Path, entry: dict[str, Any], *, allow_checksum_mismatch: bool = False) -> None:
    """Raise VocabChecksumMismatch unless the file's sha256 is the registered one (or the user overrides)."""
    if allow_checksum_mismatch:
        return
    actual = sha256_of(path)
    if actual != entry["sha256"]:
        raise VocabChecksumMismatch(
            f"{path}: sha256 {actual} is not the registered {entry['sha256']} for {entry['file']}; "
            "the file is corrupt or another vocabulary. Pass allow_checksum_mismatch=True "
            "(CLI: --allow-checksum-mismatch) to use it anyway."
        )


def setup(source_dirs: Iterable[Path] = (), *, names: Optional[Iterable[str]] = None) -> dict[str, Path]:
    """Copy every registered file that is not yet in `vocab/` from the first source that has it.

    Sources, in order: `source_dirs`, `$CPMTOK_VOCAB_DIR`, `../shared/vocab`. Each copy is checked
    by sha256 before it is placed (written to a temporary name, then renamed). Files that ship
    inside a package (jieba's dictionary) are checked where they are, by the family that uses them.
    """
    sources = [Path(d) for d in source_dirs]
    if os.environ.get(ENV_VOCAB_DIR):
        sources.append(Path(os.environ[ENV_VOCAB_DIR]))
    sources.append(SHARED_VOCAB_DIR)
    placed: dict[str, Path] = {}
    wanted = list(names) if names is not None else [
        name for name, entry in registry().items() if entry["kind"] != "jieba-dictionary"]
    for name in wanted:
        entry = registry_entry(name)
        target = VOCAB_DIR / entry["file"]
        if target.is_file() and sha256_of(target) == entry["sha256"]:
            placed[name] = target
            continue
        candidates = [d / entry["file"] for d in sources if (d / entry["file"]).is_file()]
        if not candidates:
            raise VocabNotFound(
                f"cannot set up {entry['file']!r} ({name}): not in any of "
                f"{', '.join(str(d) for d in sources)}. Name a directory that holds it: "
                f"`cpmtok setup --from DIR` or {ENV_VOCAB_DIR}=DIR."
            )
        source = candidates[0]
        verify(source, entry)
        partial = target.with_name(target.name + ".partial")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
        placed[name] = target
    return placed


def read_text_utf8(path: Path) -> str:
    """A whole text file as str; InvalidVocab naming the line of the first byte that is not UTF-8."""
    raw = regular_file(path).read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InvalidVocab(f"{path}: line {line} is not UTF-8 ({err.reason} at byte {err.start})") from None


# --- BERT vocab.txt -------------------------------------------------------------------------------
# The references read the same file differently, and those differences show in the ids of odd files:
# transformers' BertTokenizer takes readlines() and rstrip("\n") (universal newlines, so a lone "\r" ends a
# line too), and so does BertTokenizerFast, which builds its Rust WordPiece from that reading; Google's
# load_vocab strip()s both ends and gives ids only to first occurrences, so a duplicate shifts every later
# id. bert-base-chinese has two such lines: 344 is U+2028 (Google reads ""), 13503 is "##\u2028" (Google: "##").

@dataclass(frozen=True)
class BertVocab:
    """`tokens[id]` and `token_to_id[token]` as one reference reads a vocab.txt, and the file's whole lines
    (`lines[id]`, as transformers reads them: what its two decodes print)."""

    path: Path
    tokens: list[str]
    token_to_id: dict[str, int]
    lines: list[str]


def _python_lines(text: str) -> list[str]:
    """readlines() + rstrip("\n") in text mode: universal newlines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _stripped_lines(text: str) -> list[str]:
    """Google's load_vocab: text-mode lines, strip() at both ends."""
    return [line.strip() for line in _python_lines(text)]


@dataclass(frozen=True)
class VocabReading:
    """How one reference turns vocab.txt into entries: its line rule, and which of two equal entries wins."""

    name: str
    lines: Callable[[str], list[str]]
    first_duplicate_wins: bool  # Google: later ids move down by one; HF: the last line's id wins
    adds_missing_specials: bool = False  # transformers: a special token the file lacks gets the next id


PYTHON_READLINES = VocabReading("transformers' load_vocab (readlines, rstrip \"\\n\")", _python_lines, False,
                                adds_missing_specials=True)
# BertTokenizerFast reads the file through the same load_vocab, but refuses a file without [CLS]/[SEP].
FAST_READLINES = VocabReading("BertTokenizerFast (transformers' load_vocab, then the Rust WordPiece)", _python_lines,
                              False)
GOOGLE_LOAD_VOCAB = VocabReading("Google's load_vocab (strip, first occurrence)", _stripped_lines, True)


def read_bert_vocab(path: Path, reading: VocabReading, *, unk_token: str = "[UNK]") -> BertVocab:
    """A BERT vocab.txt as one reference reads it (`reading`: a dialect's `vocab_reading`).

    InvalidVocab (naming the file and line) for: not UTF-8, empty, no `unk_token` (hf-slow adds the
    special tokens the file lacks, as transformers does). Duplicate entries
    are what the reference does, with one warning counting them, naming the first few lines and which id
    wins: the last for HF (slow and fast), the first for Google, whose later ids then move down by one.
    """
    path = Path(path)
    text = read_text_utf8(path)
    lines = reading.lines(text)
    if not lines:
        raise InvalidVocab(f"{path}: the vocabulary file is empty (expected one WordPiece entry per line)")
    seen: dict[str, int] = {}  # token -> first line number (1-based)
    tokens: list[str] = []
    token_to_id: dict[str, int] = {}
    repeats: list[tuple[int, int, str]] = []  # (line, first line, token)
    for number, token in enumerate(lines, start=1):
        if token in seen:
            repeats.append((number, seen[token], token))
            if reading.first_duplicate_wins:
                continue
        else:
            seen[token] = number
        token_to_id[token] = len(tokens) if reading.first_duplicate_wins else number - 1
        tokens.append(token)
    if repeats:
        _warn_repeats(path, repeats, reading.first_duplicate_wins)
    whole_lines = list(lines) if reading.lines is _python_lines else _python_lines(text)
    if reading.adds_missing_specials:
        _add_missing_specials(token_to_id, tokens, whole_lines)
    if unk_token not in token_to_id:
        raise InvalidVocab(f"{path}: no line is {unk_token!r} ({len(lines)} lines read); a BERT vocab.txt needs it")
    return BertVocab(path, tokens, token_to_id, whole_lines)


HF_SLOW_ADDED_SPECIALS = ("[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]")  # in the order transformers adds them


def _add_missing_specials(token_to_id: dict[str, int], *by_id: list[str]) -> None:
    """transformers' BertTokenizer gives a special token its vocab.txt lacks the next id (`len(tokenizer)`):
    it is then matched in text and decoded like the others. `by_id`: the lists indexed by id to update."""
    for token in HF_SLOW_ADDED_SPECIALS:
        if token not in token_to_id:
            token_to_id[token] = new_id = len(token_to_id)
            for entries in by_id:
                if new_id < len(entries):  # a repeated line left the distinct count below the line count
                    entries[new_id] = token
                else:
                    entries.append(token)


def _warn_repeats(path: Path, repeats: list[tuple[int, int, str]], first_wins: bool) -> None:
    """One warning for all of a file's repeated entries: how many, and the first few."""
    shown = "; ".join(f"line {number} repeats line {first} ({token!r:.40}; line {first if first_wins else number} wins)"
                      for number, first, token in repeats[:DUPLICATES_SHOWN])
    rule = ("the first entry wins and later ids move down by one, as Google's load_vocab does" if first_wins
            else "the last entry wins, as the HF reference does")
    more = f"; and {len(repeats) - DUPLICATES_SHOWN:,} more" if len(repeats) > DUPLICATES_SHOWN else ""
    warnings.warn(f"{path}: {len(repeats):,} lines repeat an earlier entry ({rule}): {shown}{more}",
                  DuplicateVocabEntry, stacklevel=3)
