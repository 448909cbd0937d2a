"""The assisted-verification contract: the signed bytes, the bindings a kiosk checks, the request's privacy."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from contract.assisted_verification import (
    MAX_VALID_S,
    AssistedDecision,
    AssistedVerificationRequest,
    Binding,
    DecisionRefused,
    SignedAssistedDecision,
    Verdict,
    key_id,
    public_key_hex,
    sign_decision,
    verify_decision,
)
from contract.privacy import mask_document_number

# RFC 8032, section 7.1, TEST 1: the district key is plain Ed25519, so the standard's key pair must work as one.
RFC8032_SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
CHALLENGE = "0123456789abcdef0123456789abcdef"
BOUND = Binding(kiosk="sc-01", request_id=7, session=3, challenge=CHALLENGE)


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(RFC8032_SECRET)


def decision(key: Ed25519PrivateKey, **over) -> AssistedDecision:
    fields = dict(request_id=7, kiosk="sc-01", session=3, challenge=CHALLENGE, verdict=Verdict.APPROVED,
                  decided_at=1_800_000_000.0, expires_at=1_800_000_180.0,
                  key_id=key_id(bytes.fromhex(public_key_hex(key))))
    return AssistedDecision(**{**fields, **over})


def test_rfc8032_key_pair_and_the_exact_signed_bytes(key):
    assert public_key_hex(key) == RFC8032_PUBLIC
    d = decision(key)
    # Written out by hand from the module's description: domain tag, newline, sorted compact JSON of every field.
    expected = (b"kiosk-assisted-verification-v1\n"
                b'{"challenge":"0123456789abcdef0123456789abcdef","decided_at":1800000000.0,'
                b'"expires_at":1800000180.0,"key_id":"' + key_id(bytes.fromhex(RFC8032_PUBLIC)).encode() +
                b'","kiosk":"sc-01","request_id":7,"session":3,"verdict":"approved","version":1}')
    assert d.signed_message() == expected
    signed = sign_decision(d, key)
    assert len(base64.b64decode(signed.signature)) == 64


def test_genuine_bound_unexpired_decision_is_accepted(key):
    signed = sign_decision(decision(key), key)
    assert verify_decision(signed, RFC8032_PUBLIC, BOUND, district_now=1_800_000_100.0).verdict is Verdict.APPROVED
    wire = SignedAssistedDecision.model_validate_json(signed.model_dump_json())
    assert verify_decision(wire, RFC8032_PUBLIC, BOUND, 1_800_000_100.0).request_id == 7


@pytest.mark.parametrize("binding,reason", [
    (Binding("sc-02", 7, 3, CHALLENGE), "other-kiosk"),
    (Binding("sc-01", 8, 3, CHALLENGE), "other-session"),
    (Binding("sc-01", 7, 4, CHALLENGE), "other-session"),
    (Binding("sc-01", 7, 3, "f" * 32), "other-session"),
])
def test_a_decision_for_another_kiosk_request_session_or_challenge_is_refused(key, binding, reason):
    signed = sign_decision(decision(key), key)
    with pytest.raises(DecisionRefused) as info:
        verify_decision(signed, RFC8032_PUBLIC, binding, 1_800_000_100.0)
    assert info.value.reason == reason


def test_expired_and_overlong_decisions_are_refused(key):
    signed = sign_decision(decision(key), key)
    with pytest.raises(DecisionRefused, match="expired"):
        verify_decision(signed, RFC8032_PUBLIC, BOUND, district_now=1_800_000_180.0)
    long = sign_decision(decision(key, expires_at=1_800_000_000.0 + MAX_VALID_S + 1), key)
    with pytest.raises(DecisionRefused) as info:
        verify_decision(long, RFC8032_PUBLIC, BOUND, 1_800_000_100.0)
    assert info.value.reason == "validity"


def test_tampered_foreign_or_malformed_signatures_are_refused(key):
    signed = sign_decision(decision(key, verdict=Verdict.DENIED), key)
    flipped = SignedAssistedDecision(decision=signed.decision.model_copy(update={"verdict": Verdict.APPROVED}),
                                     signature=signed.signature)
    other = Ed25519PrivateKey.generate()
    forged = sign_decision(decision(other), other)  # a valid signature, by a key the kiosk never pinned
    garbage = SignedAssistedDecision(decision=signed.decision, signature="not base64!")
    for bad in (flipped, forged, garbage):
        with pytest.raises(DecisionRefused) as info:
            verify_decision(bad, RFC8032_PUBLIC, BOUND, 1_800_000_100.0)
        assert info.value.reason == "signature"
    with pytest.raises(DecisionRefused, match="signature"):
        verify_decision(signed, "00" * 31, BOUND, 1_800_000_100.0)  # a pinned key that is not a key


def test_signing_refuses_a_key_id_that_names_another_key(key):
    with pytest.raises(ValueError, match="key_id"):
        sign_decision(decision(key, key_id="0" * 16), key)


def test_the_request_carries_a_masked_number_and_nothing_else():
    ok = AssistedVerificationRequest(session=1, challenge=CHALLENGE,
                                     masked_document=mask_document_number("330102198001011234"), reason="declined")
    assert ok.kind == "assisted-verification" and ok.masked_document == "330***********1234"
    AssistedVerificationRequest(session=1, challenge=CHALLENGE, masked_document=mask_document_number("E12345678"),
                                reason="face-failed")
    for number in ("330102198001011234", "E12345678", "", "3301021980****1234"):
        with pytest.raises(ValidationError):
            AssistedVerificationRequest(session=1, challenge=CHALLENGE, masked_document=number, reason="declined")
    with pytest.raises(ValidationError):
        AssistedVerificationRequest.model_validate({"session": 1, "challenge": CHALLENGE, "reason": "declined",
                                                    "masked_document": "330***********1234", "photo": "..."})
    with pytest.raises(ValidationError):
        AssistedVerificationRequest(session=1, challenge="short", masked_document="330***********1234",
                                    reason="declined")
