"""CPM ids -> text: CPM-Generate's decode reproduced, the natural decode, and the round-trip unit.

`CpmDecoding` is what a `CpmTokenizer` gives cpmtok.decode (`tok.decoding`). The reference decode (also
style `cpm-generate`) is CPM-Generate's `GPT2Tokenizer.decode`: `sp.decode(ids)`, then remove every space
(the spaces jieba's words were joined with, and SentencePiece's own), then `▂` -> space and `▃` ->
newline. The first release (`cpm-v0`) maps ids to piece strings through vocab.json's inverse, except that
it sets id 7 to `▄` (its `decoder[7]`), decodes those pieces with the v0 model (id 3 is `▃` there, not the
model's `<cls>`) and after the same replacements turns `▄` into the text `<eod>`. Style `bert4keras` is
bert4keras' CPM example (`SpTokenizer` with `token_translate={'▃': '<cls>'}`, then its `post_replace`): the
model's own pieces, `<cls>` read as `▃`, so the v0 model's `<eod>` (a control piece) decodes to nothing.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..decode.decoder import no_options
from ..decode.lossy import DELETED, LITERAL_BLOCK, NFKC, PUNCTUATION, SPECIAL, UNEXPLAINED, UNKNOWN, \
    WHITESPACE_LOST, LossySpan, gap_spans
from .natural_decode import restore_pieces

BLOCK_SPACE = "\u2582"  # ▂: a space of the original text
BLOCK_NEWLINE = "\u2583"  # ▃: a newline of the original text
FIRST_RELEASE_EOD = "\u2584"  # ▄: the first release's piece for id 7, rendered as "<eod>"
EOD_ID = 7
SPECIAL_PIECES = frozenset({"<s>", "</s>", "<cls>", "<sep>", "<pad>", "<mask>", "<eod>"})
UNKNOWN_PIECE = "<unk>"


def post_replace(text: str) -> str:
    """CPM-Generate's last step: drop spaces, then ▂ -> space and ▃ -> newline."""
    return text.replace(" ", "").replace(BLOCK_SPACE, " ").replace(BLOCK_NEWLINE, "\n")


def cpm_generate(sp, ids: Sequence[int]) -> str:
    """Current model: `sp.decode(ids)` then `post_replace`."""
    return post_replace(sp.decode(list(ids)))


def cpm_v0(sp, ids: Sequence[int], pieces: Sequence[str]) -> str:
    """First release: the pieces vocab.json names for the ids (id 7: `▄`), decoded by the v0 model, then
    `post_replace` and `▄` -> `<eod>`."""
    pieces = [FIRST_RELEASE_EOD if i == EOD_ID else piece for i, piece in zip(ids, pieces)]
    return post_replace(sp.decode_pieces(pieces)).replace(FIRST_RELEASE_EOD, "<eod>")


def bert4keras(sp, ids: Sequence[int]) -> str:
    """bert4keras 0.11.5 `SpTokenizer.decode` as its CPM example builds it, then the example's `post_replace`."""
    pieces = [BLOCK_NEWLINE if piece == "<cls>" else piece for piece in map(sp.id_to_piece, ids)]
    return post_replace(sp.decode_pieces(pieces))


def render(piece: str) -> str:
    """A piece's text: SentencePiece's `▁` (the join spaces) dropped, `▂` -> space, `▃` -> newline."""
    return piece.replace("\u2581", "").replace(BLOCK_SPACE, " ").replace(BLOCK_NEWLINE, "\n")


class CpmDecoding:
    """The decodes of one CPM tokenizer: its SentencePiece model, and whether ids name vocab.json pieces (v0)."""

    joins_units = True  # one piece can carry several characters' text (`……` -> `▁......` + `▁`)

    def __init__(self, sp: Any, *, through_vocab_json: bool) -> None:
        self.sp = sp
        self.styles = {"cpm-generate": self.reference, "bert4keras": lambda ids, tokens: bert4keras(sp, ids)}
        self.through_vocab_json = through_vocab_json
        self._folded: dict[str, str] = {}

    def natural_pieces(self, tokens: Sequence[str], *, skip_special_tokens: bool, unknown: str,
                       restore_punctuation: bool) -> list[str]:
        pieces = []
        for token in tokens:
            if token == UNKNOWN_PIECE:
                pieces.append(unknown)
            elif token in SPECIAL_PIECES:
                pieces.append("" if skip_special_tokens else token)
            else:
                pieces.append(render(token))
        return restore_pieces(pieces) if restore_punctuation else pieces

    def reference(self, ids: Sequence[int], tokens: Sequence[str], **options: Any) -> str:
        no_options(options, "reference")
        if self.through_vocab_json:
            return cpm_v0(self.sp, ids, tokens)
        return cpm_generate(self.sp, ids)

    def fold(self, char: str) -> str:
        """What SentencePiece's normaliser makes of one character (`""` when it is dropped)."""
        if char not in self._folded:
            folded = self.sp.normalize("a" + char + "a")  # the a's keep the dummy prefix and trimming away
            self._folded[char] = folded[2:-1].replace("\u2581", " ").strip() if len(folded) > 3 else ""
        return self._folded[char]

    def lossy_unit(self, text: str, start: int, body_start: int, end: int, produced: str,
                   tokens: Sequence[str]) -> list[LossySpan]:
        """Why a unit of a CPM text did not come back."""
        body = text[body_start:end]
        spans = gap_spans(text, start, body_start, "") if body_start > start else []
        if body == produced:
            return spans
        if UNKNOWN_PIECE in tokens:
            return spans + [LossySpan(UNKNOWN, body_start, end, body, produced)]
        if any(token in SPECIAL_PIECES for token in tokens):
            return spans + [LossySpan(SPECIAL, body_start, end, body, produced)]
        causes: list[str] = []
        mapped = []
        for char in body:
            if char in (BLOCK_SPACE, BLOCK_NEWLINE):
                causes.append(LITERAL_BLOCK)
                mapped.append(" " if char == BLOCK_SPACE else "\n")
                continue
            folded = self.fold(char)
            if folded == char or char in " \n":
                mapped.append(char)
            elif not folded:
                causes.append(WHITESPACE_LOST if char.isspace() else DELETED)
            else:
                causes.append(NFKC)
                mapped.append(folded)
        came_back = "".join(mapped)
        if came_back != produced:
            if "".join(self.fold(c) for c in produced) == "".join(self.fold(c) for c in came_back):
                causes = [cause for cause in causes if cause != NFKC] + [PUNCTUATION]
            elif "".join(came_back.split()) == "".join(produced.split()):
                causes.append(WHITESPACE_LOST)
            else:
                causes.append(UNEXPLAINED)
        return spans + [LossySpan(cause, body_start, end, body, produced) for cause in dict.fromkeys(causes)]
