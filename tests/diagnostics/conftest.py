"""The diagnostics tests reuse the session's private cupsd (tests/conftest.py) and the sync tests' district and
kiosks."""

from tests.sync.conftest import district_sqlite, kiosk_factory, null_log, sqlite_db_url  # noqa: F401
