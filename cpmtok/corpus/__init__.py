"""Corpus pipeline: stream records from JSONL / lines / Parquet / Arrow (gzip, zstd) through every core into
jsonl, Megatron (MMIDIDX), npy, parquet or packed shards; resumable; on Dask when one machine is not enough."""

from .mmidx import IndexedDocuments
from .run import EncodeOptions, Summary, encode_corpus
from .writers import read_shards

__all__ = ["EncodeOptions", "IndexedDocuments", "Summary", "encode_corpus", "read_shards"]
