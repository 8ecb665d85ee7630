"""Hypothesis strategies for BERT text: every plane, and every kind of character the dialects treat apart."""

from hypothesis import strategies as st

SPECIAL_LIKE = ["[SEP]", "[UNK]", "[CLS]", "[PAD]", "[MASK]", "[sep]", "[Sep]", "[SEP", "SEP]", "[ SEP]",
                "[[SEP]]", "[SE\u200bP]", "[SEP\x00]", "[MASK][SEP]", "##", "#", "[unused1]"]
WHITESPACE = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u1680",
              "\u2000", "\u2005", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u180e", "\u200b", "\ufeff"]
ODD = ["Σ", "ς", "σ", "İ", "ı", "ẞ", "ß", "\u0130", "\ua7cb", "\u0c3c", "\u2e43", "\ufa6e", "\ue000", "\ufffd",
       "\x00", "\u200d", "\u034f", "\u1fef", "\u037e", "\U0001d165", "\U0001d16d", "\u302e", "\u0301", "\u0308",
       "\ud800", "\udfff", "\U0001d15f", "\U0001d16d", "\U0001d165", "\u0bcd", "\U00016ff0", "\U00016ff1", "\u1b44", "\ua953"]
RANGES = [
    (0x20, 0x7E), (0x80, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF), (0x900, 0xDFF),
    (0x1100, 0x11FF), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x1E00, 0x1FFF), (0x2000, 0x206F), (0x2070, 0x2BFF),
    (0x2E00, 0x2E7F), (0x3000, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA700, 0xA7FF), (0xAC00, 0xD7FF),
    (0xD800, 0xDFFF), (0xE000, 0xF8FF), (0xF900, 0xFAFF), (0xFE00, 0xFE6F), (0xFF00, 0xFFFF),
    (0x10000, 0x1D0FF), (0x1D100, 0x1D1FF), (0x1F000, 0x1FAFF), (0x20000, 0x2A6DF), (0x2A6E0, 0x2A6FF),
    (0x2A700, 0x2B73F), (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0x2CEB0, 0x2EBEF), (0x2EBF0, 0x2F7FF),
    (0x2F800, 0x2FA1F), (0x30000, 0x3134F), (0x31350, 0x323AF), (0x323B0, 0x3FFFF), (0xE0000, 0xE01EF),
    (0xF0000, 0x10FFFF), (0x0, 0x10FFFF),
]
EMOJI = ["👍", "👨\u200d👩\u200d👧", "🏳️\u200d🌈", "1\ufe0f\u20e3", "👋🏽", "🇨🇳"]
CJK_TEXT = "今天天气不错我们去公园玩吧中华人民共和国北京市的东西。，、！？《》“”：；（）"

chars = st.one_of(
    st.sampled_from(RANGES).flatmap(lambda r: st.integers(*r)).map(chr),
    st.sampled_from(WHITESPACE + ODD),
    st.sampled_from(CJK_TEXT),
    st.characters(min_codepoint=0x41, max_codepoint=0x7A),
)

fragments = st.one_of(
    st.text(chars, max_size=12),
    st.sampled_from(SPECIAL_LIKE + WHITESPACE + EMOJI + ["ΟΔΟΣ", "ΣΑ", "Σ.Α", "AΣ\u200bB", "café", "naïve", "ǅ"]),
    st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789é"), min_size=90, max_size=250),
    st.text(st.sampled_from("abcXYZ한국어éÅΣİ\u0301\u200b"), min_size=30, max_size=130),
    st.integers(90, 250).map(lambda n: "x" * n),
    st.text(st.sampled_from(CJK_TEXT + "abc 123"), max_size=30),
)

texts = st.lists(fragments, max_size=8).map("".join)
