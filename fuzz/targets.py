"""What the campaign compares: every cpmtok encoder and decoder beside the live reference it reproduces.

An input is `same` when both give equal results, or both refuse it (cpmtok with a typed CpmtokError, or
with the very exception type the reference raises itself, as bert4keras' IndexError); `mismatch` when
the results differ or only one side refuses; `untyped` when cpmtok raises anything else.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the references the tests use

import cpmtok  # noqa: E402
from cpmtok.errors import CpmtokError  # noqa: E402

BERT_VOCABS = ("bert-base-chinese", "clue-small")
CPM_PRESETS = ("cpm", "cpm-v0")


@dataclass(frozen=True)
class Target:
    name: str
    family: str  # "bert" or "cpm": which inputs it takes and which worker group runs it
    takes: str  # "text" or "ids"
    ours: Callable[[Any], Any]
    reference: Callable[[Any], Any]
    tokenizer: Any  # cpmtok's, whose vocabulary an "ids" target's inputs are drawn from


@dataclass(frozen=True)
class Outcome:
    verdict: str  # "same", "mismatch" or "untyped"
    ours: Any
    reference: Any


def compare(target: Target, value: Any) -> Outcome:
    try:
        want: Any = target.reference(value)
        refused: type | None = None
    except Exception as err:  # noqa: BLE001  (the reference's own refusal is part of its behaviour)
        want, refused = err, type(err)
    try:
        got: Any = target.ours(value)
    except CpmtokError as err:
        return Outcome("same" if refused else "mismatch", err, want)
    except Exception as err:  # noqa: BLE001
        return Outcome("same" if refused is type(err) else "untyped", err, want)
    return Outcome("same" if refused is None and got == want else "mismatch", got, want)


def bert_targets() -> list[Target]:
    from bert_references import DIALECTS, reference
    from decode_references import bert4keras_tokenizer, hf_decoder

    targets = []
    for vocab in BERT_VOCABS:
        for dialect in DIALECTS:
            tok = cpmtok.load(vocab, dialect=dialect)
            targets.append(Target(f"encode {vocab} {dialect}", "bert", "text", tok.encode_ids,
                                  reference(dialect, vocab), tok))
        tok = cpmtok.load(vocab)
        fast, slow, b4k = hf_decoder("hf-fast", vocab), hf_decoder("hf-slow", vocab), bert4keras_tokenizer(vocab)
        targets += [
            Target(f"decode {vocab} hf-fast", "bert", "ids",
                   lambda ids, tok=tok: tok.decode(ids, style="reference"), fast.decode, tok),
            Target(f"decode {vocab} hf-fast skip_special_tokens", "bert", "ids",
                   lambda ids, tok=tok: tok.decode(ids, style="reference", skip_special_tokens=True),
                   lambda ids, fast=fast: fast.decode(ids, skip_special_tokens=True), tok),
            Target(f"decode {vocab} hf-slow", "bert", "ids",
                   lambda ids, tok=tok: tok.decode(ids, style="reference", reference="hf-slow"), slow.decode, tok),
            Target(f"decode {vocab} bert4keras", "bert", "ids",
                   lambda ids, tok=tok: tok.decode(ids, style="bert4keras"), b4k.decode, tok),
        ]
    return targets


def cpm_targets() -> list[Target]:
    from cpm_references import recipe
    from decode_references import cpm_generate_decoder

    targets = []
    for preset in CPM_PRESETS:
        tok = cpmtok.load(preset)
        targets += [
            Target(f"encode {preset}", "cpm", "text", tok.encode_ids, recipe(preset).encode, tok),
            Target(f"decode {preset}", "cpm", "ids",
                   lambda ids, tok=tok: tok.decode(ids, style="reference"), cpm_generate_decoder(preset), tok),
        ]
    return targets


def targets_of(families: Sequence[str]) -> list[Target]:
    return [target for family in families for target in {"bert": bert_targets, "cpm": cpm_targets}[family]()]
