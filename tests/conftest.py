import sys
from pathlib import Path

# test helper modules (corpus, references, budget) import by name
sys.path.insert(0, str(Path(__file__).resolve().parent))
