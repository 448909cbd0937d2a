"""Adding trust material operators receive to the CSCA trust store folder: master lists, CSCA certificates, CRLs.

Every file is checked completely before anything is written, and written atomically under its own name: a
corrupted or wrongly signed file is refused with the reason (`TrustMaterialRejected`) and the store stays as it
was. What is checked:

- a CSCA master list (`.ml`, CMS SignedData with content type id-icao-cscaMasterList 2.23.136.1.1.2): its
  signature, and that its Master List Signer was issued by a CSCA it carries (`trust_store.load_master_list`);
- a CSCA certificate: a CA certificate (basic constraints) that verifies under its own key (self-signed root) or
  under a CSCA already trusted (a link certificate);
- a CRL: signed by a CSCA already in the store (import the CSCA or the master list first).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from contract.atomic_write import write_atomic
from kiosk.devices.document.trust_store import _MAX_FILE, TrustStore, load_crl, load_master_list
from kiosk.errors import TrustMaterialRejected


@dataclass(frozen=True)
class Imported:
    kind: str  # "master_list" | "csca" | "crl"
    file: str  # name in the trust store folder
    certificates: int  # CSCAs the file adds (0 for a CRL)
    replaced: bool  # a file of that name was there and is now the new one


def _load_certificates(data: bytes) -> list[x509.Certificate] | None:
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        return None


def _check_csca(cert: x509.Certificate, store: TrustStore) -> None:
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    name = cert.subject.rfc4514_string()
    if not is_ca:
        raise TrustMaterialRejected(f"{name} is not a CA certificate, so it cannot be a CSCA")
    for issuer in [cert, *store.issuers_of(cert)]:
        try:
            cert.verify_directly_issued_by(issuer)
            return
        except Exception:  # noqa: BLE001 - InvalidSignature, name mismatch, unsupported key alike
            continue
    raise TrustMaterialRejected(f"{name} is neither self-signed nor issued by a CSCA in the trust store")


def _check_crl(crl: x509.CertificateRevocationList, store: TrustStore) -> None:
    issuer = crl.issuer.rfc4514_string()
    cscas = [c for c in store.certificates if c.subject == crl.issuer]
    if not cscas:
        raise TrustMaterialRejected(f"the CRL's issuer {issuer} is not a CSCA in the trust store "
                                    "(import its CSCA or master list first)")
    for csca in cscas:
        try:
            if crl.is_signature_valid(csca.public_key()):  # type: ignore[arg-type]
                return
        except (TypeError, ValueError):
            continue
    raise TrustMaterialRejected(f"the CRL's signature does not verify under the CSCA {issuer}")


def import_trust_file(folder: Path, source: Path) -> Imported:
    """Check `source` and copy it into the trust store `folder`; TrustMaterialRejected leaves the folder as it was."""
    name = Path(source).name
    if not name or name.startswith("."):
        raise TrustMaterialRejected(f"{source}: not a usable file name")
    try:
        if Path(source).stat().st_size > _MAX_FILE:
            raise TrustMaterialRejected(f"{name}: file too large for trust material")
        data = Path(source).read_bytes()
    except OSError as exc:
        raise TrustMaterialRejected(f"{name}: cannot read it ({exc.strerror or exc})") from exc
    store = TrustStore.load(folder) if Path(folder).is_dir() else TrustStore()
    try:
        crl = load_crl(data, strict=name.lower().endswith(".crl"))
    except ValueError as exc:
        raise TrustMaterialRejected(f"{name}: {exc}") from exc
    if crl is not None:
        _check_crl(crl, store)
        kind, count = "crl", 0
    else:
        certs = _load_certificates(data)
        if certs is not None:
            for cert in certs:
                _check_csca(cert, store)
            kind, count = "csca", len(certs)
        else:
            try:
                count = len(load_master_list(data))
            except ValueError as exc:
                raise TrustMaterialRejected(f"{name}: {exc}") from exc
            kind = "master_list"
    target = Path(folder) / name
    replaced = target.exists()
    if replaced and target.read_bytes() == data:
        return Imported(kind, name, count, False)
    write_atomic(target, data)
    return Imported(kind, name, count, replaced)
