"""CPM-LM (CPM-Generate) tokenizers: jieba 0.42.1 segmentation + SentencePiece, both released models.

`cpmtok.load("cpm")` / `cpmtok.load("cpm-v0")` -> `tokenizer.CpmTokenizer`. Flow: `dictionary` (files; `cache`
checks what it caches) -> a segmenter chosen by `native`: the C extension `_jieba` over one memory-mapped
table, or `segmenter` in pure Python (`plain_segmenter` is its readable oracle, `hmm` jieba's finalseg) ->
`tokenizer` (SentencePiece ids) -> `offsets` (spans in the original text).
"""
