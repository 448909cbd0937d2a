"""A card in a vpcd slot that does not answer the reset properly: a mute card (PC/SC SCARD_STATE_MUTE).

vpcd asks for the ATR with the 1-byte control 04 (see tests/document/emrtd_chip.py for the protocol). ISO/IEC
7816-3 says an ATR starts with TS = 3B (direct convention) or 3F (inverse); `answer` = "garbage" sends two bytes
that no ATR can start with, "silence" never answers (and vpcd gives up after its timeout).
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Literal

GARBAGE_ATR = bytes.fromhex("FF00")  # TS = FF is neither 3B nor 3F


class MuteCard:
    def __init__(self, port: int, answer: Literal["garbage", "silence"] = "garbage") -> None:
        self.port = port
        self.answer = answer
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def insert(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self._sock.settimeout(None)
        self._thread = threading.Thread(target=self._serve, args=(self._sock,), daemon=True)
        self._thread.start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                head = sock.recv(2)
                if len(head) < 2:
                    return
                size = int.from_bytes(head, "big")
                payload = b""
                while len(payload) < size:
                    part = sock.recv(size - len(payload))
                    if not part:
                        return
                    payload += part
                if payload == b"\x04" and self.answer == "garbage":
                    sock.sendall(len(GARBAGE_ATR).to_bytes(2, "big") + GARBAGE_ATR)
                elif len(payload) > 1 and self.answer == "garbage":
                    sock.sendall(b"\x00\x01\xFF")  # not even a status word
        except OSError:
            return

    def remove(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
