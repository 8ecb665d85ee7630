"""Hypothesis text for the CPM tests: what jieba and SentencePiece find hard, mixed with real corpus text."""

from __future__ import annotations

import re
from functools import lru_cache

from hypothesis import strategies as st

from corpus import corpus_files, corpus_texts

WORDS = ["今天", "天气", "不错", "天天", "中国", "人民", "北京大学", "研究生", "生命", "起源", "的", "了", "是",
         "结婚", "和尚", "尚未", "结婚的", "大学生", "小明", "硕士", "毕业", "于", "中国科学院", "计算所", "后在",
         "日本", "京都大学", "深造", "他来到了", "网易", "杭研", "大厦", "我来到", "北京", "清华大学"]
TRADITIONAL = "繁體中文與簡體書寫漢語臺灣機會發展會議員們萬歲樂府詞聖王"
RARE = "䯱髵䍦鸕鷀丂丄丅龘齉𠀀𠀁𪚥𬺓㐀㐁鿕鿖鿿"
ASCII = "abcXYZ0123456789+#&._%-"
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\r", "\u3000", "\xa0", "\u2028", "\x0b", "\x0c", "\x85"]
EVERY_WHITESPACE = "".join(c for c in map(chr, range(0x110000)) if c.isspace())  # what jieba's `\s` matches
REPEATED = "买哈天人大小好看的了一不是有啊嗯对"  # repeats reach the route's ties (买买买) and the HMM's
EDGE_HAN = [chr(c) for c in (0x4E00, 0x4DFF, 0x9FD5, 0x9FD6, 0x9FFF, 0x3400, 0x20000, 0x2A6D6, 0x30000)]
SPECIALS = ["▂", "▃", "▄", "▁", "<eod>", "<unk>", "<s>", "</s>", "<cls>", "<sep>", "<pad>", "<mask>", "<eod", "eod>"]
OTHERS = ["😀", "👍🏻", "👨‍👩‍👧", "e\u0301", "\u0301", "\u0308a", "ＡＢ１２～", "～", "，。！？、“”《》", "ｱｲ", "①Ⅻ", "ﬁ", "\x00", "\u200b"]


@lru_cache(maxsize=1)
def corpus_sample() -> list[str]:
    return [text for path in corpus_files() for text in corpus_texts(path)[:60]]


@st.composite
def corpus_slices(draw) -> str:
    text = draw(st.sampled_from(corpus_sample()))
    start = draw(st.integers(0, max(0, len(text) - 1)))
    return text[start:start + draw(st.integers(0, 60))]


repeats = st.builds(lambda unit, count: unit * count,
                    st.one_of(st.sampled_from(REPEATED), st.text(st.sampled_from(REPEATED), min_size=2, max_size=3),
                              st.sampled_from(WORDS)), st.integers(2, 9))
alphanumeric = st.text(st.sampled_from("aZ09x1"), min_size=1, max_size=4)
joined_alphanumerics = st.builds(lambda parts, seps: "".join(p + s for p, s in zip(parts, seps)) + parts[-1],
                                 st.lists(alphanumeric, min_size=2, max_size=4),
                                 st.lists(st.sampled_from(["-", "_", "--", ".", "%", "+", "#", "&", "-_", "._"]),
                                          min_size=3, max_size=3))  # a-1, 1-2, a_1, 3.14%, x--y next to Han


@lru_cache(maxsize=1)
def long_corpus_han_runs() -> list[str]:
    """The corpus sample's runs of 20+ characters of jieba's Han class: long DAGs, real words."""
    return [run for text in corpus_sample() for run in re.findall("[\u4E00-\u9FD5]{20,}", text)]


long_han_runs = st.one_of(st.sampled_from(long_corpus_han_runs()),  # cheap to draw, unlike 200 drawn characters
                          st.lists(st.sampled_from(WORDS + list(REPEATED)), min_size=10, max_size=40).map("".join))
rare_chars = st.text(st.one_of(st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),
                               st.characters(min_codepoint=0x20000, max_codepoint=0x3134F),
                               st.sampled_from(EDGE_HAN)), min_size=1, max_size=6)

fragments = st.one_of(
    repeats,
    joined_alphanumerics,
    long_han_runs,
    rare_chars,
    st.text(st.sampled_from(EVERY_WHITESPACE), min_size=1, max_size=3),
    st.sampled_from(WORDS),
    st.text(st.sampled_from(TRADITIONAL + RARE), max_size=6),
    st.text(st.sampled_from(ASCII), min_size=1, max_size=8),
    st.sampled_from(SPACES),
    st.sampled_from(SPECIALS),
    st.sampled_from(OTHERS),
    st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=5),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=4),
    corpus_slices(),
)

cpm_texts = st.lists(fragments, max_size=12).map("".join)
