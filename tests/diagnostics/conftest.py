"""The diagnostics tests reuse the printing tests' private cupsd and the sync tests' district and kiosks."""

from tests.printing.conftest import cupsd  # noqa: F401 - a fixture, found by pytest through this import
from tests.sync.conftest import district_sqlite, kiosk_factory, null_log, sqlite_db_url  # noqa: F401
