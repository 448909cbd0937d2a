"""Bounded BER-TLV decoding and encoding for the eMRTD files (ICAO 9303-10 §4, ISO/IEC 8825-1 subset).

Only what the LDS uses: tags of 1-3 bytes, definite lengths up to 4 length bytes. Anything else, and any length
that runs past the buffer, is a `MalformedCardData`: card data is untrusted input and must never crash the reader
or make it allocate more than the bytes it was given. Nesting is bounded by `max_depth`.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.errors import MalformedCardData

MAX_TAG_BYTES = 3
MAX_LENGTH_BYTES = 4


@dataclass(frozen=True)
class Tlv:
    """One decoded data object: its tag as an int (e.g. 0x5F1F), its value, and where it ended in the buffer."""

    tag: int
    value: bytes
    end: int

    @property
    def constructed(self) -> bool:
        """True when the tag's first byte has the constructed bit (0x20), i.e. the value holds more TLVs."""
        first = self.tag
        while first > 0xFF:
            first >>= 8
        return bool(first & 0x20)


def read_tag(data: bytes, pos: int) -> tuple[int, int]:
    """Decode the tag at `pos`; return (tag, position after it)."""
    if pos >= len(data):
        raise MalformedCardData("TLV: tag missing")
    first = data[pos]
    tag = first
    pos += 1
    if first & 0x1F == 0x1F:
        for count in range(MAX_TAG_BYTES):
            if pos >= len(data):
                raise MalformedCardData("TLV: truncated tag")
            byte = data[pos]
            tag = (tag << 8) | byte
            pos += 1
            if not byte & 0x80:
                break
            if count == MAX_TAG_BYTES - 2:
                raise MalformedCardData("TLV: tag too long")
    return tag, pos


def read_length(data: bytes, pos: int) -> tuple[int, int]:
    """Decode the definite length at `pos`; return (length, position after it)."""
    if pos >= len(data):
        raise MalformedCardData("TLV: length missing")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    count = first & 0x7F
    if count == 0:
        raise MalformedCardData("TLV: indefinite length not allowed")
    if count > MAX_LENGTH_BYTES:
        raise MalformedCardData(f"TLV: {count}-byte length not supported")
    if pos + count > len(data):
        raise MalformedCardData("TLV: truncated length")
    return int.from_bytes(data[pos:pos + count], "big"), pos + count


def read_tlv(data: bytes, pos: int = 0) -> Tlv:
    """Decode one TLV at `pos`; its value must lie within `data`."""
    tag, pos = read_tag(data, pos)
    length, pos = read_length(data, pos)
    end = pos + length
    if end > len(data):
        raise MalformedCardData(f"TLV: tag {tag:X} length {length} runs past the data ({len(data) - pos} left)")
    return Tlv(tag, bytes(data[pos:end]), end)


def header_length(data: bytes) -> tuple[int, int]:
    """From the first bytes of a file, (header size, total size) of its outer TLV; used to size file reads."""
    tag, pos = read_tag(data, 0)
    length, pos = read_length(data, pos)
    return pos, pos + length


def parse_all(data: bytes, max_items: int = 4096) -> list[Tlv]:
    """Decode consecutive TLVs filling `data` exactly (padding 00/FF between objects is skipped)."""
    items: list[Tlv] = []
    pos = 0
    while pos < len(data):
        if data[pos] in (0x00, 0xFF):  # ISO 7816-4 allows these as filler between data objects
            pos += 1
            continue
        item = read_tlv(data, pos)
        items.append(item)
        if len(items) > max_items:
            raise MalformedCardData("TLV: too many data objects")
        pos = item.end
    return items


def children(data: bytes) -> dict[int, bytes]:
    """The data objects in `data` by tag (first occurrence wins)."""
    out: dict[int, bytes] = {}
    for item in parse_all(data):
        out.setdefault(item.tag, item.value)
    return out


def find(data: bytes, path: tuple[int, ...], max_depth: int = 8) -> bytes:
    """The value at a tag path, e.g. find(dg1, (0x61, 0x5F1F)); MalformedCardData when absent."""
    if len(path) > max_depth:
        raise MalformedCardData("TLV: path too deep")
    value = data
    for tag in path:
        found = children(value).get(tag)
        if found is None:
            raise MalformedCardData(f"TLV: tag {tag:X} not found")
        value = found
    return value


def encode_tag(tag: int) -> bytes:
    """The tag's bytes (0x5F1F -> b'\\x5f\\x1f')."""
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def encode_length(length: int) -> bytes:
    """DER definite length."""
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    if len(body) > MAX_LENGTH_BYTES:
        raise ValueError("length too large")
    return bytes([0x80 | len(body)]) + body


def encode(tag: int, value: bytes) -> bytes:
    """One TLV."""
    return encode_tag(tag) + encode_length(len(value)) + value
