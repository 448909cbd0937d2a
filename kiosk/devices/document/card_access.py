"""EF.CardAccess (ICAO 9303-10 §3.11.3, 9303-11 §9.2): the SecurityInfos a chip offers before access control.

SecurityInfos ::= SET OF SecurityInfo; SecurityInfo ::= SEQUENCE { protocol OBJECT IDENTIFIER, requiredData ANY,
optionalData ANY OPTIONAL }. A PACEInfo (§9.2.1) is { protocol id-PACE-*, version INTEGER (2),
parameterId INTEGER OPTIONAL }. Entries for other protocols are kept by OID and otherwise ignored, as the
standard requires of unknown SecurityInfos.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.devices.document import tlv
from kiosk.errors import MalformedCardData

EF_CARD_ACCESS = 0x011C  # in the MF (9303-10 §3.11.3), read without access control
ID_PACE = "0.4.0.127.0.7.2.2.4"

# id-PACE-<key agreement>-<mapping>-<cipher>: OID arc under id-PACE -> (mapping, cipher, key length).
PACE_PROTOCOLS: dict[str, tuple[str, str, str, int]] = {
    f"{ID_PACE}.1.1": ("DH", "GM", "3DES", 16), f"{ID_PACE}.1.2": ("DH", "GM", "AES", 16),
    f"{ID_PACE}.1.3": ("DH", "GM", "AES", 24), f"{ID_PACE}.1.4": ("DH", "GM", "AES", 32),
    f"{ID_PACE}.2.1": ("ECDH", "GM", "3DES", 16), f"{ID_PACE}.2.2": ("ECDH", "GM", "AES", 16),
    f"{ID_PACE}.2.3": ("ECDH", "GM", "AES", 24), f"{ID_PACE}.2.4": ("ECDH", "GM", "AES", 32),
    f"{ID_PACE}.3.1": ("DH", "IM", "3DES", 16), f"{ID_PACE}.3.2": ("DH", "IM", "AES", 16),
    f"{ID_PACE}.3.3": ("DH", "IM", "AES", 24), f"{ID_PACE}.3.4": ("DH", "IM", "AES", 32),
    f"{ID_PACE}.4.1": ("ECDH", "IM", "3DES", 16), f"{ID_PACE}.4.2": ("ECDH", "IM", "AES", 16),
    f"{ID_PACE}.4.3": ("ECDH", "IM", "AES", 24), f"{ID_PACE}.4.4": ("ECDH", "IM", "AES", 32),
    f"{ID_PACE}.6.2": ("ECDH", "CAM", "AES", 16), f"{ID_PACE}.6.3": ("ECDH", "CAM", "AES", 24),
    f"{ID_PACE}.6.4": ("ECDH", "CAM", "AES", 32),
}


def decode_oid(value: bytes) -> str:
    """Dotted form of a DER OBJECT IDENTIFIER's contents."""
    if not value or value[-1] & 0x80:
        raise MalformedCardData("EF.CardAccess: malformed object identifier")
    arcs: list[int] = []
    acc = 0
    for byte in value:
        acc = (acc << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(acc)
            acc = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]])


def encode_oid(dotted: str) -> bytes:
    """Contents octets of a DER OBJECT IDENTIFIER."""
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def _integer(value: bytes) -> int:
    if not value or len(value) > 8:
        raise MalformedCardData("EF.CardAccess: malformed INTEGER")
    return int.from_bytes(value, "big", signed=True)


@dataclass(frozen=True)
class PaceInfo:
    """One PACE variant the chip offers."""

    oid: str
    version: int
    parameter_id: int | None

    @property
    def key_agreement(self) -> str:
        return PACE_PROTOCOLS[self.oid][0]

    @property
    def mapping(self) -> str:
        return PACE_PROTOCOLS[self.oid][1]

    @property
    def cipher(self) -> str:
        return PACE_PROTOCOLS[self.oid][2]

    @property
    def key_length(self) -> int:
        return PACE_PROTOCOLS[self.oid][3]


@dataclass(frozen=True)
class SecurityInfos:
    pace: tuple[PaceInfo, ...]
    other_oids: tuple[str, ...]


def parse_security_infos(data: bytes) -> SecurityInfos:
    """Parse EF.CardAccess's content (a DER SET); MalformedCardData on anything malformed."""
    outer = tlv.read_tlv(data)
    if outer.tag != 0x31:
        raise MalformedCardData("EF.CardAccess: not a SET OF SecurityInfo")
    pace: list[PaceInfo] = []
    other: list[str] = []
    for info in tlv.parse_all(outer.value, max_items=64):
        if info.tag != 0x30:
            raise MalformedCardData("EF.CardAccess: SecurityInfo is not a SEQUENCE")
        fields = tlv.parse_all(info.value, max_items=8)
        if not fields or fields[0].tag != 0x06:
            raise MalformedCardData("EF.CardAccess: SecurityInfo without a protocol OID")
        oid = decode_oid(fields[0].value)
        if oid not in PACE_PROTOCOLS:
            other.append(oid)
            continue
        if len(fields) < 2 or any(f.tag != 0x02 for f in fields[1:3]):
            raise MalformedCardData(f"EF.CardAccess: PACEInfo {oid} without an INTEGER version")
        parameter = _integer(fields[2].value) if len(fields) > 2 else None
        pace.append(PaceInfo(oid, _integer(fields[1].value), parameter))
    return SecurityInfos(tuple(pace), tuple(other))

