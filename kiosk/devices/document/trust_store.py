"""The CSCA trust store: a folder of country signing CA certificates (DER or PEM), CSCA master lists and CRLs.

A master list (ICAO 9303-12 §8: CMS SignedData holding a CscaMasterList) is only used when its own signature
verifies and its signer was issued by one of the CSCAs it carries (the way issuers publish them); otherwise it is
skipped and reported in `problems`. Lookup is by issuer name, narrowed by the DSC's authority key identifier.

CRLs (ICAO 9303-12 §7.1.4, X.509 v2 CRLs a CSCA signs) are kept as files and consulted per CSCA: a CRL counts
only when the CSCA that signed the document signer also signed the CRL, so a CRL can never revoke anything of a
country it does not speak for. Every certificate and CRL remembers the file it came from (`source`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from kiosk.devices.document.cms_signed_data import CheckFailed, verify_signed_data

CSCA_MASTER_LIST_OID = "2.23.136.1.1.2"
ML_SIGNER_EKU = "2.23.136.1.1.3"  # id-icao-cscaMasterListSigningKey (9303-12 §7.1.2)
_CERT_SUFFIXES = {".der", ".cer", ".crt", ".pem"}
_CRL_SUFFIXES = {".crl"}
_MAX_FILE = 50 * 1024 * 1024


class _CertificateSet(core.SetOf):
    _child_spec = asn1_x509.Certificate


class CscaMasterList(core.Sequence):
    """CscaMasterList of ICAO 9303-12 §8."""

    _fields = [("version", core.Integer), ("cert_list", _CertificateSet)]


@dataclass(frozen=True)
class Revocation:
    """A document signer listed on its CSCA's CRL."""

    revoked_on: dt.datetime
    reason: str
    source: str


@dataclass(frozen=True)
class LoadedCrl:
    crl: x509.CertificateRevocationList
    source: str


@dataclass
class TrustStore:
    """Trusted CSCA certificates and CRLs, where each came from, and what could not be loaded."""

    certificates: list[x509.Certificate] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    crls: list[LoadedCrl] = field(default_factory=list)
    sources: dict[bytes, str] = field(default_factory=dict)  # certificate fingerprint (SHA-256) -> file

    def source_of(self, cert: x509.Certificate) -> str:
        return self.sources.get(cert.fingerprint(hashes.SHA256()), "")

    def _add_certificates(self, certs: list[x509.Certificate], source: str) -> None:
        for cert in certs:
            self.certificates.append(cert)
            self.sources.setdefault(cert.fingerprint(hashes.SHA256()), source)

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
            if path.is_file() and not path.name.startswith("."):  # dot files: editors' and atomic writes' temps
                store.add_file(path)
        return store

    def add_file(self, path: Path) -> None:
        """Add a certificate (DER/PEM) or a master list file."""
        try:
            if path.stat().st_size > _MAX_FILE:
                raise ValueError("file too large")
            data = path.read_bytes()
            crl = load_crl(data, strict=path.suffix.lower() in _CRL_SUFFIXES)
            if crl is not None:
                self.crls.append(LoadedCrl(crl, path.name))
                return
            if b"-----BEGIN CERTIFICATE-----" in data:
                self._add_certificates(x509.load_pem_x509_certificates(data), path.name)
                return
            try:
                self._add_certificates([x509.load_der_x509_certificate(data)], path.name)
                return
            except ValueError:
                if path.suffix.lower() in _CERT_SUFFIXES:
                    raise
            self._add_certificates(load_master_list(data), f"master list {path.name}")
        except Exception as exc:  # noqa: BLE001 - one bad file must not disable the others
            self.problems.append(f"{path.name}: {exc}")

    def revocation_of(self, cert: x509.Certificate, issuer: x509.Certificate) -> Revocation | None:
        """`cert`'s entry on a CRL that `issuer` signed, if any (CRLs with a bad signature do not count)."""
        for loaded in self.crls:
            crl = loaded.crl
            if crl.issuer != issuer.subject:
                continue
            try:
                if not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
                    continue
            except (TypeError, ValueError):
                continue
            entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
            if entry is None:
                continue
            try:
                reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.value
            except (x509.ExtensionNotFound, ValueError):
                reason = "unspecified"
            return Revocation(entry.revocation_date_utc, reason, loaded.source)
        return None

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


def load_crl(data: bytes, strict: bool = False) -> x509.CertificateRevocationList | None:
    """An X.509 CRL (PEM or DER); None when `data` is something else (ValueError if `strict`)."""
    try:
        if b"-----BEGIN X509 CRL-----" in data:
            return x509.load_pem_x509_crl(data)
        if strict:
            return x509.load_der_x509_crl(data)
        if data[:1] != b"\x30":
            return None
        try:
            return x509.load_der_x509_crl(data)
        except ValueError:
            return None
    except ValueError as exc:
        raise ValueError(f"not a readable CRL: {exc}") from exc


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
    try:
        usage = signed.signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        if ML_SIGNER_EKU not in [u.dotted_string for u in usage]:
            raise ValueError("master list signer certificate is not for signing master lists (extended key usage)")
    except x509.ExtensionNotFound:
        pass  # older signers carry no extended key usage; the chain below still has to hold
    for csca in cscas:
        try:
            signed.signer.verify_directly_issued_by(csca)
            return cscas
        except Exception:  # noqa: BLE001 - try the next candidate issuer
            continue
    raise ValueError("master list signer is not issued by a CSCA it lists")
