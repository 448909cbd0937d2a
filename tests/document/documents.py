"""Test eMRTDs built from scratch: a test CSCA and document signer (made with `cryptography`), the LDS files
EF.COM, DG1, DG2, DG11 and an EF.SOD signed over them, with knobs to tamper with any of it.

Importable by the benchmark as well (`tests.document.documents`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field

from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from PIL import Image

from kiosk.core.identity import AccessKey
from kiosk.devices.document import dg2, tlv
from kiosk.devices.document.mrz import check_digit
from kiosk.devices.document.passive_auth import (
    LDS_SECURITY_OBJECT_OID,
    LdsSecurityObject,
)
from kiosk.devices.document.trust_store import CSCA_MASTER_LIST_OID, CscaMasterList

NOW = dt.datetime.now(dt.UTC)


@dataclass
class Pki:
    """A country's CSCA and one document signer."""

    csca_key: object
    csca: x509.Certificate
    dsc_key: object
    dsc: x509.Certificate
    kind: str

    def csca_pem(self) -> bytes:
        return self.csca.public_bytes(serialization.Encoding.PEM)

    def csca_der(self) -> bytes:
        return self.csca.public_bytes(serialization.Encoding.DER)


def _new_key(kind: str):
    if kind in ("ec", "ec-plain"):
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "ec384":
        return ec.generate_private_key(ec.SECP384R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(country: str, cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, country),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kiosk Test Authority"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_pki(kind: str = "ec", country: str = "UT", csca_cn: str = "CSCA Utopia Test") -> Pki:
    """A self-signed CSCA and a DSC it issued. kind: ec | rsa | rsa-pss (signature scheme of the SOD)."""
    csca_key = _new_key(kind)
    dsc_key = _new_key(kind)
    csca_name = _name(country, csca_cn)
    csca = (x509.CertificateBuilder().subject_name(csca_name).issuer_name(csca_name)
            .public_key(csca_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=365)).not_valid_after(NOW + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(csca_key.public_key()), critical=False)
            .sign(csca_key, hashes.SHA256()))
    dsc = (x509.CertificateBuilder().subject_name(_name(country, "Document Signer Test"))
           .issuer_name(csca_name).public_key(dsc_key.public_key()).serial_number(x509.random_serial_number())
           .not_valid_before(NOW - dt.timedelta(days=30)).not_valid_after(NOW + dt.timedelta(days=3650))
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(csca_key.public_key()),
                          critical=False)
           .add_extension(x509.SubjectKeyIdentifier.from_public_key(dsc_key.public_key()), critical=False)
           .sign(csca_key, hashes.SHA256()))
    return Pki(csca_key, csca, dsc_key, dsc, kind)


def _sign(key, kind: str, data: bytes) -> tuple[bytes, dict]:
    if kind == "ec":
        return key.sign(data, ec.ECDSA(hashes.SHA256())), {"algorithm": "sha256_ecdsa"}
    if kind == "ec384":
        return key.sign(data, ec.ECDSA(hashes.SHA384())), {"algorithm": "sha384_ecdsa"}
    if kind == "ec-plain":  # BSI TR-03111 ecdsa-plain-SHA256: r || s instead of a DER SEQUENCE
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        r, s_ = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s_.to_bytes(32, "big"), {"algorithm": "0.4.0.127.0.7.1.1.4.1.3"}
    if kind == "rsa":
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256()), {"algorithm": "sha256_rsa"}
    sig = key.sign(data, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    return sig, {"algorithm": "rsassa_pss", "parameters": {
        "hash_algorithm": {"algorithm": "sha256"},
        "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
        "salt_length": 32, "trailer_field": "trailer_field_bc"}}


def signed_data(content_type: str, content: bytes, key, cert: x509.Certificate, kind: str,
                signer_id: str = "issuer_serial", with_attributes: bool = True) -> bytes:
    """CMS ContentInfo(SignedData) over `content`, like EF.SOD and master lists.

    `signer_id`: "issuer_serial" or "ski" (subject key identifier); `with_attributes` False signs the content
    itself, as CMS allows and a few issuers do.
    """
    cert_asn1 = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    attrs = cms.CMSAttributes([
        cms.CMSAttribute({"type": "content_type", "values": [cms.ContentType(content_type)]}),
        cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(content).digest()]}),
    ])
    signature, sig_algo = _sign(key, kind, attrs.dump() if with_attributes else content)
    if signer_id == "ski":
        sid = cms.SignerIdentifier({"subject_key_identifier": cert_asn1.key_identifier})
    else:
        sid = cms.SignerIdentifier({"issuer_and_serial_number": {
            "issuer": cert_asn1.issuer, "serial_number": cert_asn1.serial_number}})
    signer_fields = {
        "version": "v3" if signer_id == "ski" else "v1",
        "sid": sid,
        "digest_algorithm": {"algorithm": "sha256"},
        "signature_algorithm": sig_algo,
        "signature": signature,
    }
    if with_attributes:
        signer_fields["signed_attrs"] = attrs
    signer = cms.SignerInfo(signer_fields)
    sd = cms.SignedData({
        "version": "v3",
        "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {"content_type": content_type, "content": core.ParsableOctetString(content)},
        "certificates": [cert_asn1],
        "signer_infos": [signer],
    })
    return cms.ContentInfo({"content_type": "signed_data", "content": sd}).dump()


def master_list(pki_list: list[Pki], signer: Pki) -> bytes:
    """A CSCA master list holding the given CSCAs, signed by a signer certificate of `signer`'s CSCA."""
    ml = CscaMasterList({"version": 0, "cert_list": [
        asn1_x509.Certificate.load(p.csca_der()) for p in pki_list]})
    return signed_data(CSCA_MASTER_LIST_OID, ml.dump(), signer.dsc_key, signer.dsc, signer.kind)


# --- MRZ --------------------------------------------------------------------------------------------------

def _field(text: str, width: int) -> str:
    return text.upper().replace(" ", "<")[:width].ljust(width, "<")


def td3_mrz(number: str, dob: str, expiry: str, surname: str, given: str, nationality: str = "UTO",
            sex: str = "F", personal: str = "") -> str:
    """Two 44-character TD3 lines (passport) with correct check digits."""
    l1 = _field(f"P<{nationality}{surname.replace(' ', '<')}<<{given.replace(' ', '<')}", 44)
    num = _field(number, 9)
    pers = _field(personal, 14)
    pers_cd = check_digit(pers) if personal else "<"
    l2 = num + check_digit(num) + nationality + dob + check_digit(dob) + sex + expiry + check_digit(expiry) \
        + pers + pers_cd
    l2 += check_digit(l2[0:10] + l2[13:20] + l2[21:43])
    return l1 + "\n" + l2


def td2_mrz(number: str, dob: str, expiry: str, surname: str, given: str, nationality: str = "UTO",
            sex: str = "F") -> str:
    """Two 36-character TD2 lines (ICAO 9303-6 §4.2.2) with correct check digits."""
    l1 = _field(f"I<{nationality}{surname.replace(' ', '<')}<<{given.replace(' ', '<')}", 36)
    num = _field(number, 9)
    l2 = num + check_digit(num) + nationality + dob + check_digit(dob) + sex + expiry + check_digit(expiry) + "<" * 7
    l2 += check_digit(l2[0:10] + l2[13:20] + l2[21:35])
    return l1 + "\n" + l2


def td1_mrz(number: str, dob: str, expiry: str, surname: str, given: str, nationality: str = "UTO",
            sex: str = "M") -> str:
    """Three 30-character TD1 lines (identity card) with correct check digits."""
    num = _field(number, 9)
    l1 = _field(f"I<{nationality}{num}{check_digit(num)}", 30)
    l2 = dob + check_digit(dob) + sex + expiry + check_digit(expiry) + nationality + "<" * 11
    l2 += check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    l3 = _field(f"{surname.replace(' ', '<')}<<{given.replace(' ', '<')}", 30)
    return f"{l1}\n{l2}\n{l3}"


# --- photos -----------------------------------------------------------------------------------------------

def photo_bytes(source: Image.Image | None, fmt: str, target_bytes: int = 25_000,
                size: tuple[int, int] = (240, 320)) -> bytes:
    """A chip-like face image (JPEG or JPEG 2000) of about `target_bytes`."""
    img = (source or _drawn_face()).convert("RGB").resize(size)
    if fmt == "jpeg2000":
        buf = io.BytesIO()
        img.save(buf, "JPEG2000", quality_mode="rates", quality_layers=[max(1.0, size[0] * size[1] * 3
                                                                          / target_bytes)], irreversible=True)
        return buf.getvalue()
    best = b""
    for quality in range(95, 5, -5):
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality)
        best = buf.getvalue()
        if len(best) <= target_bytes:
            break
    return best


def padded_jpeg(jpeg: bytes, size: int) -> bytes:
    """`jpeg` grown to exactly `size` bytes with comment (COM, FFFE) segments after SOI: still the same image."""
    filler = size - len(jpeg)
    if filler < 0 or 0 < filler < 4:
        raise ValueError(f"cannot pad a {len(jpeg)}-byte JPEG to {size} bytes")
    segments = b""
    while filler:
        body = min(filler - 4, 0xFFFD)
        if 0 < filler - 4 - body < 4:  # leave room for one more whole segment
            body -= 4
        segments += b"\xff\xfe" + (body + 2).to_bytes(2, "big") + bytes(body)
        filler -= body + 4
    return jpeg[:2] + segments + jpeg[2:]


def jpeg_for_dg2_size(jpeg: bytes, total: int, size: tuple[int, int] = (240, 320)) -> bytes:
    """`jpeg` padded so that the DG2 built around it is exactly `total` bytes long."""
    photo = jpeg
    for _ in range(4):  # the wrapper's lengths grow by a byte at 128/256/64K boundaries: settle in a few steps
        built = len(dg2.build_dg2(photo, False, *size))
        if built == total:
            return photo
        photo = padded_jpeg(jpeg, len(photo) + total - built)
    raise ValueError(f"no DG2 of exactly {total} bytes around this photo")


def _drawn_face() -> Image.Image:
    from PIL import ImageDraw

    img = Image.new("RGB", (240, 320), (200, 210, 230))
    draw = ImageDraw.Draw(img)
    for i in range(0, 320, 4):  # texture so that JPEG does not compress it to nothing
        draw.line([(0, i), (240, (i * 7) % 320)], fill=((i * 5) % 255, (i * 3) % 255, (i * 11) % 255))
    draw.ellipse([60, 70, 180, 230], fill=(230, 190, 160))
    return img


# --- the document -----------------------------------------------------------------------------------------

@dataclass
class Document:
    """An emulated eMRTD's files (by file id), its MRZ and what it was built from."""

    mrz: str
    files: dict[int, bytes]
    photo: bytes
    photo_format: str
    pki: Pki
    extra: dict = field(default_factory=dict)

    @property
    def access_key(self) -> AccessKey:
        from kiosk.devices.document.mrz import access_key_from_mrz

        return access_key_from_mrz(self.mrz)


def build_document(pki: Pki, mrz: str, photo: bytes, photo_format: str = "jpeg", dg11: dict | None = None,
                   tamper_dg2: bool = False, sod_hash: str = "sha256", signer_id: str = "issuer_serial",
                   with_attributes: bool = True, biometric_tag: int = 0x5F2E,
                   photo_size: tuple[int, int] = (240, 320),
                   extra_groups: dict[int, bytes] | None = None) -> Document:
    """EF.COM, DG1, DG2, DG11 (optional) and EF.SOD for one holder.

    `extra_groups`: more data groups by number (DG12, DG14, DG15, ...), listed in EF.COM and hashed in EF.SOD.
    """
    mrz_line = mrz.replace("\n", "")
    dg1 = tlv.encode(0x61, tlv.encode(0x5F1F, mrz_line.encode("ascii")))
    dg2_file = dg2.build_dg2(photo, photo_format == "jpeg2000", *photo_size)
    if biometric_tag != 0x5F2E:  # same record, other container tag (7F2E), lengths re-encoded
        record = tlv.find(dg2_file, (0x75, 0x7F61, 0x7F60, 0x5F2E))
        header = tlv.find(dg2_file, (0x75, 0x7F61, 0x7F60, 0xA1))
        face = tlv.encode(0x7F60, tlv.encode(0xA1, header) + tlv.encode(biometric_tag, record))
        dg2_file = tlv.encode(0x75, tlv.encode(0x7F61, tlv.encode(0x02, b"\x01") + face))
    groups = {1: dg1, 2: dg2_file}
    tags = b"\x61\x75"
    if dg11:
        body = tlv.encode(0x5C, b"\x5f\x0e\x5f\x2b")
        body += tlv.encode(0x5F0E, dg11.get("full_name", "").encode()) + tlv.encode(
            0x5F2B, dg11.get("birth_date", "").encode())
        groups[11] = tlv.encode(0x6B, body)
        tags += b"\x6b"
    for number, content in sorted((extra_groups or {}).items()):
        groups[number] = content
        tags += bytes([content[0]])  # a data group's outer tag is its EF.COM tag list entry (9303-10 §4.6.1)
    com = tlv.encode(0x60, tlv.encode(0x5F01, b"0107") + tlv.encode(0x5F36, b"040000") + tlv.encode(0x5C, tags))
    lds = LdsSecurityObject({
        "version": 0,
        "hash_algorithm": {"algorithm": sod_hash},
        "data_group_hash_values": [{"data_group_number": n, "data_group_hash_value":
                                    hashlib.new(sod_hash, content).digest()} for n, content in sorted(groups.items())],
    })
    sod = tlv.encode(0x77, signed_data(LDS_SECURITY_OBJECT_OID, lds.dump(), pki.dsc_key, pki.dsc, pki.kind,
                                       signer_id=signer_id, with_attributes=with_attributes))
    if tamper_dg2:  # flip one bit in the photo after signing: the hash no longer matches
        damaged = bytearray(groups[2])
        damaged[len(damaged) - 100] ^= 0x01
        groups[2] = bytes(damaged)
    files = {0x011E: com, 0x011D: sod, 0x0101: groups[1], 0x0102: groups[2]}
    for number in groups:
        files.setdefault(0x0100 + number, groups[number])
    return Document(mrz, files, photo, photo_format, pki)
