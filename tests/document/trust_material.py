"""Trust material as countries publish it, built for tests: CSCA master lists and CRLs (ICAO 9303-12).

Master list (9303-12 §8, "CSCA Master List"), a CMS ContentInfo of type SignedData (RFC 5652) whose
encapsulated content is

    CscaMasterList ::= SEQUENCE {
        version   CscaMasterListVersion,      -- v0(0)
        certList  SET OF Certificate }        -- the CSCA certificates (self-signed and link certificates)

with eContentType id-icao-cscaMasterList (2.23.136.1.1.2). SignedData.certificates carries the Master List
Signer certificate, which the issuing country's CSCA issued with keyUsage digitalSignature and extendedKeyUsage
id-icao-cscaMasterListSigningKey (2.23.136.1.1.3) (9303-12 §7.1.2, certificate profile).

CRL (9303-12 §7.1.4): an X.509 v2 CRL issued and signed by the CSCA itself, with authorityKeyIdentifier and
cRLNumber extensions; each revoked document signer is an entry with its serial number, revocation date and,
when known, the reasonCode entry extension.
"""

from __future__ import annotations

import datetime as dt

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier

from .documents import NOW, Pki, _name, signed_data

ID_ICAO_CSCA_MASTER_LIST = "2.23.136.1.1.2"
ID_ICAO_CSCA_MASTER_LIST_SIGNING_KEY = "2.23.136.1.1.3"


def master_list_signer(pki: Pki, eku: str = ID_ICAO_CSCA_MASTER_LIST_SIGNING_KEY):
    """A Master List Signer key and certificate issued by `pki`'s CSCA."""
    key = ec.generate_private_key(ec.SECP256R1())
    country = pki.csca.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value
    cert = (x509.CertificateBuilder().subject_name(_name(str(country), "Master List Signer Test"))
            .issuer_name(pki.csca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=10)).not_valid_after(NOW + dt.timedelta(days=365))
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ObjectIdentifier(eku)]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(pki.csca_key.public_key()),
                           critical=False)
            .sign(pki.csca_key, hashes.SHA256()))
    return key, cert


def csca_master_list(cscas: list[x509.Certificate], signer_key, signer_cert: x509.Certificate,
                     content_type: str = ID_ICAO_CSCA_MASTER_LIST) -> bytes:
    """CMS SignedData over CscaMasterList { v0, certList }, signed by the Master List Signer."""
    from kiosk.devices.document.trust_store import CscaMasterList

    content = CscaMasterList({"version": 0, "cert_list": [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in cscas]}).dump()
    return signed_data(content_type, content, signer_key, signer_cert, "ec")


def csca_crl(pki: Pki, revoked: list[tuple[x509.Certificate, x509.ReasonFlags | None]], number: int = 1,
             signer_key=None, pem: bool = False) -> bytes:
    """A v2 CRL of `pki`'s CSCA listing `revoked` (certificate, reason); `signer_key` forges it."""
    builder = (x509.CertificateRevocationListBuilder().issuer_name(pki.csca.subject)
               .last_update(NOW - dt.timedelta(days=1)).next_update(NOW + dt.timedelta(days=90))
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(pki.csca_key.public_key()),
                              critical=False)
               .add_extension(x509.CRLNumber(number), critical=False))
    for cert, reason in revoked:
        entry = (x509.RevokedCertificateBuilder().serial_number(cert.serial_number)
                 .revocation_date(NOW - dt.timedelta(hours=2)))
        if reason is not None:
            entry = entry.add_extension(x509.CRLReason(reason), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    crl = builder.sign(signer_key or pki.csca_key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.PEM if pem else serialization.Encoding.DER)
