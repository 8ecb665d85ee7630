#!/usr/bin/env bash
# A second environment with transformers 5.x, for the export tests that prove 4.57 and 5.x load our
# folders identically (one interpreter cannot hold both). Tests find it at .venvs/transformers5.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venvs/transformers5
if [ ! -x "$venv/bin/python" ]; then
  python -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q "transformers==5.23.0" "tokenizers==0.23.3" sentencepiece "jieba==0.42.1" protobuf numpy
