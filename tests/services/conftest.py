"""Fixtures: a demo district server, a kiosk data folder holding its public document key, a runner."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.core.identity import Identity
from tests.services.district import DistrictServer, enrolled_client, free_port

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "assets" / "catalog" / "catalog.json"


@pytest.fixture(scope="session")
def district(tmp_path_factory: pytest.TempPathFactory):
    server = DistrictServer(tmp_path_factory.mktemp("district")).start()
    yield server
    server.stop()


@pytest.fixture()
def data_dir(tmp_path: Path, district: DistrictServer) -> Path:
    """A kiosk data folder that holds the district's public document key, as after enrollment."""
    from kiosk.documents.signing import store_district_document_key

    folder = tmp_path / "data"
    store_district_document_key(folder, district.public_key_pem())
    return folder


@pytest.fixture(scope="session")
def registry():
    from kiosk.services.registry import ModuleRegistry

    reg = ModuleRegistry.discover()
    assert not reg.broken, reg.broken
    return reg


@pytest.fixture(scope="session")
def catalog(registry):
    from contract.catalog.model import load_catalog

    return load_catalog(CATALOG, registry.ids())


@pytest.fixture()
def citizen() -> Identity:
    return Identity(document_number="330102199003071234", surname="王", given_names="晓梅", nationality="CHN",
                    date_of_birth="1990-03-07", sex="F", date_of_expiry="2035-01-01")


def make_runner(registry, district_url: str, store=None, enrolled: bool = True):
    from kiosk.link.district_client import HttpDistrictClient
    from kiosk.services.runner import ServiceRunner

    client = (enrolled_client(district_url, 3.0, kiosk_id="SC-01") if enrolled else
              HttpDistrictClient(district_url, timeout_s=3.0))
    return ServiceRunner(registry=registry, district=client,
                         kiosk_id="SC-01", office_name="上城区政务服务中心", district_name="上城区", store=store,
                         clock=lambda: dt.datetime.now().astimezone())


@pytest.fixture()
def runner(registry, district):
    return make_runner(registry, district.url)


@pytest.fixture()
def offline_runner(registry):
    """A runner whose district URL has nothing listening."""
    return make_runner(registry, f"http://127.0.0.1:{free_port()}", enrolled=False)
