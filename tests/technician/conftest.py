"""The technicians' mode tests reuse the shell tests' district and shell, the document tests' private pcscd and
the session's private cupsd (tests/conftest.py)."""

from tests.document.conftest import pcscd  # noqa: F401
from tests.shell.conftest import district, log_stream, open_shell  # noqa: F401
