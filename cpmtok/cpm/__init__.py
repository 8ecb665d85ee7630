"""CPM-LM (CPM-Generate) tokenizers: jieba 0.42.1 segmentation + SentencePiece, both released models.

`cpmtok.load("cpm")` / `cpmtok.load("cpm-v0")` -> `tokenizer.CpmTokenizer`. Flow: `dictionary` (files) ->
`segmenter` (jieba's words; `plain_segmenter` is its readable oracle, `hmm` jieba's finalseg) -> `tokenizer`
(SentencePiece ids) -> `offsets` (spans in the original text).
"""
