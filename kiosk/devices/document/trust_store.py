"""The CSCA trust store: a folder of country signing CA certificates (DER or PEM) and CSCA master lists.

A master list (ICAO 9303-12 §8: CMS SignedData holding a CscaMasterList) is only used when its own signature
verifies and its signer was issued by one of the CSCAs it carries (the way issuers publish them); otherwise it is
skipped and reported in `problems`. Lookup is by issuer name, narrowed by the DSC's authority key identifier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import core
from asn1crypto import x509 as asn1_x509
from cryptography import x509

from kiosk.devices.document.cms_signed_data import CheckFailed, verify_signed_data

CSCA_MASTER_LIST_OID = "2.23.136.1.1.2"
_CERT_SUFFIXES = {".der", ".cer", ".crt", ".pem"}
_MAX_FILE = 50 * 1024 * 1024


class _CertificateSet(core.SetOf):
    _child_spec = asn1_x509.Certificate


class CscaMasterList(core.Sequence):
    """CscaMasterList of ICAO 9303-12 §8."""

    _fields = [("version", core.Integer), ("cert_list", _CertificateSet)]


@dataclass
class TrustStore:
    """Trusted CSCA certificates, and what could not be loaded."""

    certificates: list[x509.Certificate] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def empty(cls) -> TrustStore:
        return cls()

    @classmethod
    def load(cls, folder: Path | None) -> TrustStore:
        """Every certificate and master list in `folder` (not recursive); None: an empty store."""
        store = cls()
        if folder is None:
            return store
        folder = Path(folder)
        if not folder.is_dir():
            store.problems.append(f"trust store {folder} is not a folder")
            return store
        for path in sorted(folder.iterdir()):
            if path.is_file():
                store.add_file(path)
        return store

    def add_file(self, path: Path) -> None:
        """Add a certificate (DER/PEM) or a master list file."""
        try:
            if path.stat().st_size > _MAX_FILE:
                raise ValueError("file too large")
            data = path.read_bytes()
            if b"-----BEGIN CERTIFICATE-----" in data:
                self.certificates.extend(x509.load_pem_x509_certificates(data))
                return
            try:
                self.certificates.append(x509.load_der_x509_certificate(data))
                return
            except ValueError:
                if path.suffix.lower() in _CERT_SUFFIXES:
                    raise
            self.certificates.extend(load_master_list(data))
        except Exception as exc:  # noqa: BLE001 - one bad file must not disable the others
            self.problems.append(f"{path.name}: {exc}")

    def issuers_of(self, cert: x509.Certificate) -> list[x509.Certificate]:
        """Trusted certificates whose subject is `cert`'s issuer (and whose key id matches its AKI, if any)."""
        aki = _authority_key_id(cert)
        out = []
        for ca in self.certificates:
            if ca.subject != cert.issuer:
                continue
            ski = _subject_key_id(ca)
            if aki is not None and ski is not None and aki != ski:
                continue
            out.append(ca)
        return out


def _authority_key_id(cert: x509.Certificate) -> bytes | None:
    try:
        return cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    except (x509.ExtensionNotFound, ValueError):
        return None


def _subject_key_id(cert: x509.Certificate) -> bytes | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except (x509.ExtensionNotFound, ValueError):
        return None


def load_master_list(data: bytes) -> list[x509.Certificate]:
    """The CSCAs of a CSCA master list, after checking its signature and signer. Raises ValueError."""
    try:
        signed = verify_signed_data(data)
    except CheckFailed as exc:
        raise ValueError(f"not a valid CSCA master list: {exc}") from exc
    if signed.content_type != CSCA_MASTER_LIST_OID:
        raise ValueError("CMS content is not a CSCA master list")
    try:
        master = CscaMasterList.load(signed.content, strict=True)
        cscas = [x509.load_der_x509_certificate(c.dump()) for c in master["cert_list"]]
    except (ValueError, TypeError) as exc:
        raise ValueError(f"malformed CSCA master list: {exc}") from exc
    for csca in cscas:
        try:
            signed.signer.verify_directly_issued_by(csca)
            return cscas
        except Exception:  # noqa: BLE001 - try the next candidate issuer
            continue
    raise ValueError("master list signer is not issued by a CSCA it lists")
