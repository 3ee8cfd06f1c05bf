"""Make the test helpers importable (tests/builders.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


# --- fuzz budgets: `pytest --fuzz=N` is TIKTOK_AFTERSALES_FUZZ=N (see tests/_budget.py) ------
def pytest_addoption(parser):
    parser.addoption(
        "--fuzz",
        default=None,
        metavar="N",
        help="multiply the budgets of the fuzz, walk and stateful tests by N (default 1)",
    )


def pytest_configure(config):
    import os

    value = config.getoption("--fuzz", default=None)
    if value is not None:
        os.environ["TIKTOK_AFTERSALES_FUZZ"] = str(value)
