"""A kiosk-side process that commits transactions as fast as it can, printing each id once it is durable.

Run by test_crash.py, which SIGKILLs it at random moments.
"""

from __future__ import annotations

import sys

from kiosk.assembly import open_store
from kiosk.config import load_config


def main(data: str) -> None:
    config = load_config(None, {"terminal": {"data_dir": data, "kiosk_id": "crash-01"}})
    store = open_store(config)
    n = 0
    while True:
        n += 1
        stored = store.record(item_id="si-contribution-record", module_id="social-insurance-record",
                              status="completed", holder=f"h{n}", summary={"n": n, "pad": "x" * 400},
                              request={"months": "36"})
        sys.stdout.write(f"{stored.id} {stored.seq}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1])
