"""The live reference of `tok(texts, ...)` for BERT presets: transformers 4.57.6 BertTokenizerFast, and a
key-by-key, array-by-array comparison of two outputs (values, dtypes, shapes, key order).

A reference failure is an outcome too: transformers' ValueError (an option it rejects), tokenizers'
PanicException (stride too large), TypeError (a lone surrogate) — cpmtok must then raise the matching typed
error. The warnings transformers only logs are silenced here; tests of cpmtok's warnings are separate.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Callable, Union

import numpy as np

from bert_references import _need, vocab_path

VERY_LARGE_INTEGER = int(1e30)  # transformers' model_max_length when a tokenizer has none
Outcome = Union[dict, type]


@lru_cache(maxsize=None)
def hf_fast(preset: str) -> Callable[..., Any]:
    """BertTokenizerFast as AutoTokenizer would build it for the preset's vocab.txt, do_lower_case and length."""
    import cpmtok
    from cpmtok.presets import PRESETS

    tok = cpmtok.load(preset)
    if tok.dialect != "hf-fast":
        raise ValueError(f"{preset} is not an hf-fast preset")
    transformers = _need("transformers", 'pip install "transformers==4.57.6"')
    logging.getLogger("transformers").setLevel(logging.ERROR)
    return transformers.BertTokenizerFast(vocab_file=str(vocab_path(PRESETS[preset].vocab)),
                                          do_lower_case=tok.lowercase,
                                          model_max_length=tok.model_max_length or VERY_LARGE_INTEGER)


def outcome(call: Callable[..., Any], texts: Any, **options: Any) -> Outcome:
    """The call's result as a dict, or the class of failure: ValueError, TypeError (panics count as ValueError)."""
    try:
        return dict(call(texts, **options))
    except (ValueError, TypeError) as err:
        return TypeError if isinstance(err, TypeError) else ValueError
    except BaseException as err:  # tokenizers' PanicException derives from BaseException
        if type(err).__name__ == "PanicException":
            return ValueError
        raise


def assert_same(ours: Outcome, theirs: Outcome, context: Any = "") -> None:
    """Same failure class, or the same keys in the same order with equal values, dtypes and shapes."""
    if isinstance(theirs, type) or isinstance(ours, type):
        assert ours == theirs, f"{context}: ours {_short(ours)}, transformers {_short(theirs)}"
        return
    assert list(ours) == list(theirs), f"{context}: keys {list(ours)} != {list(theirs)}"
    for key in theirs:
        _assert_equal(ours[key], theirs[key], f"{context} [{key}]")


def _assert_equal(ours: Any, theirs: Any, where: str) -> None:
    if isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray), f"{where}: {type(ours).__name__}, not ndarray"
        assert (ours.dtype, ours.shape) == (theirs.dtype, theirs.shape), \
            f"{where}: {ours.dtype}{ours.shape} != {theirs.dtype}{theirs.shape}"
        if theirs.dtype == object:
            for a, b in zip(ours, theirs):
                _assert_equal(a, b, where)
        else:
            assert np.array_equal(ours, theirs), f"{where}: first difference at {_first_difference(ours, theirs)}"
    else:
        assert ours == theirs, f"{where}: {_short(ours)} != {_short(theirs)}"


def _first_difference(a: np.ndarray, b: np.ndarray) -> tuple:
    return tuple(int(i) for i in np.argwhere(a != b)[0])


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 300 else text[:300] + "..."


@lru_cache(maxsize=None)
def ids_reference(preset: str) -> Callable[..., Any]:
    """transformers' fast-tokenizer machinery over ids written as words ("<17> <2903>" -> [17, 2903]).

    A WordLevel model with one word per id, the family's special tokens as a TemplateProcessing around `$A`,
    its pad id, padding side, model_max_length and input names: transformers and tokenizers then apply their
    own truncation, overflow windows, padding and masks to any id sequence. It judges `tok(...)` for families
    that have no transformers tokenizer (CPM); feed it `echo(tok, texts)`.
    """
    import cpmtok

    tok = cpmtok.load(preset)
    tokenizers = _need("tokenizers", 'pip install "tokenizers==0.22.2"')
    transformers = _need("transformers", 'pip install "transformers==4.57.6"')
    logging.getLogger("transformers").setLevel(logging.ERROR)
    backend = tokenizers.Tokenizer(tokenizers.models.WordLevel({word(i): i for i in range(tok.vocab_size)},
                                                               unk_token=word(0)))
    backend.pre_tokenizer = tokenizers.pre_tokenizers.WhitespaceSplit()
    prefix, suffix = tok.special_frame
    names = [tok.id_to_token(i) for i in prefix], [tok.id_to_token(i) for i in suffix]
    backend.post_processor = tokenizers.processors.TemplateProcessing(
        single=" ".join([*names[0], "$A", *names[1]]),
        special_tokens=[(tok.id_to_token(i), i) for i in (*prefix, *suffix)])
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=backend, pad_token=word(tok.pad_token_id), padding_side=tok.padding_side,
        model_input_names=list(tok.model_input_names), model_max_length=tok.model_max_length or VERY_LARGE_INTEGER)


def word(token_id: int) -> str:
    """The word of an id; the brackets keep the pad token's word from matching inside another's (<5> in <52>)."""
    return f"<{token_id}>"


def echo(tok: Any, texts: Any) -> Any:
    """Each text's ids (cpmtok's encode) as the words `ids_reference` reads."""
    if isinstance(texts, str):
        return " ".join(map(word, tok.encode_ids(texts)))
    return [echo(tok, text) for text in texts]
