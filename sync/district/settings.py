"""Settings of one district server process, passed to `create_app`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DistrictSettings:
    db_url: str = "sqlite:///district.db"
    demo: bool = False  # deterministic demo data for any identity; loopback kiosks enroll without a token
    public_url: str = "http://127.0.0.1:8470"  # base of the verification links printed in QR codes
