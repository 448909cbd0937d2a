"""The shell's district client starts signing as soon as the daemon has enrolled the kiosk, without a restart."""

from __future__ import annotations

from district.settings import DistrictSettings
from kiosk.assembly import EnrolledSigner
from kiosk.link.enrollment import enroll
from tests.sync.district_process import ThreadedDistrict


def test_unsigned_until_enrolled_then_signed(tmp_path):
    server = ThreadedDistrict(DistrictSettings(db_url=f"sqlite:///{tmp_path / 'd.db'}", demo=True)).start()
    try:
        signer = EnrolledSigner(tmp_path / "kiosk", "sc-late-01")
        assert signer("GET", "/api/v1/health", b"") == {}
        enroll(tmp_path / "kiosk", server.url, "sc-late-01")  # what kiosk-sync does at its first start
        headers = signer("GET", "/api/v1/health", b"")
        assert headers and any("sign" in k.lower() for k in headers), headers
    finally:
        server.stop()
