#!/usr/bin/env bash
# GPT2-Chinese's tokenizer runs on transformers 2.1.1 (its requirements pin). One interpreter cannot hold
# that and 4.57.6, so it goes into a folder of its own (--target, no dependencies: the tokenizer only needs
# its pure-Python tokenization_utils). tests/gpt2_chinese_reference.py runs it in a subprocess.
set -euo pipefail
cd "$(dirname "$0")/.."
target=.venvs/gpt2-chinese/transformers-2.1.1
if [ ! -f "$target/transformers/tokenization_utils.py" ]; then
  python -m pip install -q --no-deps --target "$target" "transformers==2.1.1"
fi
