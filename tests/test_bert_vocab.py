"""vocab.txt as each reference reads it, and bad input: typed errors naming the file and line."""

import warnings

import pytest

import cpmtok
from bert_references import DIALECTS, google_module
from cpmtok.errors import DuplicateVocabEntry, InvalidVocab
from cpmtok.bert.dialects import dialect as dialect_record
from cpmtok.vocab import locate, read_bert_vocab

BASE = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"


def read_as(path, dialect):
    """The vocab.txt as the dialect's reference reads it."""
    return read_bert_vocab(path, dialect_record(dialect).vocab_reading)


def write(tmp_path, content: bytes, name="vocab.txt"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_reads_like_each_reference(tmp_path):
    """Odd lines (trailing spaces, U+2028, \\r, a duplicate) read exactly as each live reference reads them."""
    from transformers import BertTokenizerFast
    from transformers.models.bert.tokenization_bert import load_vocab

    path = write(tmp_path, (BASE + "ab \nx\ry\ncd\u2028\nab\n\u3000\n##\u2028\nlast").encode())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DuplicateVocabEntry)
        assert read_as(path, "hf-slow").token_to_id == dict(load_vocab(str(path)))
        assert read_as(path, "hf-fast").token_to_id == BertTokenizerFast(vocab_file=str(path)).get_vocab()
        assert read_as(path, "google").token_to_id == dict(google_module().load_vocab(str(path)))


def test_bert_base_chinese_odd_lines():
    """Line 344 is U+2028 and line 13503 is "##\\u2028": both HF classes keep them, Google strips them."""
    path = locate("bert-base-chinese")
    for dialect, want in [("hf-slow", ("\u2028", "##\u2028")), ("hf-fast", ("\u2028", "##\u2028")),
                          ("google", ("", "##"))]:
        vocab = read_as(path, dialect)
        assert (vocab.tokens[343], vocab.tokens[13502]) == want
        assert len(vocab.tokens) == 21128


@pytest.mark.parametrize("vocab", ["bert-base-chinese", "clue-small"])
def test_hf_fast_vocabulary_map_is_bert_tokenizer_fast_s(vocab):
    """Every entry: id -> token and token -> id as transformers' BertTokenizerFast maps them (U+2028 at 343,
    "##\\u2028" at 13502 of bert-base-chinese), and cpmtok's reference decode of each id is BertTokenizerFast's."""
    from transformers import BertTokenizerFast

    tok = cpmtok.load(vocab)
    fast = BertTokenizerFast(vocab_file=str(locate(vocab)))
    ids = list(range(tok.vocab_size))
    assert tok.vocab_size == len(fast) == len(fast.get_vocab())
    assert tok.vocab == fast.get_vocab()
    assert [tok.id_to_token(i) for i in ids] == fast.convert_ids_to_tokens(ids)
    tokens = fast.convert_ids_to_tokens(ids)
    assert [tok.token_to_id(t) for t in tokens] == fast.convert_tokens_to_ids(tokens) == ids
    assert [tok.decode([i], style="reference") for i in ids] == [fast.decode([i]) for i in ids]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_empty_file(tmp_path, dialect):
    path = write(tmp_path, b"")
    with pytest.raises(InvalidVocab, match="empty") as err:
        cpmtok.load(path, dialect=dialect)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("dialect", ["hf-fast", "google"])  # hf-slow adds it, as transformers (test_vocab_files)
def test_no_unk(tmp_path, dialect):
    path = write(tmp_path, b"[PAD]\n[CLS]\nab\n")
    with pytest.raises(InvalidVocab, match=r"\[UNK\]") as err:
        cpmtok.load(path, dialect=dialect)
    assert str(path) in str(err.value)


def test_not_utf8_names_line(tmp_path):
    path = write(tmp_path, BASE.encode() + b"ok\n\xff\xfe\n")
    with pytest.raises(InvalidVocab, match="line 7") as err:
        cpmtok.load(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("dialect, winner", [("hf-fast", 8), ("hf-slow", 8), ("google", 6)])
def test_duplicates_warn_and_say_which_wins(tmp_path, dialect, winner):
    path = write(tmp_path, (BASE + "ab\ncd\nab\nef\n").encode())
    with pytest.warns(DuplicateVocabEntry, match=f"line 8 repeats line 6 .* line {winner} wins") as record:
        tok = cpmtok.load(path, dialect=dialect)
    assert str(path) in str(record[0].message)
    ab = tok.token_to_id("ab")
    assert ab == (7 if dialect != "google" else 5)
    assert tok.token_to_id("ef") == (8 if dialect != "google" else 7)  # Google: later ids move down


@pytest.mark.parametrize("bad", [b"bytes", None, 12, ["a"]])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_non_str_is_type_error_naming_the_type(bad, dialect):
    tok = cpmtok.load("clue-small", dialect=dialect)
    with pytest.raises(TypeError, match=type(bad).__name__):
        tok.encode(bad)
    with pytest.raises(TypeError, match=type(bad).__name__):
        tok.encode_batch(["ok", bad])


def test_lone_surrogate_hf_fast_is_unsupported_text():
    tok = cpmtok.load("bert-base-chinese")
    with pytest.raises(cpmtok.UnsupportedText, match="U\\+D800"):
        tok.encode("a\ud800b")
    assert isinstance(cpmtok.UnsupportedText(), TypeError)


def test_unknown_dialect_and_option():
    with pytest.raises(ValueError, match="dialect"):
        cpmtok.load("clue-small", dialect="tf")
    with pytest.raises(TypeError, match="lower_case"):
        cpmtok.load("clue-small", lower_case=True)


def test_load_by_path_and_directory(tmp_path):
    src = locate("clue-small")
    (tmp_path / "vocab.txt").write_bytes(src.read_bytes())
    by_dir = cpmtok.load(tmp_path)
    by_file = cpmtok.load(tmp_path / "vocab.txt")
    preset = cpmtok.load("clue-small")
    assert by_dir.encode_ids("今天 Hello") == by_file.encode_ids("今天 Hello") == preset.encode_ids("今天 Hello")


def test_encode_batch_keeps_order():
    tok = cpmtok.load("clue-small")
    texts = [f"第{i}个 text {i}" for i in range(600)]
    assert [e.ids for e in tok.encode_batch(texts, workers=2, chunk_size=100)] == [tok.encode_ids(t) for t in texts]
