"""Load an exported folder the way a user would, in whatever Python runs this file, and answer requests.

    python tests/hf_loaders.py LOADER      # LOADER: auto | auto-slow | auto-remote | tokenizers

Reads one JSON request per stdin line, `{"folder": ..., "texts": [...], "special": bool, "decode": bool}`,
and writes one JSON answer per line, `{"class": ..., "ids": [[...] or {"error": "TypeError"}, ...],
"decoded": [...]}` (decoded: each text's ids decoded, `skip_special_tokens` = request's "skip_special",
default true). Each folder is
loaded once, on its first request. ASCII JSON both ways, so lone surrogates survive the pipe. The
first line written is `{"ready": ..., "versions": ..., "cpmtok_importable": ...}`.

Imports neither cpmtok nor pytest: the tests run it in the system Python (transformers 4.57.6) and in
.venvs/transformers5 (5.23.0, no cpmtok installed), the environment a user would have.
"""

import json
import os
import sys
from importlib.util import find_spec

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def make_loader(folder, loader):
    """(class name, encode(text, special) -> ids, decode(ids) -> str) for one way of loading the folder."""
    if loader == "tokenizers":
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
        return ("tokenizers.Tokenizer", lambda text, special: tok.encode(text, add_special_tokens=special).ids,
                lambda ids, skip: tok.decode(ids, skip_special_tokens=skip))
    from transformers import AutoTokenizer

    options = {"auto": {}, "auto-slow": {"use_fast": False}, "auto-remote": {"trust_remote_code": True}}[loader]
    tok = AutoTokenizer.from_pretrained(folder, **options)
    return (type(tok).__name__, lambda text, special: tok(text, add_special_tokens=special)["input_ids"],
            lambda ids, skip: tok.decode(ids, skip_special_tokens=skip))


def versions():
    found = {"python": sys.version.split()[0]}
    for name in ("transformers", "tokenizers", "jieba", "sentencepiece"):
        try:
            found[name] = __import__(name).__version__
        except ImportError:
            found[name] = None
    return found


def answer(loaded, loader, request):
    if request["folder"] not in loaded:
        loaded[request["folder"]] = make_loader(request["folder"], loader)
    class_name, encode, decode = loaded[request["folder"]]
    ids, decoded = [], []
    for text in request["texts"]:
        try:
            result = [int(i) for i in encode(text, request["special"])]
        except Exception as err:  # the reference's own failure, reported rather than fatal
            ids.append({"error": type(err).__name__})
            decoded.append(None)
            continue
        ids.append(result)
        decoded.append(decode(result, request.get("skip_special", True)) if request.get("decode") else None)
    return {"class": class_name, "ids": ids, "decoded": decoded}


def main():
    loader = sys.argv[1]
    out = sys.stdout
    ready = {"ready": True, "versions": versions(), "cpmtok_importable": find_spec("cpmtok") is not None}
    out.write(json.dumps(ready) + "\n")
    out.flush()
    loaded = {}
    for line in sys.stdin:
        out.write(json.dumps(answer(loaded, loader, json.loads(line))) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
