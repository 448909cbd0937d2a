"""An oversized chip photo (a decompression bomb) is refused with a typed error, not an uncaught exception."""

from __future__ import annotations

import struct
import zlib

import pytest

from kiosk.config import FaceConfig
from kiosk.devices.face.dlib_verifier import DlibFaceVerifier
from kiosk.devices.face.photo import PhotoTooLarge, decode_image
from kiosk.errors import FaceError


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG (ISO/IEC 15948) whose IHDR declares width x height 8-bit RGB, with one tiny IDAT: a few hundred
    bytes that claim gigabytes once decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + _chunk(b"IEND", b""))


@pytest.mark.parametrize("side", [20_000, 9_000])  # 400 MP: Pillow's own bomb error; 81 MP: our limit
def test_oversized_photo_is_a_typed_refusal(side: int) -> None:
    data = png_header_only(side, side)
    assert len(data) < 200
    with pytest.raises(PhotoTooLarge) as caught:
        decode_image(data)
    assert isinstance(caught.value, FaceError)  # the terminal turns FaceErrors into a decision, never a hang
    assert f"{side}x{side}" in caught.value.detail or "exceeds" in caught.value.detail


def test_verifier_refuses_a_bomb_as_chip_photo(models, encoder_pool) -> None:
    verifier = DlibFaceVerifier(camera=object(), config=FaceConfig(), models=models, pool=encoder_pool)
    with pytest.raises(PhotoTooLarge):
        verifier.prepare(png_header_only(20_000, 20_000))
