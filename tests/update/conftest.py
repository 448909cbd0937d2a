"""The sync tests' district and kiosk fixtures, for the signed-update tests."""

from tests.sync.conftest import district_sqlite, kiosk_factory, null_log, sqlite_db_url  # noqa: F401 - fixtures
