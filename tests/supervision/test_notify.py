"""The notify protocol against real AF_UNIX datagram sockets, with expectations taken from sd_notify(3) and
sd_watchdog_enabled(3): path and abstract addresses, the unset no-op, WATCHDOG_PID, refused values."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.supervision.notify import (
    LoopWatchdog,
    NotifyEnvironmentInvalid,
    NotifyMessageInvalid,
    NotifySendFailed,
    ServiceNotifier,
    Supervision,
    parse_notify_socket,
    watchdog_usec,
)
from tests.supervision.notify_listener import NotifyListener, is_ping, is_ready

REPO = Path(__file__).resolve().parents[2]


def test_path_socket_receives_newline_separated_assignments_from_this_pid(tmp_path: Path):
    with NotifyListener.at_path(tmp_path) as listener:
        with ServiceNotifier.from_environment(listener.environment()) as notifier:
            assert notifier.ready("attract screen shown") is True
            assert notifier.watchdog() is True
        first = listener.wait_for(is_ready, 5)
        ping = listener.wait_for(is_ping, 5)
    assert first.raw == b"READY=1\nSTATUS=attract screen shown\n"
    assert ping.raw == b"WATCHDOG=1\n"
    assert first.pid == os.getpid() == ping.pid  # the kernel's word, as the manager sees it


def test_abstract_namespace_socket(tmp_path: Path):
    """'@name' means the Linux abstract namespace: nothing appears in the file system, the datagram arrives."""
    with NotifyListener.abstract() as listener:
        address = parse_notify_socket(listener.address)
        assert address.abstract and address.sockaddr == b"\0" + listener.address[1:].encode()
        with ServiceNotifier(address) as notifier:
            notifier.send({"STATUS": "abstract"})
        assert listener.wait_for(lambda n: n.fields.get("STATUS") == "abstract", 5).pid == os.getpid()
    assert not (Path.cwd() / listener.address).exists() and not Path(listener.address[1:]).exists()


def test_unset_notify_socket_is_a_no_op_and_opens_nothing():
    before = set(os.listdir("/proc/self/fd"))
    notifier = ServiceNotifier.from_environment({"WATCHDOG_USEC": "1000000"})
    assert not notifier.enabled
    assert notifier.ready() is False and notifier.watchdog() is False
    assert set(os.listdir("/proc/self/fd")) == before
    supervision = Supervision.from_environment({"WATCHDOG_USEC": "1000000"}, os.getpid())
    assert supervision.ping_interval_s is None  # nowhere to send keep-alives to


@pytest.mark.parametrize("value", ["", "@", "relative/notify", "vsock:2:1234", "/" + "x" * 107, "/a\0b"])
def test_unusable_notify_socket_values_are_refused_with_a_typed_error(value: str):
    with pytest.raises(NotifyEnvironmentInvalid):
        ServiceNotifier.from_environment({"NOTIFY_SOCKET": value})


def test_longest_path_that_fits_sun_path_is_accepted():
    assert parse_notify_socket("/" + "x" * 106).sockaddr == b"/" + b"x" * 106  # 107 bytes + NUL = 108


# sd_watchdog_enabled(3): "If the $WATCHDOG_USEC environment variable is set, and the $WATCHDOG_PID variable is
# unset or set to the PID of the current process, the service manager expects notifications from this process."
@pytest.mark.parametrize("environ, expected", [
    ({}, None),
    ({"WATCHDOG_USEC": "30000000"}, 30_000_000),
    ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4242"}, 30_000_000),
    ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4243"}, None),  # a parent's watchdog, inherited
    ({"WATCHDOG_PID": "4242"}, None),
])
def test_watchdog_applies_only_to_the_process_it_names(environ: dict, expected: int | None):
    assert watchdog_usec(environ, pid=4242) == expected


@pytest.mark.parametrize("environ", [
    {"WATCHDOG_USEC": "soon"}, {"WATCHDOG_USEC": "-5"}, {"WATCHDOG_USEC": "0"}, {"WATCHDOG_USEC": ""},
    {"WATCHDOG_USEC": str(2**64 - 1)}, {"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "self"},
    {"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "0"},
])
def test_malformed_watchdog_variables_are_refused(environ: dict):
    with pytest.raises(NotifyEnvironmentInvalid):
        watchdog_usec(environ, pid=4242)


def test_ping_interval_is_half_the_watchdog_timeout(tmp_path: Path):
    with NotifyListener.at_path(tmp_path) as listener:
        supervision = Supervision.from_environment(listener.environment(watchdog_usec=30_000_000), os.getpid())
        assert supervision.ping_interval_s == 15.0
        supervision.notifier.close()


@pytest.mark.parametrize("fields", [{}, {"STATUS": "two\nlines"}, {"": "1"}, {"A=B": "1"}, {"STATUS": "nul\0"},
                                    {"STATUS": "x" * 5000}])
def test_messages_the_manager_would_misread_are_refused_before_sending(tmp_path: Path, fields: dict):
    with NotifyListener.at_path(tmp_path) as listener, ServiceNotifier.from_environment(
            listener.environment()) as notifier:
        with pytest.raises(NotifyMessageInvalid):
            notifier.send(fields)
        notifier.send({"STATUS": "after"})
        listener.wait_for(lambda n: n.fields.get("STATUS") == "after", 5)
        assert [n.raw for n in listener.received()] == [b"STATUS=after\n"]  # nothing half-sent before it


def test_status_is_kept_on_one_short_line(tmp_path: Path):
    with NotifyListener.at_path(tmp_path) as listener, ServiceNotifier.from_environment(
            listener.environment()) as notifier:
        notifier.status("printer\nout of paper " + "y" * 400)
        status = listener.wait_for(lambda n: "STATUS" in n.fields, 5).fields["STATUS"]
    assert status.startswith("printer out of paper y") and len(status) <= 200


def test_a_vanished_manager_socket_is_a_typed_error_and_a_later_socket_is_reached_again(tmp_path: Path):
    """sendto() per message: after the manager re-creates its socket (daemon-reexec) notifications resume."""
    listener = NotifyListener.at_path(tmp_path)
    notifier = ServiceNotifier.from_environment(listener.environment())
    listener.close()  # the socket file is gone
    with pytest.raises(NotifySendFailed) as failure:
        notifier.watchdog()
    assert failure.value.errno in (errno.ENOENT, errno.ECONNREFUSED)
    with NotifyListener.at_path(tmp_path) as again:
        notifier.watchdog()
        assert again.wait_for(is_ping, 5).pid == os.getpid()
    notifier.close()


def test_a_full_manager_queue_never_blocks_the_sender(tmp_path: Path):
    """The shell sends from its GUI thread: when nobody reads the socket, sends fail at once (EAGAIN)."""
    path = str(tmp_path / "deaf.sock")
    deaf = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    deaf.bind(path)
    notifier = ServiceNotifier(parse_notify_socket(path))
    try:
        with pytest.raises(NotifySendFailed) as failure:
            for _ in range(100_000):
                notifier.watchdog()
        assert failure.value.errno == errno.EAGAIN
    finally:
        notifier.close()
        deaf.close()


def test_loop_watchdog_sends_ready_first_then_pings_no_faster_than_the_interval(tmp_path: Path):
    now = [100.0]
    with NotifyListener.at_path(tmp_path) as listener:
        supervision = Supervision.from_environment(listener.environment(watchdog_usec=2_000_000), os.getpid())
        watchdog = LoopWatchdog(supervision, ready_status="loop running", clock=lambda: now[0])
        assert watchdog.max_sleep_s == 0.25
        for t in (100.0, 100.25, 100.5, 100.75, 101.0, 101.25, 101.5, 101.75, 102.0):
            now[0] = t
            watchdog()
        listener.wait_for(lambda n: len(listener.received()) >= 3, 5)
        raw = [n.raw for n in listener.received()]
        supervision.notifier.close()
    assert raw == [b"READY=1\nSTATUS=loop running\n", b"WATCHDOG=1\n", b"WATCHDOG=1\n"]  # at 101.0 and 102.0


def test_loop_watchdog_reports_a_failing_socket_once_and_keeps_the_loop_going(tmp_path: Path):
    listener = NotifyListener.at_path(tmp_path)
    supervision = Supervision.from_environment(listener.environment(watchdog_usec=1_000_000), os.getpid())
    listener.close()
    errors = []
    now = [0.0]
    watchdog = LoopWatchdog(supervision, on_error=errors.append, clock=lambda: now[0])
    for t in range(10):
        now[0] = float(t)
        watchdog()  # never raises
    assert len(errors) == 1 and isinstance(errors[0], NotifySendFailed)
    supervision.notifier.close()


def test_the_protocol_module_imports_no_qt():
    code = "import kiosk.supervision.notify, sys; print(sorted(m for m in sys.modules if m.startswith('PySide6')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
