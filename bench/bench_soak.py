"""The 24-hour kiosk's soak (issue 16 point 4): 2,000 simulated citizen sessions through the real terminal and
shell offscreen, the real sync daemon delivering to a district process. Targets: RSS growth ≤ 10 MB after the
warm-up, no thread or open-descriptor growth, no row left half-settled (tests/maintenance/soak.py)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SESSIONS = int(os.environ.get("KIOSK_SOAK_SESSIONS", "2000"))
WARMUP = 200


def run() -> list[dict]:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from tests.maintenance.soak import as_rows, run_soak

    folder = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    try:
        result = run_soak(folder, SESSIONS, min(WARMUP, SESSIONS // 10))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows = as_rows(result)
    if result.district_transactions != result.transactions:  # exactly once, end to end
        rows.append({"name": "soak: district transactions differ from the kiosk's", "value": None, "unit": "",
                     "target": None, "better": "lower"})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
