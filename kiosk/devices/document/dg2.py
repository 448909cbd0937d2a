"""DG2 (encoded face) to the face image: ICAO 9303-10 biometric template + ISO/IEC 19794-5 facial record.

DG2 = 75 { 7F61 { 02 count, 7F60 { A1 header, 5F2E|7F2E biometric data } ... } }. The biometric data block is a
19794-5 record: 'FAC\\0', version, record length, face count, then per face a facial information block, feature
points, image information and the image bytes (JPEG or JPEG 2000). Only the first face is returned. Every offset
is checked against the buffer: a lying length is a MalformedCardData, never an IndexError.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.devices.document import tlv
from kiosk.errors import MalformedCardData

JPEG = "jpeg"
JPEG2000 = "jpeg2000"
_JPEG_MAGIC = b"\xff\xd8"
_JP2_MAGICS = (b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")  # JP2 box file, raw codestream


@dataclass(frozen=True)
class FaceImage:
    """The face image exactly as stored on the chip."""

    data: bytes
    format: str  # jpeg | jpeg2000
    width: int
    height: int

    def __repr__(self) -> str:
        return f"FaceImage({self.format}, {self.width}x{self.height}, {len(self.data)} bytes)"


def parse_dg2(dg2: bytes) -> FaceImage:
    """The first face image of a DG2 file."""
    outer = tlv.read_tlv(dg2)
    if outer.tag != 0x75:
        raise MalformedCardData(f"DG2: outer tag {outer.tag:X} is not 75")
    group = tlv.children(outer.value).get(0x7F61)
    if group is None:
        raise MalformedCardData("DG2: biometric information group template 7F61 missing")
    for item in tlv.parse_all(group):
        if item.tag == 0x7F60:
            template = tlv.children(item.value)
            data = template.get(0x5F2E, template.get(0x7F2E))
            if data is None:
                raise MalformedCardData("DG2: biometric data block 5F2E/7F2E missing")
            return parse_facial_record(data)
    raise MalformedCardData("DG2: no biometric information template 7F60")


def _u(data: bytes, pos: int, size: int) -> int:
    if pos + size > len(data):
        raise MalformedCardData("19794-5: record truncated")
    return int.from_bytes(data[pos:pos + size], "big")


def parse_facial_record(record: bytes) -> FaceImage:
    """The first face image of an ISO/IEC 19794-5 (2005) facial record."""
    if record[:4] != b"FAC\x00":
        raise MalformedCardData("19794-5: format identifier is not 'FAC'")
    record_length = _u(record, 8, 4)
    faces = _u(record, 12, 2)
    if faces < 1:
        raise MalformedCardData("19794-5: no face in record")
    if record_length > len(record) or record_length < 14:
        raise MalformedCardData("19794-5: record length does not match the data")
    pos = 14
    block_length = _u(record, pos, 4)
    feature_points = _u(record, pos + 4, 2)
    if block_length < 20 + 12 or pos + block_length > record_length:
        raise MalformedCardData("19794-5: facial information block length out of range")
    image_info = pos + 20 + feature_points * 8
    if image_info + 12 > pos + block_length:
        raise MalformedCardData("19794-5: feature points overrun the block")
    data_type = _u(record, image_info + 1, 1)
    width = _u(record, image_info + 2, 2)
    height = _u(record, image_info + 4, 2)
    image = bytes(record[image_info + 12:pos + block_length])
    if not image:
        raise MalformedCardData("19794-5: empty image")
    return FaceImage(image, _image_format(data_type, image), width, height)


def _image_format(data_type: int, image: bytes) -> str:
    # Some issuers set the data type wrongly; the image's own magic bytes decide.
    if image.startswith(_JPEG_MAGIC):
        return JPEG
    if image.startswith(_JP2_MAGICS):
        return JPEG2000
    if data_type in (0, 1):
        raise MalformedCardData("19794-5: image data is neither JPEG nor JPEG 2000")
    raise MalformedCardData(f"19794-5: unknown image data type {data_type}")


def build_facial_record(image: bytes, jpeg2000: bool, width: int, height: int) -> bytes:
    """A minimal 19794-5 record around `image` (for emulated documents and tests)."""
    info = bytes(3) + bytes(3) + bytes(2) + bytes(3) + bytes(3)  # gender/eyes/hair, mask, expression, pose
    image_info = (bytes([1, 1 if jpeg2000 else 0]) + width.to_bytes(2, "big") + height.to_bytes(2, "big")
                  + bytes([1, 2]) + bytes(2) + bytes(2))
    block = info + image_info + image
    block = (len(block) + 6).to_bytes(4, "big") + (0).to_bytes(2, "big") + block
    header = b"FAC\x00" + b"010\x00"
    total = len(header) + 4 + 2 + len(block)
    return header + total.to_bytes(4, "big") + (1).to_bytes(2, "big") + block


def build_dg2(image: bytes, jpeg2000: bool, width: int, height: int) -> bytes:
    """A DG2 file with one face (for emulated documents and tests)."""
    header = tlv.encode(0xA1, tlv.encode(0x80, b"\x01\x01") + tlv.encode(0x87, b"\x01\x01")
                        + tlv.encode(0x88, b"\x00\x08"))
    face = tlv.encode(0x7F60, header + tlv.encode(0x5F2E, build_facial_record(image, jpeg2000, width, height)))
    return tlv.encode(0x75, tlv.encode(0x7F61, tlv.encode(0x02, b"\x01") + face))


def decode_image(face: FaceImage):
    """The face as a PIL image (JPEG or JPEG 2000 via Pillow's OpenJPEG), in memory only."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(face.data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise MalformedCardData(f"face image does not decode: {exc}") from exc
    return image
