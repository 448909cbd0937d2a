"""An emulated eMRTD chip (ICAO 9303 LDS1 with BAC and secure messaging) and its vpcd socket connection.

`EmrtdChip.process` answers command APDUs like a BAC passport chip: plain reads are refused with 6982, a wrong
MUTUAL AUTHENTICATE gets 6300, any secure-messaging error gets 6988 and ends the session. `VirtualCard` puts a
chip into one of vpcd's virtual readers over TCP (vpcd's protocol: 2-byte big-endian length, then the payload;
a 1-byte payload is a control: 0 off, 1 on, 2 reset, 4 get ATR). Importable by the benchmark.

READ BINARY follows ISO/IEC 7816-4 as written, independently of the reader's code: Le (Ne) bounds the whole
response data field. With the even INS (B0) that field is the bytes read; with the odd INS (B1) the command data
field is DO'54' (the offset) and the response data field is DO'53' wrapping the bytes read, so DO'53''s tag and
length count against Le: Le = 223 gets `53 81 DC` + 220 bytes, Le = 3 gets `53 01 xx`. A read that reaches the
end of the file before Ne bytes ends with the warning 6282; an offset past the end is 6B00 (wrong parameters,
offset outside the EF). Both are options, because chips in the field differ there.
"""

from __future__ import annotations

import hmac
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Literal

from kiosk.core.identity import AccessKey
from kiosk.devices.document import bac, tlv
from kiosk.devices.document.bac import SessionKeys, pad, retail_mac, tdes_decrypt, tdes_encrypt, unpad
from kiosk.devices.document.emrtd import LDS1_AID

from .pace_chip import AesSecureMessaging, PaceChip

# T=1 ATR whose historical bytes carry card capabilities with "extended Lc/Le" (byte 3 bit 7).
ATR_EXTENDED = bytes.fromhex("3B858001807300004000")[:-1]
ATR_SHORT = bytes.fromhex("3B858001807300000000")[:-1]


def _fix_atr_tck(atr: bytes) -> bytes:
    body = atr[1:]
    tck = 0
    for b in body:
        tck ^= b
    return atr + bytes([tck])


@dataclass
class _Apdu:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None
    extended: bool


def _parse_apdu(raw: bytes) -> _Apdu:
    if len(raw) < 4:
        raise ValueError("short APDU")
    cla, ins, p1, p2 = raw[:4]
    body = raw[4:]
    if not body:
        return _Apdu(cla, ins, p1, p2, b"", None, False)
    if len(body) == 1:
        return _Apdu(cla, ins, p1, p2, b"", body[0] or 256, False)
    if body[0] == 0 and len(body) >= 3:  # extended
        if len(body) == 3:
            return _Apdu(cla, ins, p1, p2, b"", int.from_bytes(body[1:3], "big") or 65536, True)
        lc = int.from_bytes(body[1:3], "big")
        data = body[3:3 + lc]
        rest = body[3 + lc:]
        le = (int.from_bytes(rest, "big") or 65536) if rest else None
        return _Apdu(cla, ins, p1, p2, data, le, True)
    lc = body[0]
    data = body[1:1 + lc]
    rest = body[1 + lc:]
    le = (rest[0] or 256) if rest else None
    return _Apdu(cla, ins, p1, p2, data, le, False)


@dataclass(frozen=True)
class BinaryRead:
    """One READ BINARY as the chip saw and answered it (`count`: data bytes returned)."""

    ins: int
    offset: int
    le: int
    count: int
    sw: int


def _ber_length(length: int) -> bytes:
    """BER definite length octets (ISO/IEC 8825-1 §8.1.3): short form below 128, else 81/82/83 + the length."""
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _offset_data_object(data: bytes) -> int | None:
    """The offset in a B1 command data field, which must be exactly DO'54' with a 1-3 byte value."""
    if len(data) < 3 or data[0] != 0x54 or not 1 <= data[1] <= 3 or len(data) != 2 + data[1]:
        return None
    return int.from_bytes(data[2:], "big")


class EmrtdChip:
    """The chip's state machine. `files` maps file ids to contents."""

    def __init__(self, files: dict[int, bytes], access_key: AccessKey, extended_length: bool = True,
                 advertise: str = "atr", max_response: int = 0x0800,
                 end_of_file: Literal["before-le", "always", "never"] = "before-le",
                 past_end: Literal["6B00", "6282"] = "6B00", plain_access: bool = False,
                 pace: PaceChip | None = None, bac_enabled: bool = True) -> None:
        """`advertise`: where the chip announces extended length: "atr", "ef" (EF.ATR/INFO only) or "none".

        `end_of_file`: when a READ BINARY answers the warning 6282 instead of 9000: "before-le" when the end of
        the file is reached before Ne bytes (ISO/IEC 7816-4), "always" whenever a read reaches the end (even
        with exactly Ne bytes), "never" (plain 9000 with fewer bytes). `past_end`: the answer to an offset at or
        beyond the end: "6B00" (ISO/IEC 7816-4) or "6282" with no data. `plain_access`: the LDS files can be
        selected and read without BAC, so that tests can send commands and check answers byte for byte.
        `pace`: the chip also speaks PACE (EF.CardAccess in the MF, `pace_chip.py`); `bac_enabled`: False for a
        chip that accepts only PACE.
        """
        self.files = files
        self.end_of_file = end_of_file
        self.past_end = past_end
        self.plain_access = plain_access
        self.reads: list[BinaryRead] = []  # every READ BINARY answered, for tests to inspect
        seed = bac.bac_seed(access_key)
        self._k_enc, self._k_mac = bac.derive_key(seed, 1), bac.derive_key(seed, 2)
        self.atr = _fix_atr_tck(ATR_EXTENDED if extended_length and advertise == "atr" else ATR_SHORT)
        self.mf_files: dict[int, bytes] = {}
        if extended_length and advertise == "ef":
            sizes = tlv.encode(0x02, max_response.to_bytes(2, "big"))
            self.mf_files[0x2F01] = tlv.encode(0x47, b"\x00\x00\x40") + tlv.encode(0x7F66, sizes + sizes)
        self.pace = pace
        self.bac_enabled = bac_enabled
        if pace is not None:
            self.mf_files[0x011C] = pace.card_access
        self._mf_file: int | None = None
        self.extended_length = extended_length
        self.mutual_auth_attempts = 0
        self.apdus = 0
        self.reset()

    def reset(self) -> None:
        self._mf_file = None
        self._selected_app = False
        self._rnd_ic: bytes | None = None
        self._session: SessionKeys | None = None
        self._suite: AesSecureMessaging | None = None  # None: 3DES secure messaging (BAC, PACE-3DES)
        self._file: int | None = None
        if self.pace is not None:
            self.pace.reset()

    def process(self, raw: bytes) -> bytes:
        """Answer one command APDU."""
        self.apdus += 1
        try:
            apdu = _parse_apdu(raw)
        except ValueError:
            return b"\x67\x00"
        if apdu.extended and not self.extended_length:
            return b"\x67\x00"
        if apdu.cla & 0x0C == 0x0C:
            return self._secure(apdu)
        if self.pace is not None and apdu.ins in (0x22, 0x86):
            return self._pace(apdu)
        if apdu.ins in (0x82, 0x84) and not self.bac_enabled:
            return b"\x6d\x00"
        if apdu.ins == 0xA4 and apdu.p1 == 0x04:
            if apdu.data == LDS1_AID:
                self.reset()
                self._selected_app = True
                return b"\x90\x00"
            return b"\x6a\x82"
        if not self._selected_app:
            return self._master_file(apdu)
        if apdu.ins == 0x84:
            self._rnd_ic = os.urandom(8)
            return self._rnd_ic + b"\x90\x00"
        if apdu.ins == 0x82:
            return self._mutual_auth(apdu.data)
        if self.plain_access:
            data, sw = self._inner(apdu, apdu.le)
            return data + sw.to_bytes(2, "big")
        return b"\x69\x82"  # security status not satisfied: everything else needs BAC

    def _pace(self, apdu: _Apdu) -> bytes:
        """PACE steps; a plain command ends any secure-messaging session, a successful PACE starts one."""
        assert self.pace is not None
        self._session, self._suite = None, None
        answer = self.pace.process(apdu.cla, apdu.ins, apdu.p1, apdu.p2, apdu.data)
        if self.pace.session is not None:
            keys, cipher = self.pace.session
            self._session, self._suite = keys, (AesSecureMessaging() if cipher == "AES" else None)
        return answer

    def _master_file(self, apdu: _Apdu) -> bytes:
        """Plain access to the MF's free files (EF.ATR/INFO) before the application is selected."""
        if apdu.ins == 0xA4 and apdu.p1 == 0x02:
            fid = int.from_bytes(apdu.data, "big") if len(apdu.data) == 2 else -1
            if fid not in self.mf_files:
                self._mf_file = None
                return b"\x6a\x82"
            self._mf_file = fid
            return b"\x90\x00"
        if apdu.ins == 0xB0 and self._mf_file is not None:
            offset = (apdu.p1 << 8) | apdu.p2
            content = self.mf_files[self._mf_file]
            chunk = content[offset:offset + (apdu.le or 256)]
            return chunk + (b"\x90\x00" if len(chunk) == (apdu.le or 256) else b"\x62\x82")
        return b"\x69\x85"

    def _mutual_auth(self, data: bytes) -> bytes:
        self.mutual_auth_attempts += 1
        rnd_ic, self._rnd_ic = self._rnd_ic, None
        self._session, self._suite = None, None
        if rnd_ic is None or len(data) != 40:
            return b"\x69\x85"
        if not hmac.compare_digest(retail_mac(self._k_mac, pad(data[:32])), data[32:]):
            return b"\x63\x00"
        plain = tdes_decrypt(self._k_enc, data[:32])
        if plain[8:16] != rnd_ic:
            return b"\x63\x00"
        rnd_ifd, k_ifd = plain[:8], plain[16:32]
        k_ic = os.urandom(16)
        e_ic = tdes_encrypt(self._k_enc, rnd_ic + rnd_ifd + k_ic)
        self._session = bac.session_from(k_ifd, k_ic, rnd_ic, rnd_ifd)
        return e_ic + retail_mac(self._k_mac, pad(e_ic)) + b"\x90\x00"

    # --- secure messaging ----------------------------------------------------------------------------------

    def _secure(self, apdu: _Apdu) -> bytes:
        keys = self._session
        if keys is None:
            return b"\x69\x88"
        try:
            inner, le = self._unwrap(keys, apdu)
        except ValueError:
            self._session = None
            return b"\x69\x88"
        data, sw = self._inner(inner, le)
        return self._wrap(keys, data, sw, odd=bool(inner.ins & 1))

    def _unwrap(self, keys: SessionKeys, apdu: _Apdu) -> tuple[_Apdu, int | None]:
        self._increment(keys)
        pos, do87, do97, mac, mac_end = 0, b"", b"", None, 0
        body = apdu.data
        try:
            while pos < len(body):
                item = tlv.read_tlv(body, pos)
                raw_item = body[pos:item.end]
                if item.tag in (0x85, 0x87):
                    do87 = raw_item
                elif item.tag == 0x97:
                    do97 = raw_item
                elif item.tag == 0x8E:
                    mac, mac_end = item.value, pos
                else:
                    raise ValueError("unexpected DO")
                pos = item.end
        except Exception as exc:
            raise ValueError("bad TLV") from exc
        if mac is None:
            raise ValueError("no MAC")
        header = bytes([apdu.cla, apdu.ins, apdu.p1, apdu.p2])
        if self._suite is not None:
            expected = self._suite.mac(keys, self._suite.pad_header(header) + body[:mac_end])
        else:
            expected = retail_mac(keys.k_mac, pad(keys.ssc.to_bytes(8, "big") + pad(header) + body[:mac_end]))
        if not hmac.compare_digest(expected, mac):
            raise ValueError("bad MAC")
        data = b""
        if do87:
            value = tlv.read_tlv(do87).value
            if do87[0] == 0x87:
                if value[:1] != b"\x01":
                    raise ValueError("bad padding indicator")
                value = value[1:]
            try:
                data = self._suite.decrypt(keys, value) if self._suite else unpad(tdes_decrypt(keys.k_enc, value))
            except Exception as exc:
                raise ValueError("bad cryptogram") from exc
        le = None
        if do97:
            value = tlv.read_tlv(do97).value
            le = int.from_bytes(value, "big") or (65536 if len(value) == 2 else 256)
        return _Apdu(apdu.cla & ~0x0C, apdu.ins, apdu.p1, apdu.p2, data, le, apdu.extended), le

    def _increment(self, keys: SessionKeys) -> None:
        if self._suite is not None:
            self._suite.increment(keys)
        else:
            keys.ssc = (keys.ssc + 1) % (1 << 64)

    def _wrap(self, keys: SessionKeys, data: bytes, sw: int, odd: bool) -> bytes:
        self._increment(keys)
        do87 = b""
        if data:
            cryptogram = self._suite.encrypt(keys, data) if self._suite else tdes_encrypt(keys.k_enc, pad(data))
            do87 = tlv.encode(0x85, cryptogram) if odd else tlv.encode(0x87, b"\x01" + cryptogram)
        do99 = b"\x99\x02" + sw.to_bytes(2, "big")
        if self._suite is not None:
            mac = self._suite.mac(keys, do87 + do99)
        else:
            mac = retail_mac(keys.k_mac, pad(keys.ssc.to_bytes(8, "big") + do87 + do99))
        return do87 + do99 + b"\x8e\x08" + mac + sw.to_bytes(2, "big")

    def _inner(self, apdu: _Apdu, le: int | None) -> tuple[bytes, int]:
        if apdu.ins == 0xA4 and apdu.p1 == 0x04:  # after PACE in the MF, the application is selected protected
            if apdu.data != LDS1_AID:
                return b"", 0x6A82
            self._selected_app, self._file = True, None
            return b"", 0x9000
        if apdu.ins == 0xA4 and apdu.p1 == 0x02:
            fid = int.from_bytes(apdu.data, "big") if len(apdu.data) == 2 else -1
            if fid not in self.files:
                return b"", 0x6A82
            self._file = fid
            return b"", 0x9000
        if apdu.ins in (0xB0, 0xB1):
            if self._file is None:
                return b"", 0x6986
            return self._read_binary(apdu, le)
        return b"", 0x6D00

    def _read_binary(self, apdu: _Apdu, le: int | None) -> tuple[bytes, int]:
        """READ BINARY (ISO/IEC 7816-4 §11.2.3) of the selected EF: (response data field, SW)."""
        if apdu.ins == 0xB0:
            if apdu.p1 & 0x80:  # P1 b8 = 1: short EF identifier in P1, offset in P2; this chip has none
                return b"", 0x6B00
            offset = (apdu.p1 << 8) | apdu.p2
        else:
            offset = _offset_data_object(apdu.data)
            if offset is None:
                return b"", 0x6A80  # incorrect parameters in the command data field
        if le is None:
            return b"", 0x6700  # no Le: no response data field expected, nothing to read
        content = self.files[self._file]
        remaining = len(content) - offset
        if remaining <= 0:
            self.reads.append(BinaryRead(apdu.ins, offset, le, 0, int(self.past_end, 16)))
            return b"", int(self.past_end, 16)
        if apdu.ins == 0xB0:
            count = min(le, remaining)
            field = content[offset:offset + count]
        else:
            # The largest count whose DO'53' (tag, length, count bytes) fits in Ne bytes.
            count = min(le, remaining)
            while count >= 0 and 1 + len(_ber_length(count)) + count > le:
                count -= 1
            if count < 0:
                return b"", 0x6700  # Ne cannot hold even an empty DO'53'
            field = b"\x53" + _ber_length(count) + content[offset:offset + count]
        reached_end = count == remaining
        short_of_ne = len(field) < le
        warn = {"before-le": reached_end and short_of_ne, "always": reached_end, "never": False}[self.end_of_file]
        sw = 0x6282 if warn else 0x9000
        self.reads.append(BinaryRead(apdu.ins, offset, le, count, sw))
        return field, sw


class VirtualCard:
    """A chip inserted into a vpcd reader: a TCP client of pcscd's vpcd driver on 127.0.0.1:`port`.

    `pull_after`: close the connection (the card is pulled) when that many APDUs have been answered.
    """

    def __init__(self, chip: EmrtdChip, port: int, pull_after: int | None = None) -> None:
        self.chip = chip
        self.port = port
        self.pull_after = pull_after
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.connected = threading.Event()
        self.answered = 0

    def insert(self, timeout: float = 10.0) -> None:
        """Connect to vpcd (retrying while pcscd starts) and serve the chip on a thread."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name=f"vicc-{self.port}", daemon=True)
        self._thread.start()
        self.connected.set()

    def remove(self) -> None:
        """Pull the card: close the connection."""
        self._stop.set()
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self.connected.clear()

    def _recv_exact(self, sock: socket.socket, size: int) -> bytes | None:
        buf = b""
        while len(buf) < size:
            # vpcd sends the length and the APDU as separate segments; without re-arming quick ACK before each
            # read, delayed ACKs cost ~40 ms per APDU.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            part = sock.recv(size - len(buf))
            if not part:
                return None
            buf += part
        return buf

    def _serve(self) -> None:
        sock = self._sock
        try:
            while sock is not None and not self._stop.is_set():
                head = self._recv_exact(sock, 2)
                if head is None:
                    break
                payload = self._recv_exact(sock, int.from_bytes(head, "big"))
                if payload is None:
                    break
                if len(payload) == 1:
                    if payload[0] == 4:
                        sock.sendall(len(self.chip.atr).to_bytes(2, "big") + self.chip.atr)
                    elif payload[0] in (0, 1, 2):
                        self.chip.reset()
                    continue
                if self.pull_after is not None and self.answered >= self.pull_after:
                    break
                response = self.chip.process(payload)
                self.answered += 1
                sock.sendall(len(response).to_bytes(2, "big") + response)
        except OSError:
            pass
        finally:
            if not self._stop.is_set() and sock is not None:
                try:
                    sock.close()
                except OSError:
                    pass
