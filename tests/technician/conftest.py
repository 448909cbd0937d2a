"""The technicians' mode tests reuse the shell tests' district and shell, and the session's private pcscd and
cupsd (tests/conftest.py)."""

from tests.shell.conftest import district, log_stream, open_shell  # noqa: F401
