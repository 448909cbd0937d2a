"""The technicians' mode tests reuse the shell tests' district and shell fixtures and the session's cupsd."""

from tests.shell.conftest import district, log_stream, open_shell  # noqa: F401
