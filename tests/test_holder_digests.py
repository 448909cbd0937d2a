"""Digests derived from an ID number: the old unkeyed ones fall to a search over the unprinted digits; the keyed
ones (HMAC-SHA256 with the district's secret) do not without the key, with the same search over the same space."""

from __future__ import annotations

import secrets

import pytest

from contract.document_signing import holder_hash
from contract.privacy import holder_digest, mask_document_number
from tests.holder_search import (
    candidates,
    check_character,
    old_qr_holder_hash,
    old_transaction_holder,
    recover,
)

NUMBER = "330102199003071230"  # a well-formed resident ID number (check character 0)
SERIAL = "SI-20261129-SC01-K3J9QX2A"
MASKED = mask_document_number(NUMBER)  # what the certificate prints: 330***********1230


def search_space() -> list[str]:
    """A slice of the ~3.7e7 candidates: 10 address codes × 3 birth years, cut by the check character."""
    return list(candidates(MASKED, range(100, 110), range(1989, 1992)))


def test_the_search_space_is_what_the_page_leaves():
    assert MASKED == "330***********1230" and check_character(NUMBER[:17]) == NUMBER[-1]
    space = search_space()
    assert NUMBER in space and 800 < len(space) < 1200  # 10 × 1095 dates / 11


def test_the_old_qr_holder_hash_is_recovered_by_search():
    target = old_qr_holder_hash(SERIAL, NUMBER)  # read from the QR code; the serial is printed beside it
    assert recover(target, lambda n: old_qr_holder_hash(SERIAL, n), search_space()) == [NUMBER]


def test_the_old_transaction_holder_is_recovered_by_search():
    target = old_transaction_holder(NUMBER)  # stored beside the masked number
    assert recover(target, old_transaction_holder, search_space()) == [NUMBER]


def test_the_keyed_digests_are_not_recovered_without_the_key():
    secret = secrets.token_bytes(32)  # the district's; never on a kiosk, never in a QR code
    qr_target, tx_target = holder_hash(secret, SERIAL, NUMBER), holder_digest(secret, NUMBER)
    space = search_space()
    guesses = [secrets.token_bytes(32), SERIAL.encode() * 2, b"kiosk-doc-holder-v1" * 2, b"\0" * 32]
    for guess in guesses:  # what an attacker can try: public data, the old salts, any other key
        assert recover(qr_target, lambda n, g=guess: holder_hash(g, SERIAL, n), space) == []
        assert recover(tx_target, lambda n, g=guess: holder_digest(g, n), space) == []
    assert recover(qr_target, lambda n: old_qr_holder_hash(SERIAL, n), space) == []
    assert recover(tx_target, old_transaction_holder, space) == []
    # the same search with the key finds it: the space holds the number, only the key was missing
    assert recover(qr_target, lambda n: holder_hash(secret, SERIAL, n), space) == [NUMBER]
    assert recover(tx_target, lambda n: holder_digest(secret, n), space) == [NUMBER]


def test_a_short_secret_is_refused():
    with pytest.raises(ValueError):
        holder_hash(b"short", SERIAL, NUMBER)
    with pytest.raises(ValueError):
        holder_digest(b"", NUMBER)
