"""Fixtures of the document-reader tests: a private pcscd with vpcd, test PKIs, documents and emulated chips."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from .documents import Pki, build_document, make_pki, photo_bytes, td1_mrz, td3_mrz
from .emrtd_chip import EmrtdChip, VirtualCard
from .pcscd import Pcscd

PASSPORT_MRZ = td3_mrz("L898902C3", "740812", "350415", "ERIKSSON", "ANNA MARIA", sex="F")
ID_CARD_MRZ = td1_mrz("D23145890", "820101", "330707", "ZHANG", "SAN FENG", nationality="CHN", sex="M")


@pytest.fixture()
def running_pcscd(pcscd: Pcscd) -> Pcscd:
    pcscd.start()  # a previous test may have pulled the "reader"
    return pcscd


@pytest.fixture(scope="session")
def pki() -> Pki:
    return make_pki("ec")


@pytest.fixture(scope="session")
def trust_dir(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Path:
    """A trust store folder holding the test CSCA (PEM) and an unrelated country's CSCA (DER)."""
    folder = tmp_path_factory.mktemp("trust")
    (folder / "csca-ut.pem").write_bytes(pki.csca_pem())
    (folder / "csca-other.der").write_bytes(make_pki("ec", country="OT", csca_cn="CSCA Other").csca_der())
    return folder


@pytest.fixture(scope="session")
def face_image(faces_dir: Path) -> Image.Image:
    """The portrait the emulated chips carry in DG2 (an official portrait, as a passport photo would be)."""
    return Image.open(faces_dir / "fr_knn_train_biden_biden2.jpg").convert("RGB")


@pytest.fixture(scope="session")
def jpeg_photo(face_image: Image.Image) -> bytes:
    return photo_bytes(face_image, "jpeg", 25_000)


@pytest.fixture(scope="session")
def jp2_photo(face_image: Image.Image) -> bytes:
    data = photo_bytes(face_image, "jpeg2000", 15_000)
    Image.open(io.BytesIO(data)).load()
    return data


@pytest.fixture(scope="session")
def passport(pki: Pki, jpeg_photo: bytes):
    return build_document(pki, PASSPORT_MRZ, jpeg_photo, "jpeg",
                          dg11={"full_name": "ERIKSSON<<ANNA<MARIA", "birth_date": "19740812"})


@pytest.fixture(scope="session")
def id_card(pki: Pki, jp2_photo: bytes):
    return build_document(pki, ID_CARD_MRZ, jp2_photo, "jpeg2000")


class Slot:
    """Inserts emulated chips into vpcd slot 0 and pulls them at teardown."""

    def __init__(self, daemon: Pcscd) -> None:
        self.daemon = daemon
        self.cards: list[VirtualCard] = []

    def insert(self, document, extended_length: bool = True, pull_after: int | None = None,
               advertise: str = "atr", **chip_options) -> VirtualCard:
        """`chip_options`: EmrtdChip's (end_of_file, past_end, ...)."""
        chip = EmrtdChip(document.files, document.access_key, extended_length=extended_length,
                         advertise=advertise, **chip_options)
        card = VirtualCard(chip, self.daemon.port, pull_after=pull_after)
        card.insert()
        self.cards.append(card)
        wait_card(self.daemon.readers[0], present=True)
        return card

    def pull(self, card: VirtualCard) -> None:
        card.remove()
        wait_card(self.daemon.readers[0], present=False)

    def pull_all(self) -> None:
        for card in self.cards:
            card.remove()
        self.cards.clear()
        if self.daemon.running:
            wait_card(self.daemon.readers[0], present=False)


def wait_card(reader: str, present: bool, timeout: float = 10.0) -> None:
    """Block until pcscd sees the card in `reader` (or sees it gone): vpcd notices within its polling period."""
    from smartcard import scard as s

    hresult, ctx = s.SCardEstablishContext(s.SCARD_SCOPE_USER)
    assert hresult == s.SCARD_S_SUCCESS, s.SCardGetErrorMessage(hresult)
    try:
        state = s.SCARD_STATE_UNAWARE
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hresult, states = s.SCardGetStatusChange(ctx, 200, [(reader, state)])
            if hresult == s.SCARD_S_SUCCESS:
                state = states[0][1] & ~s.SCARD_STATE_CHANGED
                if bool(state & s.SCARD_STATE_PRESENT) == present and not state & s.SCARD_STATE_MUTE:
                    return
        raise AssertionError(f"card {'not inserted' if present else 'not removed'} in {reader}")
    finally:
        s.SCardReleaseContext(ctx)


@pytest.fixture()
def slot(running_pcscd: Pcscd) -> Iterator[Slot]:
    s = Slot(running_pcscd)
    yield s
    s.pull_all()
