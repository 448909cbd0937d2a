"""Passive authentication (ICAO 9303-11 §5.1): EF.SOD's signature, the data-group hashes, the DSC -> CSCA chain.

CMS, X.509 and the LDS security object are decoded with asn1crypto (the LDS types are declared with its
classes, not parsed by hand) and every signature is checked with `cryptography`. The outcome is VALID, INVALID
with the first reason found, or UNKNOWN_ISSUER when everything on the document is consistent but no trusted CSCA
signed its document signer. A broken document (INVALID) always outranks an unknown issuer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from asn1crypto import algos, cms, core
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from kiosk.devices.document import tlv
from kiosk.devices.document.trust_store import TrustStore
from kiosk.errors import MalformedCardData
from kiosk.identity import PassiveAuth

LDS_SECURITY_OBJECT_OID = "2.23.136.1.1.1"
_HASHES = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256, "sha384": hashes.SHA384,
           "sha512": hashes.SHA512}
# BSI TR-03111 ecdsa-plain-signatures (r || s), used by several issuers' document signers.
_ECDSA_PLAIN = {f"0.4.0.127.0.7.1.1.4.1.{i}": h for i, h in
                ((1, "sha1"), (2, "sha224"), (3, "sha256"), (4, "sha384"), (5, "sha512"))}


class DataGroupHash(core.Sequence):
    _fields = [("data_group_number", core.Integer), ("data_group_hash_value", core.OctetString)]


class DataGroupHashValues(core.SequenceOf):
    _child_spec = DataGroupHash


class LdsVersionInfo(core.Sequence):
    _fields = [("lds_version", core.PrintableString), ("unicode_version", core.PrintableString)]


class LdsSecurityObject(core.Sequence):
    """LDSSecurityObject of ICAO 9303-10 §4.6.2.2."""

    _fields = [
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashValues),
        ("lds_version_info", LdsVersionInfo, {"optional": True}),
    ]


@dataclass(frozen=True)
class PassiveAuthResult:
    status: PassiveAuth
    detail: str

    @classmethod
    def invalid(cls, reason: str) -> PassiveAuthResult:
        return cls(PassiveAuth.INVALID, reason)


class _Invalid(Exception):
    """Internal: the document fails a check; the message is the reason shown to technicians."""


def _hash_class(name: str) -> type[hashes.HashAlgorithm]:
    if name not in _HASHES:
        raise _Invalid(f"unsupported hash algorithm {name}")
    return _HASHES[name]


def digest(name: str, data: bytes) -> bytes:
    """Hash `data` with the named algorithm (sha1 ... sha512)."""
    if name not in _HASHES:
        raise _Invalid(f"unsupported hash algorithm {name}")
    return hashlib.new(name, data).digest()


def verify_signature(public_key, signature: bytes, data: bytes, sig_algo: algos.SignedDigestAlgorithm,
                     digest_name: str) -> None:
    """Check a CMS signer's signature with `cryptography`; raises _Invalid."""
    oid = sig_algo["algorithm"].dotted
    try:
        if oid in _ECDSA_PLAIN:
            if not isinstance(public_key, ec.EllipticCurvePublicKey) or len(signature) % 2:
                raise _Invalid("plain ECDSA signature does not fit the key")
            half = len(signature) // 2
            der = encode_dss_signature(int.from_bytes(signature[:half], "big"),
                                       int.from_bytes(signature[half:], "big"))
            public_key.verify(der, data, ec.ECDSA(_hash_class(_ECDSA_PLAIN[oid])()))
            return
        kind = sig_algo.signature_algo
        try:
            hash_name = sig_algo.hash_algo
        except (ValueError, KeyError):
            hash_name = digest_name
        if kind == "rsassa_pss":
            params = sig_algo["parameters"]
            pss_hash = _hash_class(params["hash_algorithm"]["algorithm"].native)()
            mgf_hash = _hash_class(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)()
            if not isinstance(public_key, rsa.RSAPublicKey):
                raise _Invalid("RSA-PSS signature with a non-RSA key")
            public_key.verify(signature, data, padding.PSS(padding.MGF1(mgf_hash), params["salt_length"].native),
                              pss_hash)
        elif kind == "rsassa_pkcs1v15":
            if not isinstance(public_key, rsa.RSAPublicKey):
                raise _Invalid("RSA signature with a non-RSA key")
            public_key.verify(signature, data, padding.PKCS1v15(), _hash_class(hash_name)())
        elif kind == "ecdsa":
            if not isinstance(public_key, ec.EllipticCurvePublicKey):
                raise _Invalid("ECDSA signature with a non-EC key")
            public_key.verify(signature, data, ec.ECDSA(_hash_class(hash_name)()))
        else:
            raise _Invalid(f"unsupported signature algorithm {oid}")
    except InvalidSignature as exc:
        raise _Invalid("signature does not verify") from exc
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise _Invalid(f"signature not verifiable: {exc}") from exc


@dataclass(frozen=True)
class SignedContent:
    """What a verified CMS SignedData yields: its content type, content, and signer's certificate."""

    content_type: str
    content: bytes
    signer: x509.Certificate
    embedded_certificates: tuple[x509.Certificate, ...]


def verify_signed_data(content_info_der: bytes) -> SignedContent:
    """Check a CMS SignedData's (first) signer: message digest and signature. Raises _Invalid."""
    try:
        info = cms.ContentInfo.load(content_info_der, strict=True)
        if info["content_type"].native != "signed_data":
            raise _Invalid("not a CMS SignedData")
        signed = info["content"]
        # Parse the unsigned header fields too: malformed ones make the SOD malformed, not silently ignored.
        if signed["version"].native not in ("v1", "v3") or not signed["digest_algorithms"].native:
            raise _Invalid("malformed SignedData header")
        encap = signed["encap_content_info"]
        content_type = encap["content_type"].dotted
        content = encap["content"]
        if content is None or isinstance(content, core.Void):
            raise _Invalid("CMS SignedData without content")
        content_bytes = content.native if isinstance(content.native, bytes) else content.contents
        certs = [c.chosen for c in (signed["certificates"] or []) if c.name == "certificate"]
        signer_infos = signed["signer_infos"]
        if len(signer_infos) != 1:
            raise _Invalid(f"expected one signer, found {len(signer_infos)}")
        signer_info = signer_infos[0]
        signer_cert = _find_signer(certs, signer_info["sid"])
        digest_name = signer_info["digest_algorithm"]["algorithm"].native
        signed_attrs = signer_info["signed_attrs"]
        if signed_attrs is not None and len(signed_attrs):
            message_digest = None
            for attr in signed_attrs:
                if attr["type"].native == "message_digest":
                    message_digest = attr["values"][0].native
            if message_digest is None:
                raise _Invalid("signed attributes lack a message digest")
            if not hmac.compare_digest(message_digest, digest(digest_name, content_bytes)):
                raise _Invalid("message digest does not match the security object")
            # The signature covers the DER of the attributes with a SET OF tag instead of [0] IMPLICIT.
            to_verify = b"\x31" + signed_attrs.dump()[1:]
        else:
            to_verify = content_bytes
        try:
            signer = x509.load_der_x509_certificate(signer_cert.dump())
            embedded = tuple(x509.load_der_x509_certificate(c.dump()) for c in certs)
            public_key = signer.public_key()
        except Exception as exc:  # noqa: BLE001 - untrusted DER: cryptography's parse errors are not one class
            raise _Invalid(f"signer certificate not usable: {exc}") from exc
        verify_signature(public_key, signer_info["signature"].native, to_verify,
                         signer_info["signature_algorithm"], digest_name)
        return SignedContent(content_type, content_bytes, signer, embedded)
    except _Invalid:
        raise
    except Exception as exc:  # noqa: BLE001
        # asn1crypto parses lazily and reports malformed untrusted input with many exception types
        raise _Invalid(f"malformed CMS structure: {exc}") from exc


def _find_signer(certs: list, sid: cms.SignerIdentifier):
    if sid.name == "issuer_and_serial_number":
        wanted = sid.chosen
        for cert in certs:
            if cert.issuer == wanted["issuer"] and cert.serial_number == wanted["serial_number"].native:
                return cert
    else:
        for cert in certs:
            if cert.key_identifier == sid.chosen.native:
                return cert
    raise _Invalid("document signer certificate is not in EF.SOD")


def parse_security_object(content: bytes) -> tuple[str, dict[int, bytes]]:
    """The hash algorithm and the data-group hashes of an LDSSecurityObject."""
    try:
        so = LdsSecurityObject.load(content, strict=True)
        algorithm = so["hash_algorithm"]["algorithm"].native
        values = {int(v["data_group_number"].native): v["data_group_hash_value"].native
                  for v in so["data_group_hash_values"]}
    except Exception as exc:  # noqa: BLE001 - lazily parsed untrusted DER, see verify_signed_data
        raise _Invalid(f"malformed LDS security object: {exc}") from exc
    return algorithm, values


def passive_authentication(sod_file: bytes, data_groups: dict[int, bytes], trust: TrustStore,
                           now: dt.datetime | None = None) -> PassiveAuthResult:
    """Verify EF.SOD and every read data group against it, then chain its DSC to a trusted CSCA."""
    now = now or dt.datetime.now(dt.timezone.utc)
    try:
        try:
            outer = tlv.read_tlv(sod_file)
        except MalformedCardData as exc:
            raise _Invalid(f"EF.SOD: {exc.detail}") from exc
        if outer.tag != 0x77:
            raise _Invalid("EF.SOD does not start with tag 77")
        signed = verify_signed_data(outer.value)
        if signed.content_type != LDS_SECURITY_OBJECT_OID:
            raise _Invalid("EF.SOD does not hold an LDS security object")
        algorithm, hashes_in_sod = parse_security_object(signed.content)
        for number, content in sorted(data_groups.items()):
            expected = hashes_in_sod.get(number)
            if expected is None:
                raise _Invalid(f"DG{number} is not in the security object")
            if not hmac.compare_digest(expected, digest(algorithm, content)):
                raise _Invalid(f"DG{number} hash does not match the security object")
        dsc = signed.signer
        if not dsc.not_valid_before_utc <= now <= dsc.not_valid_after_utc:
            raise _Invalid("document signer certificate is outside its validity period")
        return _chain(dsc, trust, now)
    except _Invalid as exc:
        return PassiveAuthResult.invalid(str(exc))


def _chain(dsc: x509.Certificate, trust: TrustStore, now: dt.datetime) -> PassiveAuthResult:
    candidates = trust.issuers_of(dsc)
    if not candidates:
        return PassiveAuthResult(PassiveAuth.UNKNOWN_ISSUER,
                                 f"no trusted CSCA for {dsc.issuer.rfc4514_string()}")
    reasons = []
    for csca in candidates:
        try:
            dsc.verify_directly_issued_by(csca)
        except Exception as exc:  # noqa: BLE001 - InvalidSignature, unsupported or malformed keys alike
            reasons.append(str(exc) or type(exc).__name__)
            continue
        if not csca.not_valid_before_utc <= now:
            reasons.append("CSCA not yet valid")
            continue
        return PassiveAuthResult(PassiveAuth.VALID, f"signed by {csca.subject.rfc4514_string()}")
    raise _Invalid(f"document signer not signed by the trusted CSCA of its issuer ({'; '.join(reasons)})")
