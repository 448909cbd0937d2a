"""Settings of one district server process, passed to `create_app`."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DistrictSettings:
    db_url: str = "sqlite:///district.db"
    demo: bool = False  # deterministic demo data for any identity; loopback kiosks enroll without a token
    public_url: str = "http://127.0.0.1:8470"  # base of the verification links printed in QR codes
    # Operators' TUF keys; the server itself only ever uses the online ones (timestamp, snapshot) to re-sign
    # expiring metadata. None: no automatic re-signing (publish/refresh from the CLI).
    keys_dir: Path | None = None
    max_body_bytes: int = 1_048_576  # requests above this get 413 before anything is parsed
    max_json_depth: int = 32  # bodies nested deeper (or carrying NaN/Infinity) get 422 before anything is parsed
    max_batch_items: int = 500  # transactions per upload
    rate_per_s: float = 20.0  # sustained requests per second per kiosk (token bucket shared by every process)
    rate_burst: int = 60
    # Unauthenticated endpoints (enrollment, health, document key, verification page), per source address.
    public_rate_per_s: float = 2.0
    public_rate_burst: int = 30
    clock_window_s: float = 300.0  # request timestamps further than this from the server's clock are refused
    # Departments' data sources (TOML, docs/data-sources.md). None: no source but the demo data (with demo).
    sources_file: Path | None = None
    # Operators' console (district.console): a kiosk is green while its last heartbeat is at most
    # heartbeat_threshold_s old, amber for heartbeat_grace_s more, red after that (and red before any heartbeat).
    heartbeat_threshold_s: float = 30.0
    heartbeat_grace_s: float = 90.0
    console_lockout_failures: int = 5  # failed logins in a row before the account is locked
    console_lockout_s: float = 900.0
    console_session_idle_s: float = 1800.0  # a console session unused this long is logged out


def default_keys_dir(db_url: str) -> Path:
    """Operators' keys folder when --keys is not given: beside a SQLite database file (`district.db` ->
    `district-keys/`), else `$XDG_DATA_HOME/kiosk-district/keys`."""
    m = re.match(r"sqlite:///(.+)$", db_url)
    if m and m.group(1) != ":memory:":
        db = Path(m.group(1)).resolve()
        return db.with_name(f"{db.stem}-keys")
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "kiosk-district" / "keys"
