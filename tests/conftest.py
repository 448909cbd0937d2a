"""Suite-wide test setup. Qt must never look for a display: set the offscreen platform before Qt is imported."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.document.pcscd import Pcscd
from tests.printing.cupsd import PrivateCupsd

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

REPO = Path(__file__).resolve().parent.parent
FACE_PHOTOS = REPO / "tests" / "face" / "photos"


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    """The openly licensed test photos vendored in tests/face/photos (sources and licences in its SOURCES.md).

    The suite needs nothing outside the repository: ../shared/faces-lfw (research data) is for the calibration
    tool and optional benchmarks only, and never copied here.
    """
    return FACE_PHOTOS


# One private pcscd for the whole session, whichever folder's tests need it first (document, technician): the
# PC/SC client library of this process talks to one daemon only (the socket it was pointed at first), so a second
# session instance from another folder's conftest would leave its cards invisible to the readers in this process.
@pytest.fixture(scope="session")
def pcscd() -> Iterator[Pcscd]:
    """One private pcscd for the session; tests that stop it must start it again."""
    daemon = Pcscd()
    previous = os.environ.get("PCSCLITE_CSOCK_NAME")
    daemon.use_socket()
    daemon.start()
    yield daemon
    daemon.cleanup()
    if previous is None:
        os.environ.pop("PCSCLITE_CSOCK_NAME", None)
    else:
        os.environ["PCSCLITE_CSOCK_NAME"] = previous


# One private cupsd for the whole session, whichever folder's tests need it first (printing, diagnostics, shell):
# a second instance would move CUPS_SERVER under the first one's queues.
@pytest.fixture(scope="session")
def cupsd():
    """A running private cupsd; CUPS_SERVER points at it for the whole session.

    Its folder is not under pytest's tmp_path: that is mode 0700 and cupsd runs its filters as user lp.
    """
    root = Path(tempfile.mkdtemp(prefix="kiosk-cupsd-"))
    os.chmod(root, 0o755)
    server = PrivateCupsd(root)
    server.start()
    previous = os.environ.get("CUPS_SERVER")
    os.environ["CUPS_SERVER"] = str(server.socket_path)
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)
    if previous is None:
        os.environ.pop("CUPS_SERVER", None)
    else:
        os.environ["CUPS_SERVER"] = previous


EXIT_GRACE_S = 60.0


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[_EXIT_STATUS] = int(exitstatus)


_EXIT_STATUS = pytest.StashKey[int]()


def pytest_unconfigure(config: pytest.Config) -> None:
    """A thread that never ends (a live view nobody stopped) keeps the interpreter from exiting after the
    summary, and CI would only see its own timeout. If the process is still here EXIT_GRACE_S after the session,
    every thread's stack goes to stderr and it exits with a failure, so the leak is named."""
    import faulthandler
    import sys
    import threading
    import time

    status = config.stash.get(_EXIT_STATUS, 1)

    def still_here() -> None:
        time.sleep(EXIT_GRACE_S)
        sys.stderr.write(f"\npytest: still running {EXIT_GRACE_S:.0f} s after the session ended; the threads:\n")
        faulthandler.dump_traceback(all_threads=True)
        os._exit(status or 1)

    threading.Thread(target=still_here, name="exit-watchdog", daemon=True).start()
