"""Mutations of corpus records (texts) and of the ids they encode to: the campaign's inputs.

Each text starts as a slice of a record (or two spliced), then takes 0-4 edits that reach what corpus
text rarely has: every plane, lone surrogates, controls, combining marks, CJK extensions, emoji, every
Unicode whitespace, special-token strings, long words, case and normalisation changes.
"""

from __future__ import annotations

import random
import unicodedata
from typing import Callable, Sequence

WHITESPACE = "\t\n\x0b\x0c\r \x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006" \
             "\u2007\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
SPECIALS = ("[CLS]", "[SEP]", "[UNK]", "[PAD]", "[MASK]", "<eod>", "<unk>", "<pad>", "<s>", "</s>", "▂", "▃",
            "##", "##a", "[unused1]", "\u2581")
PICKY = "İıẞßΣσςﬁﬀÅÅǅǲŉΐ\u0345Ꭰꭰ\u0130\u212a\u2126\ufb01"


def random_char(rng: random.Random) -> str:
    kind = rng.randrange(12)
    if kind == 0:
        return chr(rng.randrange(0x110000))  # any code point, surrogates included
    if kind == 1:
        return chr(rng.choice([rng.randrange(0x20), rng.randrange(0x7F, 0xA0), 0xAD, 0x200D, 0xFFFD, 0xFEFF]))
    if kind == 2:
        return chr(rng.choice([rng.randrange(0x300, 0x370), rng.randrange(0x1AB0, 0x1B00),
                               rng.randrange(0x20D0, 0x2100), rng.randrange(0xFE20, 0xFE30)]))
    if kind == 3:
        return chr(rng.choice([rng.randrange(0x3400, 0x4DC0), rng.randrange(0x20000, 0x2A6E0),
                               rng.randrange(0x2A700, 0x2EBF0), rng.randrange(0x30000, 0x3134B),
                               rng.randrange(0xF900, 0xFB00), rng.randrange(0x2F800, 0x2FA20)]))
    if kind == 4:
        return chr(rng.choice([rng.randrange(0x1F300, 0x1FAFF), rng.randrange(0x2600, 0x27C0),
                               rng.randrange(0x1F1E6, 0x1F200), 0xFE0F, rng.randrange(0x1F3FB, 0x1F400)]))
    if kind == 5:
        return rng.choice(WHITESPACE)
    if kind == 6:
        return chr(rng.choice([0xD800, 0xDBFF, 0xDC00, 0xDFFF, rng.randrange(0xD800, 0xE000)]))
    if kind == 7:
        return rng.choice(PICKY)
    if kind == 8:
        return chr(rng.choice([rng.randrange(0xE000, 0xF900), rng.randrange(0xF0000, 0x110000),
                               rng.randrange(0xE0000, 0xE0080), rng.randrange(0x10000, 0x20000)]))
    if kind == 9:
        return chr(rng.randrange(0x21, 0x7F))
    if kind == 10:
        return chr(rng.randrange(0x3000, 0x3100))  # CJK punctuation, kana
    return chr(rng.randrange(0x4E00, 0xA000))


def _slice(rng: random.Random, text: str) -> str:
    size = min(len(text), int(rng.expovariate(1 / 40)) + 1)
    start = rng.randrange(len(text) - size + 1) if text else 0
    return text[start:start + size]


def _edit(rng: random.Random, text: str, records: Sequence[str]) -> str:
    at = rng.randrange(len(text) + 1)
    op = rng.randrange(10)
    if op <= 2:
        return text[:at] + "".join(random_char(rng) for _ in range(rng.randint(1, 4))) + text[at:]
    if op == 3:
        return text[:at] + rng.choice(SPECIALS) + text[at:]
    if op == 4:
        return text[:at] + rng.choice(WHITESPACE) * rng.randint(1, 6) + text[at:]
    if op == 5:  # a long word
        return text[:at] + rng.choice(["a", "中", "é", "ab", "1"]) * rng.randint(90, 260) + text[at:]
    if op == 6:
        end = min(len(text), at + rng.randint(1, 8))
        return text[:at] + text[end:]
    if op == 7:
        end = min(len(text), at + rng.randint(1, 16))
        return text[:end] + text[at:end] * rng.randint(1, 3) + text[end:]
    if op == 8:
        return rng.choice([str.upper, str.lower, str.swapcase, str.title, str.casefold])(text)
    if op == 9:
        return unicodedata.normalize(rng.choice(["NFC", "NFD", "NFKC", "NFKD"]), text)
    return text + _slice(rng, rng.choice(records))


def text_inputs(rng: random.Random, records: Sequence[str]) -> Callable[[], str]:
    def one() -> str:
        text = _slice(rng, rng.choice(records))
        if rng.random() < 0.2:
            text += rng.choice(["", " ", "\n"]) + _slice(rng, rng.choice(records))
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
            text = _edit(rng, text, records)
        return text
    return one


def mutated_ids(rng: random.Random, ids: list[int], vocab_size: int, special: Sequence[int]) -> list[int]:
    """`ids` with 0-3 edits: any id or a special one inserted, one dropped, a run repeated, two swapped."""
    ids = list(ids)
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        at = rng.randrange(len(ids) + 1)
        op = rng.randrange(5)
        if op == 0:
            ids.insert(at, rng.randrange(vocab_size))
        elif op == 1:
            ids.insert(at, rng.choice(special))
        elif op == 2 and ids:
            del ids[min(at, len(ids) - 1)]
        elif op == 3:
            ids[at:at] = ids[at:at + rng.randint(1, 4)]
        elif len(ids) > 1:
            i, j = rng.randrange(len(ids)), rng.randrange(len(ids))
            ids[i], ids[j] = ids[j], ids[i]
    return ids
