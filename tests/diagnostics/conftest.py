"""The diagnostics tests reuse the printing tests' private cupsd (CUPS_SERVER points at it while it runs)."""

from tests.printing.conftest import cupsd  # noqa: F401 - a fixture, found by pytest through this import
