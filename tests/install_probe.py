"""Run inside the fresh venv of tests/test_install.py: encode texts with every preset, report where things are.

    python install_probe.py REQUEST.json ANSWER.json

REQUEST: {"presets": [...], "texts": [...], "workers": N}. ANSWER: {"cpmtok_file": ..., "ids": {preset: [[...], ...]},
"errors": {preset: "Type: message"}}. Imports only cpmtok (the installed wheel) and the standard library.
"""

import json
import sys

import cpmtok


def main(request_path: str, answer_path: str) -> None:
    with open(request_path, encoding="utf-8") as f:
        request = json.load(f)
    ids, errors = {}, {}
    for preset in request["presets"]:
        try:
            tokenizer = cpmtok.load(preset)
            encodings = tokenizer.encode_batch(request["texts"], workers=request["workers"])
            ids[preset] = [encoding.ids for encoding in encodings]
        except cpmtok.CpmtokError as err:
            errors[preset] = f"{type(err).__name__}: {err}"
    with open(answer_path, "w", encoding="utf-8") as f:
        json.dump({"cpmtok_file": cpmtok.__file__, "ids": ids, "errors": errors}, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
