"""Where things live: the bundled data folder, the shared official files, output folders.

Every path can be overridden by an environment variable so that analysts can point the library at
their own copy of the data without editing code.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent

#: Bundled data (registry, assumptions, baselines, official extracts). ``DDANALYSIS_DATA`` overrides.
DATA_DIR = Path(os.environ.get("DDANALYSIS_DATA", REPO_DIR / "data"))

#: The official DCLG Revenue Outturn workbooks (never committed). ``DDANALYSIS_OFFICIAL`` overrides.
OFFICIAL_DIR = Path(os.environ.get("DDANALYSIS_OFFICIAL", REPO_DIR.parent / "shared" / "data" / "official"))

#: Base year of every appraisal: prices are real, in this financial year's terms.
BASE_YEAR = "2014-15"


def data_path(*parts: str) -> Path:
    """Path of a file inside the bundled data folder."""
    return DATA_DIR.joinpath(*parts)
