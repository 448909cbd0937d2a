"""Passive authentication (ICAO 9303-11 §5.1): EF.SOD's signature, the data-group hashes, the DSC -> CSCA chain.

CMS, X.509 and the LDS security object are decoded with asn1crypto (the LDS types are declared with its
classes, not parsed by hand) and every signature is checked with `cryptography`. The outcome is VALID, INVALID
with the first reason found, or UNKNOWN_ISSUER when everything on the document is consistent but no trusted CSCA
signed its document signer. A broken document (INVALID) always outranks an unknown issuer; a document signer
on its CSCA's CRL is INVALID with the revocation date and reason.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from asn1crypto import algos, core
from cryptography import x509

from kiosk.core.identity import PassiveAuth
from kiosk.devices.document import tlv
from kiosk.devices.document.cms_signed_data import CheckFailed, digest, verify_signed_data
from kiosk.devices.document.trust_store import TrustStore
from kiosk.errors import MalformedCardData

LDS_SECURITY_OBJECT_OID = "2.23.136.1.1.1"
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


def parse_security_object(content: bytes) -> tuple[str, dict[int, bytes]]:
    """The hash algorithm and the data-group hashes of an LDSSecurityObject."""
    try:
        so = LdsSecurityObject.load(content, strict=True)
        algorithm = so["hash_algorithm"]["algorithm"].native
        values = {int(v["data_group_number"].native): v["data_group_hash_value"].native
                  for v in so["data_group_hash_values"]}
    except Exception as exc:
        raise CheckFailed(f"malformed LDS security object: {exc}") from exc
    return algorithm, values


def passive_authentication(sod_file: bytes, data_groups: dict[int, bytes], trust: TrustStore,
                           now: dt.datetime | None = None) -> PassiveAuthResult:
    """Verify EF.SOD and every read data group against it, then chain its DSC to a trusted CSCA."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        try:
            outer = tlv.read_tlv(sod_file)
        except MalformedCardData as exc:
            raise CheckFailed(f"EF.SOD: {exc.detail}") from exc
        if outer.tag != 0x77:
            raise CheckFailed("EF.SOD does not start with tag 77")
        signed = verify_signed_data(outer.value)
        if signed.content_type != LDS_SECURITY_OBJECT_OID:
            raise CheckFailed("EF.SOD does not hold an LDS security object")
        algorithm, hashes_in_sod = parse_security_object(signed.content)
        for number, content in sorted(data_groups.items()):
            expected = hashes_in_sod.get(number)
            if expected is None:
                raise CheckFailed(f"DG{number} is not in the security object")
            if not hmac.compare_digest(expected, digest(algorithm, content)):
                raise CheckFailed(f"DG{number} hash does not match the security object")
        dsc = signed.signer
        if not dsc.not_valid_before_utc <= now <= dsc.not_valid_after_utc:
            raise CheckFailed("document signer certificate is outside its validity period")
        return _chain(dsc, trust, now)
    except CheckFailed as exc:
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
        revoked = trust.revocation_of(dsc, csca)
        if revoked is not None:
            raise CheckFailed(f"document signer certificate revoked on {revoked.revoked_on:%Y-%m-%d} "
                              f"(reason: {revoked.reason}; {revoked.source})")
        return PassiveAuthResult(PassiveAuth.VALID, f"signed by {csca.subject.rfc4514_string()}")
    raise CheckFailed(f"document signer not signed by the trusted CSCA of its issuer ({'; '.join(reasons)})")
