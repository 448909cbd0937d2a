"""Issuing a signed certificate: hash its content, have the payload signed, render it with the QR code."""

from __future__ import annotations

from dataclasses import dataclass

from contract.document_signing import DocumentSigner, SignedPayload, VerificationPayload, content_hash, holder_hash
from kiosk.documents.certificate import CertificateSpec, render_certificate
from kiosk.documents.printable import PrintableDocument


@dataclass(frozen=True)
class IssuedCertificate:
    document: PrintableDocument
    signed: SignedPayload


def issue_certificate(spec: CertificateSpec, document_number: str, signer: DocumentSigner) -> IssuedCertificate:
    """Sign `spec`'s verification payload (raises DistrictUnavailable if the district signs and is unreachable)
    and render the certificate carrying it as a QR code."""
    payload = VerificationPayload(serial=spec.serial, holder_hash=holder_hash(spec.serial, document_number),
                                  content_hash=content_hash(spec.content()),
                                  issued_on=spec.issued_on.replace("-", ""))
    signed = signer.sign(payload)
    pdf = render_certificate(spec, signed.qr_text)
    return IssuedCertificate(PrintableDocument(kind="certificate", title=spec.title_zh, pdf=pdf, serial=spec.serial),
                             signed)
