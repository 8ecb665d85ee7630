"""Special-token strings inside text ("[SEP]", "<eod>"): which encode as their special id, in tiktoken's manner.

`allowed_special`: the special strings that, found in the text, become their id ("all", or a set; an empty set
for none). The default (None) is the reference dialect's own behaviour: transformers (hf-fast, hf-slow)
matches all of BERT's five; Google's tokenization.py matches none; CPM-Generate matches none (a literal
"<eod>" is text to jieba). `disallowed_special`: special strings whose presence is an error
(SpecialTokenInText) instead of being encoded either way ("all": every one not allowed); default none.
Naming a string in `disallowed_special` takes it out of the default `allowed_special`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import AbstractSet, Iterable, Iterator, Optional, Union

from .errors import InvalidOption, SpecialTokenInText

Choice = Union[str, AbstractSet[str], list, tuple, None]


@dataclass(frozen=True)
class SpecialPolicy:
    """The strings one call encodes as special ids (`pattern` finds them) and the ones it refuses."""

    allowed: frozenset[str]
    disallowed: frozenset[str]
    pattern: Optional[re.Pattern]

    def check(self, text: str) -> None:
        """SpecialTokenInText for the first disallowed special string in `text`."""
        if not self.disallowed:
            return
        found = special_pattern(self.disallowed).search(text)  # type: ignore[union-attr]
        if found:
            raise SpecialTokenInText(
                f"the text holds the special token string {found.group()!r} at {found.start()}, which "
                "disallowed_special refuses; pass it in allowed_special to encode it as its id, or leave it out "
                "of disallowed_special to encode it as text")

    def split(self, text: str) -> Iterator[Union[tuple[int, int], str]]:
        """The text's stretches without allowed special strings, as (start, end), and the matched strings."""
        position = 0
        for match in self.pattern.finditer(text) if self.pattern is not None else ():
            yield position, match.start()
            yield match.group()
            position = match.end()
        yield position, len(text)


def special_policy(known: AbstractSet[str], default: AbstractSet[str], allowed_special: Choice,
                   disallowed_special: Choice) -> SpecialPolicy:
    """Resolve the two switches against the tokenizer's special strings (`known`) and its reference's default."""
    disallowed = _strings("disallowed_special", disallowed_special or (), known)
    if allowed_special is None:  # the reference's default, less what the caller refuses
        allowed = frozenset(default) - (frozenset() if disallowed_special == "all" else disallowed)
    else:
        allowed = _strings("allowed_special", allowed_special, known)
    if disallowed_special == "all":
        disallowed -= allowed
    elif disallowed & allowed:
        raise InvalidOption(f"{sorted(disallowed & allowed)} both allowed and disallowed")
    return SpecialPolicy(allowed, disallowed, special_pattern(allowed))


def _strings(name: str, choice: Choice, known: AbstractSet[str]) -> frozenset[str]:
    if choice == "all":
        return frozenset(known)
    if isinstance(choice, str) or not isinstance(choice, (AbstractSet, list, tuple)):
        raise InvalidOption(f"{name}={choice!r}: expected 'all' or a set of special token strings")
    unknown = set(choice) - set(known)
    if unknown:
        raise InvalidOption(f"{name}: {sorted(unknown)} are not special tokens of this tokenizer "
                            f"({', '.join(sorted(known))})")
    return frozenset(choice)


def special_pattern(strings: Iterable[str]) -> Optional[re.Pattern]:
    """Leftmost match of any of the strings, the longest first where one starts another (None for none)."""
    ordered = sorted(strings, key=lambda s: (-len(s), s))
    return re.compile("|".join(map(re.escape, ordered))) if ordered else None
