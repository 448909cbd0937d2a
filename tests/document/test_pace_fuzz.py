"""Untrusted chip data in PACE: EF.CardAccess and GENERAL AUTHENTICATE answers, random and mutated.

Only `MalformedCardData` may leave the EF.CardAccess parser; only a `CardError` may leave `pace.establish`,
whatever the chip answers (no IndexError, ValueError or a crash in the point arithmetic).
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.devices.document import pace
from kiosk.devices.document.card_access import parse_security_infos
from kiosk.errors import CardError, MalformedCardData

from .test_pace_appendix_g import EF_CARD_ACCESS, EXCHANGE, KEY, example_scalars

CARD_ACCESS = bytes.fromhex(EF_CARD_ACCESS)


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        action = rng.randrange(4)
        pos = rng.randrange(len(out)) if out else 0
        if action == 0 and out:
            out[pos] = rng.randrange(256)
        elif action == 1:
            out = out[:pos]
        elif action == 2:
            out[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 3)))
        elif out:
            del out[pos]
    return bytes(out)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=64), st.integers(0, 2**32 - 1))
def test_card_access_parser_only_raises_malformed_card_data(data: bytes, seed: int) -> None:
    rng = random.Random(seed)
    for candidate in (data, mutate(CARD_ACCESS, rng), mutate(CARD_ACCESS, rng)):
        try:
            parse_security_infos(candidate)
        except MalformedCardData:
            pass


class MutatedChip:
    """The Appendix G exchange with the chip's answer to one step mutated; the terminal's commands not checked."""

    def __init__(self, step: int, answer: bytes) -> None:
        self.answers = [bytes.fromhex(a) for _, a in EXCHANGE]
        self.answers[step] = answer

    def transmit(self, apdu: bytes) -> bytes:
        return self.answers.pop(0)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_pace_only_raises_card_errors_on_mangled_answers(step: int, seed: int) -> None:
    rng = random.Random(seed)
    answer = mutate(bytes.fromhex(EXCHANGE[step][1]), rng)
    info = parse_security_infos(CARD_ACCESS).pace[0]
    try:
        pace.establish(MutatedChip(step, answer), KEY, info, scalars=example_scalars())
    except CardError:
        pass
