"""The vocabulary registry and the one place that finds and reads vocabulary files.

The registry (`cpmtok/registry.json`, written by us, shipped in the wheel) names every known file with its
sha256, size and upstream sources. The files themselves are not ours to ship: a file is recognised by its
content whatever its name, in `$CPMTOK_VOCAB_DIR`, in cpmtok's cache (where `cpmtok setup` places files) and
in the Hugging Face cache (every snapshot of the repositories the registry lists for it).
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

from . import hub
from .cache import cache_dir
from .errors import DuplicateVocabEntry, InvalidVocab, UnreadableVocab, VocabChecksumMismatch, VocabNotFound

REGISTRY_PATH = Path(__file__).resolve().with_name("registry.json")
ENV_VOCAB_DIR = "CPMTOK_VOCAB_DIR"
SHARED_VOCAB_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "vocab"  # beside a checkout
MAX_VOCAB_BYTES = 256 << 20  # the largest known vocabulary file is ~1 MB
DUPLICATES_SHOWN = 5


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


def placeable() -> list[str]:
    """Registry names `cpmtok setup` places (jieba's dictionary ships inside jieba and is checked there)."""
    return [name for name, entry in registry().items() if entry["kind"] != "jieba-dictionary"]


def placed_dir() -> Path:
    """Where `cpmtok setup` puts files: cpmtok's cache (`$CPMTOK_HOME/vocab`, else the user cache)."""
    return cache_dir("vocab")


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


# --- finding a registered file by content -------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """A directory searched for a vocabulary; `any_name`: every file of the right size is a candidate."""

    label: str
    directory: Path
    any_name: bool = True


def upstream_names(entry: dict[str, Any]) -> list[str]:
    """The registered file name and every name the upstream repositories use for it."""
    upstream = entry.get("upstream", {})
    names = [entry["file"], *(item["file"] for item in upstream.get("hub", [])), *upstream.get("names", [])]
    return list(dict.fromkeys(names))


def _local_places(extra: Iterable[Path] = ()) -> list[Place]:
    places = [Place("--from", Path(directory)) for directory in extra]
    if os.environ.get(ENV_VOCAB_DIR):
        places.append(Place(f"${ENV_VOCAB_DIR}", Path(os.environ[ENV_VOCAB_DIR])))
    places.append(Place("cpmtok's cache", placed_dir()))
    return places


def _hub_places(entry: dict[str, Any]) -> list[Place]:
    return [Place(f"Hugging Face cache ({item['repo']})", snapshot, any_name=False)
            for item in entry.get("upstream", {}).get("hub", []) for snapshot in hub.snapshots(item["repo"])]


def _candidates(place: Place, entry: dict[str, Any]) -> list[Path]:
    paths = [place.directory / name for name in upstream_names(entry)]
    if place.any_name and place.directory.is_dir():
        paths += sorted(path for path in place.directory.iterdir()
                        if path.suffix != ".partial" and path.is_file() and path.stat().st_size == entry.get("size"))
    return [path for path in dict.fromkeys(paths) if path.is_file()]


def _search(entry: dict[str, Any], places: list[Place]) -> tuple[Optional[Path], list[Path]]:
    """(the first file with the registered content, files under its names whose content differs)."""
    differing: list[Path] = []
    names = set(upstream_names(entry))
    for place in places:
        for path in _candidates(place, entry):
            if path.stat().st_size == entry.get("size", path.stat().st_size) and sha256_of(path) == entry["sha256"]:
                return path, differing
            if path.name == entry["file"]:
                differing.append(path)
    return None, differing


def _where_to_get(name: str, entry: dict[str, Any]) -> str:
    upstream = entry.get("upstream", {})
    repos = ", ".join(f"{item['repo']} ({item['file']})" for item in upstream.get("hub", []))
    hub_line = (f"`cpmtok setup {name} --download` (needs huggingface_hub) fetches it from the Hugging Face Hub: "
                f"{repos}; " if repos else "")
    return (f"Fix: `cpmtok setup {name} --from DIR` with a directory that holds it under any name "
            f"(e.g. {', '.join(upstream_names(entry))}), or set {ENV_VOCAB_DIR}=DIR; {hub_line}"
            f"first published as {upstream.get('source', 'see the registry')}.")


def not_found(name: str, entry: dict[str, Any], places: list[Place]) -> VocabNotFound:
    """The error naming the file, every place looked and where to get it."""
    repos = [item["repo"] for item in entry.get("upstream", {}).get("hub", [])]
    looked = [f"{place.label}: {place.directory}" for place in places if place.any_name]
    if repos:
        looked.append(f"the Hugging Face cache {hub.cache_dir()}: every snapshot of {', '.join(repos)} "
                      f"({sum(not place.any_name for place in places)} snapshots cached)")
    return VocabNotFound(
        f"vocabulary {name!r} ({entry['file']}, {entry.get('size', '?')} bytes, sha256 {entry['sha256']}) not "
        f"found. Looked in: {'; '.join(looked)}. {_where_to_get(name, entry)}")


def _mismatch(name: str, entry: dict[str, Any], differing: list[Path]) -> VocabChecksumMismatch:
    return VocabChecksumMismatch(
        f"{differing[0]}: sha256 {sha256_of(differing[0])} is not the registered {entry['sha256']} for "
        f"{entry['file']} ({name}); the file is corrupt or another vocabulary, and no copy with the registered "
        "content was found. Replace it, or pass allow_checksum_mismatch=True (CLI: --allow-checksum-mismatch) "
        "to use it anyway.")


def locate(name: str, *, allow_checksum_mismatch: bool = False) -> Path:
    """Path of the registered file `name`, found by content; typed errors say where it looked and what to do.

    Order: `$CPMTOK_VOCAB_DIR`, cpmtok's cache, the Hugging Face cache. A file under the registered
    name with other content is used only with `allow_checksum_mismatch`.
    """
    entry = registry_entry(name)
    places = _local_places() + _hub_places(entry)
    found, differing = _search(entry, places)
    if found is not None:
        return found
    if differing and allow_checksum_mismatch:
        return differing[0]
    if differing:
        raise _mismatch(name, entry, differing)
    raise not_found(name, entry, places)


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


def setup(source_dirs: Iterable[Path] = (), *, names: Optional[Iterable[str]] = None,
          download: bool = False) -> dict[str, Path]:
    """Place registered files into cpmtok's cache, each from the first source holding its content.

    Sources, in order: `source_dirs` (files under any name), `$CPMTOK_VOCAB_DIR`, `../shared/vocab`
    beside a checkout, the Hugging Face cache, and with `download` the Hub (huggingface_hub). Every
    file is checked by sha256 and written whole (temporary name, then renamed). Files found are placed
    even when others are missing; then VocabNotFound names each missing one and where to get it.
    """
    wanted = list(names) if names is not None else placeable()
    unknown = [name for name in wanted if name not in registry()]
    if unknown:
        raise VocabNotFound(f"no registered vocabulary named {', '.join(map(repr, unknown))}; "
                            f"known: {', '.join(placeable())}")
    target_dir = placed_dir()
    placed: dict[str, Path] = {}
    errors: list[VocabNotFound | VocabChecksumMismatch] = []
    for name in wanted:
        entry = registry_entry(name)
        target = target_dir / entry["file"]
        places = _local_places(source_dirs) + [Place("beside the checkout", SHARED_VOCAB_DIR)] + _hub_places(entry)
        found, differing = _search(entry, [Place("cpmtok's cache", target_dir, any_name=False)] + places)
        tried: list[str] = []
        if found is None and download:
            found, tried = _download(entry)
        if found is None:
            error = _mismatch(name, entry, differing) if differing else not_found(name, entry, places)
            errors.append(type(error)(" ".join([str(error), *tried])))
            continue
        if found != target:
            target_dir.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            shutil.copyfile(found, partial)
            os.replace(partial, target)
        placed[name] = target
    if len(errors) == 1 and not placed:
        raise errors[0]
    if errors:
        done = f"placed: {', '.join(placed)}; " if placed else ""
        raise VocabNotFound(f"{done}{len(errors)} not placed:\n" + "\n".join(map(str, errors)))
    return placed


def _download(entry: dict[str, Any]) -> tuple[Optional[Path], list[str]]:
    """The first upstream Hub file with the registered content (fetched into the Hugging Face cache), and
    what each failed try gave."""
    tried = []
    for item in entry.get("upstream", {}).get("hub", []):
        path, why = hub.download(item["repo"], item["file"])
        if path is not None and sha256_of(path) == entry["sha256"]:
            return path, tried
        tried.append(f"Download {item['repo']}/{item['file']}: {why or 'other content (sha256 differs)'}.")
    return None, tried


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
