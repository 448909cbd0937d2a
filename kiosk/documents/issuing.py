"""Issuing a signed certificate: have the district sign (and register) its whole content, render it with the QR."""

from __future__ import annotations

from dataclasses import dataclass

from contract.document_signing import DocumentSigner, SignedPayload, SignRequest
from kiosk.documents.certificate import CertificateSpec, render_certificate
from kiosk.documents.printable import PrintableDocument


@dataclass(frozen=True)
class IssuedCertificate:
    document: PrintableDocument
    signed: SignedPayload


def issue_certificate(spec: CertificateSpec, document_number: str, signer: DocumentSigner,
                      item: str = "") -> IssuedCertificate:
    """Have `spec` signed for catalog item `item` (raises DistrictUnavailable if the district signs and is
    unreachable) and render the certificate carrying the signed payload as a QR code."""
    signed = signer.sign(SignRequest(serial=spec.serial, item=item or spec.kind, issued_on=spec.issued_on.replace(
        "-", ""), content=spec.content(), document_number=document_number))
    pdf = render_certificate(spec, signed.qr_text)
    return IssuedCertificate(PrintableDocument(kind="certificate", title=spec.title_zh, pdf=pdf, serial=spec.serial),
                             signed)
