"""How many hypothesis examples a test runs: the issue's CI figure in CI, fewer in a local run."""

import os

IN_CI = os.environ.get("CI") == "true" or os.environ.get("CPMTOK_FULL") == "1"


def examples(in_ci: int, locally: int = 300) -> int:
    """`in_ci` under CI=true (or CPMTOK_FULL=1), else `locally`."""
    return in_ci if IN_CI else locally
