"""The natural decode (default style): each rule shown on a snippet of a real shared-corpus record
(file:line named), and its exactness over the whole corpus (slow)."""

from __future__ import annotations

import re

import pytest

import cpmtok
from corpus import corpus_files, corpus_texts, golden_ids


def natural(tok, text: str) -> str:
    return tok.decode(tok.encode(text).ids)


# --- BERT -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("snippet", [
    "楼曾瑞（Lour Tsang Tsay Lawrence），祖籍上海",  # encyclopedia-zh-hans.jsonl:17, rules 1-2
    "声狂啸（I Have No Mouth, and I Must Scream）",  # encyclopedia-zh-hans.jsonl:182, rule 3: ", " in Latin prose
])
def test_bert_one_space_between_latin_words_none_beside_cjk(bert, snippet):
    assert natural(bert, snippet) == snippet.lower()  # the uncased vocabulary lower-cases


@pytest.mark.parametrize("snippet", [
    "因有关日寇在京掠夺文物详情，藏界较为重视，也是我们收藏北京史料中的要件之一。",  # news.jsonl:1, rule 2
    "，魏斯可一直由蓝筹印花公司持有80.1%股权，而蓝筹印花公司则是波克夏",  # encyclopedia-zh-hans.jsonl:28, decimals, %
    "来北角码头及大庙湾，北角码头于10:00至翌日15:00提供服务，大庙",  # encyclopedia-zh-hans.jsonl:102, times
    "猫头鹰出版社ISBN 957-9684-11-1",  # encyclopedia-zh-hans.jsonl:301, numbers joined by "-"
    "参见https://www.facebook.com/events/154761701328646/154919054646244/该校",  # encyclopedia-zh-hans.jsonl:208, URL
    "欢迎联系我（邮箱：yifeng.ruan@gmail.com）。",  # longform-docs.jsonl:59, e-mail address
    "了41.5亿美元。Block.one拒绝提供正式交易数据",  # longform-docs.jsonl:9, no space after "." between words
    "山脉属热带气候，平均气温28至32℃（82至90°F）。",  # encyclopedia-zh-hans.jsonl:467
])
def test_bert_numbers_urls_and_addresses_are_glued(bert, snippet):
    assert natural(bert, snippet) == snippet.lower()


def test_bert_wordpieces_join_and_specials_are_options(bert):
    ids = bert.encode("，魏斯可一直由蓝筹印花公司持有80.1%股权", add_special_tokens=True).ids  # encyclopedia-zh-hans.jsonl:28
    assert bert.decode(ids) == "，魏斯可一直由蓝筹印花公司持有80.1%股权"
    assert bert.decode(ids, skip_special_tokens=False) == "[CLS]，魏斯可一直由蓝筹印花公司持有80.1%股权[SEP]"
    unknown = bert.encode("䯱髵奮鬣時蹲踏").ids  # mixed-hard.jsonl:1: 䯱 and 髵 are [UNK] here
    assert bert.decode(unknown) == "\ufffd\ufffd奮鬣時蹲踏"
    assert bert.decode(unknown, unknown="[UNK]") == "[UNK][UNK]奮鬣時蹲踏"


# --- CPM --------------------------------------------------------------------------------------------
def test_cpm_blocks_become_spaces_and_newlines_again(cpm):
    text = corpus_texts(next(p for p in corpus_files() if p.name == "poetry-classical.jsonl"))[3861]  # line 3862
    assert text == "王昭君三首 三\n郭震\n聞有南河信，傳言殺畫師。\n始知君念重，更肯惜蛾眉。"
    assert natural(cpm, text) == text
    assert cpm.decode(cpm.encode(text).ids, style="reference") != text  # CPM-Generate gives ","


@pytest.mark.parametrize("snippet", [
    "因有关日寇在京掠夺文物详情，藏界较为重视，也是我们收藏北京史料中的要件之一。",  # news.jsonl:1, rule 1 (，)
    "邻未尝失礼，不虞君之涉吾地，何也？”朱温遣人报之曰：“何以附太原",  # encyclopedia-zh-hans.jsonl:55, ？ and ：
    "次看会怕羞，看多几次就什么都识啦！」此外，他曾对田北辰于2005",  # encyclopedia-zh-hans.jsonl:17, ！
    "鼓类包括有单皮鼓（板鼓）、大鼓。",  # encyclopedia-zh-hans.jsonl:2, rule 3 (（…）, text with 。)
    "服务理念。大海一样深邃的蓝色，描绘出充满希望与活力的美好未来……主要国内机构",  # encyclopedia-zh-hans.jsonl:69, rule 4 (……)
    "拔810.2m。年平均气温7.5℃，年降水量1000mm，平均无",  # encyclopedia-zh-hans.jsonl:286, rule 4 (℃)
])
def test_cpm_restores_what_nfkc_folded_where_the_context_says_so(cpm, snippet):
    assert natural(cpm, snippet) == snippet
    assert cpm.decode(cpm.encode(snippet).ids, restore_punctuation=False) != snippet


def test_cpm_keeps_ascii_punctuation_of_a_text_that_ends_sentences_with_ascii_dots(cpm):
    text = corpus_texts(next(p for p in corpus_files() if p.name == "reviews.jsonl"))[0]  # reviews.jsonl:1
    assert text.startswith("距离川沙公路较近,但是公交指示不对")
    assert natural(cpm, text) == text  # style b


@pytest.mark.parametrize("text", [
    "鸡肉荤死了！难吃，太难吃了！",  # reviews.jsonl:6663, style d: "!" after a Chinese character
    "嗯。//@经典丶私房菜:爱原本就是一种习惯~[爱你]  @教您做睿智女人",  # social-weibo.jsonl:161, rule 2: @name:
    "我要发霉了。。。[泪][生病]我在:http://t.cn/zQWexQZ",  # social-weibo.jsonl:2809, rule 2: before a URL
    "做活动100块买了这么多?。快递员给力。完好无损",  # reviews.jsonl:18390, rule 1: "?" before 。
    "Rain入伍前最后开唱 本周六“雨”润京城(图)",  # news.jsonl:7944, rule 3: brackets only in texts with 。
])
def test_cpm_reads_the_writers_style_from_the_whole_text(cpm, text):
    assert natural(cpm, text) == text


@pytest.mark.parametrize("text", [
    "难吃,不给发票",  # reviews.jsonl:8484, style e: commas and nothing else
    # reviews.jsonl:8204, style c: six commas and no 。 outweigh the "!"
    "卷饼是很好吃的,可惜让送餐的毁了心情,餐到了,让我下去取,说是餐多不给送上楼,那也就算了,我理解你,"
    "下去了以后发现没人,打电话一问,竟然不在我们楼下!",
])
def test_cpm_text_without_full_width_evidence_keeps_the_reference_reading(cpm, text):
    assert natural(cpm, text) == text == cpm.decode(cpm.encode(text).ids, style="reference")


def test_cpm_commas_alone_are_no_evidence_so_full_width_ones_are_lost(cpm):
    """The price of style e: the same ids as `太慢了,差评`, so the ASCII reading wins."""
    text = "太慢了，差评"  # reviews.jsonl:10101
    assert cpm.encode(text).ids == cpm.encode("太慢了,差评").ids
    assert natural(cpm, text) == "太慢了,差评"


def test_cpm_unknown_and_special_tokens(cpm):
    ids = cpm.encode("䯱髵时蹲踏").ids + [cpm.special_ids["<eod>"]]  # mixed-hard.jsonl:1 (simplified): 䯱, 髵 are <unk>
    assert cpm.decode(ids) == "\ufffd\ufffd时蹲踏"  # one <unk> per character
    assert cpm.decode(ids, unknown="<unk>", skip_special_tokens=False) == "<unk><unk>时蹲踏<eod>"


# --- the whole corpus (slow) ----------------------------------------------------------------------
WHITESPACE = re.compile(r"\s+")


def _bert_figures(preset: str, golden: str):
    tok = cpmtok.load(preset)
    records = exact = carried = carried_exact = reference_only = 0
    for path in corpus_files():
        for text, ids in zip(corpus_texts(path), golden_ids(golden, path.name)):
            tokens = [tok.id_to_token(i) for i in ids]
            ok = tok.decode(ids) == text
            records += 1
            exact += ok
            reference_only += tok.decode(ids, style="reference", skip_special_tokens=True) == text and not ok
            joined = "".join(t[2:] if t.startswith("##") else t for t in tokens)
            if "[UNK]" not in tokens and joined == WHITESPACE.sub("", text):
                carried += 1
                carried_exact += ok
    return records, exact, carried, carried_exact, reference_only


@pytest.mark.slow
@pytest.mark.parametrize("preset,golden,minimum_exact,minimum_carried", [
    ("bert-base-chinese", "bert-base-chinese/hf_fast", 0.652, 0.83),
    ("clue-small", "clue-small/hf_fast", 0.672, 0.855),
])
def test_bert_natural_exactness_on_the_corpus(preset, golden, minimum_exact, minimum_carried):
    """Measured: bert-base-chinese 65.42 % exact, 83.15 % of the records whose tokens carry everything but
    whitespace (clue-small 67.42 %, 85.90 %). The ceiling without guessing whitespace beside CJK characters
    (which no token carries: poetry's line breaks, spaces in headlines) is 65.66 % / 83.47 % (bert-base-chinese)."""
    records, exact, carried, carried_exact, reference_only = _bert_figures(preset, golden)
    print(f"{preset}: {exact}/{records} exact, {carried_exact}/{carried} carried exact, "
          f"{reference_only} reference-only")
    assert exact / records >= minimum_exact
    assert carried_exact / carried >= minimum_carried
    assert reference_only <= 0.005 * records


@pytest.mark.slow
@pytest.mark.parametrize("preset,golden", [("cpm", "cpm/cpm_generate"), ("cpm-v0", "cpm-v0/cpm_v0")])
def test_cpm_natural_exactness_on_the_corpus(preset, golden):
    """Measured (cpm and cpm-v0 alike): 67.65 % of records exact, 78.34 % of those without <unk>,
    272 records (0.498 %) exact under the reference decode only. The issue asks for 75 % / 88 % AND
    <= 0.5 %; the ids cannot tell `,` from `，`, and 1,338 evidence-free records with ASCII commas
    stand against 5,913 with full-width ones, so no decoder of ids reaches all three: this one keeps
    the 0.5 % limit (see cpm_natural's docstring)."""
    tok = cpmtok.load(preset)
    records = exact = without_unknown = without_unknown_exact = reference_only = 0
    for path in corpus_files():
        for text, ids in zip(corpus_texts(path), golden_ids(golden, path.name)):
            ok = tok.decode(ids) == text
            records += 1
            exact += ok
            reference_only += not ok and tok.decode(ids, style="reference") == text
            if 0 not in ids:
                without_unknown += 1
                without_unknown_exact += ok
    print(f"{preset}: {exact}/{records} exact, {without_unknown_exact}/{without_unknown} without <unk> exact, "
          f"{reference_only} reference-only")
    assert exact / records >= 0.675
    assert without_unknown_exact / without_unknown >= 0.78
    assert reference_only <= 0.005 * records
