"""CMS SignedData (RFC 5652) as eMRTDs and CSCA master lists use it: the signer's message digest and signature.

Shared by passive authentication (EF.SOD) and the trust store (master lists), which both verify SignedData.
Every signature is checked with `cryptography`; malformed untrusted DER becomes `CheckFailed`, never a crash.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from asn1crypto import algos, cms, core
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

_HASHES = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256, "sha384": hashes.SHA384,
           "sha512": hashes.SHA512}
# BSI TR-03111 ecdsa-plain-signatures (r || s), used by several issuers' document signers.
_ECDSA_PLAIN = {f"0.4.0.127.0.7.1.1.4.1.{i}": h for i, h in
                ((1, "sha1"), (2, "sha224"), (3, "sha256"), (4, "sha384"), (5, "sha512"))}


class CheckFailed(Exception):
    """A signed object fails a check; the message is the reason shown to technicians."""


def _hash_class(name: str) -> type[hashes.HashAlgorithm]:
    if name not in _HASHES:
        raise CheckFailed(f"unsupported hash algorithm {name}")
    return _HASHES[name]


def digest(name: str, data: bytes) -> bytes:
    """Hash `data` with the named algorithm (sha1 ... sha512)."""
    if name not in _HASHES:
        raise CheckFailed(f"unsupported hash algorithm {name}")
    return hashlib.new(name, data).digest()


def verify_signature(public_key, signature: bytes, data: bytes, sig_algo: algos.SignedDigestAlgorithm,
                     digest_name: str) -> None:
    """Check a CMS signer's signature with `cryptography`; raises CheckFailed."""
    oid = sig_algo["algorithm"].dotted
    try:
        if oid in _ECDSA_PLAIN:
            if not isinstance(public_key, ec.EllipticCurvePublicKey) or len(signature) % 2:
                raise CheckFailed("plain ECDSA signature does not fit the key")
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
                raise CheckFailed("RSA-PSS signature with a non-RSA key")
            public_key.verify(signature, data, padding.PSS(padding.MGF1(mgf_hash), params["salt_length"].native),
                              pss_hash)
        elif kind == "rsassa_pkcs1v15":
            if not isinstance(public_key, rsa.RSAPublicKey):
                raise CheckFailed("RSA signature with a non-RSA key")
            public_key.verify(signature, data, padding.PKCS1v15(), _hash_class(hash_name)())
        elif kind == "ecdsa":
            if not isinstance(public_key, ec.EllipticCurvePublicKey):
                raise CheckFailed("ECDSA signature with a non-EC key")
            public_key.verify(signature, data, ec.ECDSA(_hash_class(hash_name)()))
        else:
            raise CheckFailed(f"unsupported signature algorithm {oid}")
    except InvalidSignature as exc:
        raise CheckFailed("signature does not verify") from exc
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise CheckFailed(f"signature not verifiable: {exc}") from exc


@dataclass(frozen=True)
class SignedContent:
    """What a verified CMS SignedData yields: its content type, content, and signer's certificate."""

    content_type: str
    content: bytes
    signer: x509.Certificate
    embedded_certificates: tuple[x509.Certificate, ...]


def verify_signed_data(content_info_der: bytes) -> SignedContent:
    """Check a CMS SignedData's (first) signer: message digest and signature. Raises CheckFailed."""
    try:
        info = cms.ContentInfo.load(content_info_der, strict=True)
        if info["content_type"].native != "signed_data":
            raise CheckFailed("not a CMS SignedData")
        signed = info["content"]
        # Parse the unsigned header fields too: malformed ones make the SOD malformed, not silently ignored.
        if signed["version"].native not in ("v1", "v3") or not signed["digest_algorithms"].native:
            raise CheckFailed("malformed SignedData header")
        encap = signed["encap_content_info"]
        content_type = encap["content_type"].dotted
        content = encap["content"]
        if content is None or isinstance(content, core.Void):
            raise CheckFailed("CMS SignedData without content")
        content_bytes = content.native if isinstance(content.native, bytes) else content.contents
        certs = [c.chosen for c in (signed["certificates"] or []) if c.name == "certificate"]
        signer_infos = signed["signer_infos"]
        if len(signer_infos) != 1:
            raise CheckFailed(f"expected one signer, found {len(signer_infos)}")
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
                raise CheckFailed("signed attributes lack a message digest")
            if not hmac.compare_digest(message_digest, digest(digest_name, content_bytes)):
                raise CheckFailed("message digest does not match the security object")
            # The signature covers the DER of the attributes with a SET OF tag instead of [0] IMPLICIT.
            to_verify = b"\x31" + signed_attrs.dump()[1:]
        else:
            to_verify = content_bytes
        try:
            signer = x509.load_der_x509_certificate(signer_cert.dump())
            embedded = tuple(x509.load_der_x509_certificate(c.dump()) for c in certs)
            public_key = signer.public_key()
        except Exception as exc:
            raise CheckFailed(f"signer certificate not usable: {exc}") from exc
        verify_signature(public_key, signer_info["signature"].native, to_verify,
                         signer_info["signature_algorithm"], digest_name)
        return SignedContent(content_type, content_bytes, signer, embedded)
    except CheckFailed:
        raise
    except Exception as exc:
        # asn1crypto parses lazily and reports malformed untrusted input with many exception types
        raise CheckFailed(f"malformed CMS structure: {exc}") from exc


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
    raise CheckFailed("document signer certificate is not in EF.SOD")
