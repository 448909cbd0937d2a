"""Fixtures: a department PKI, a loopback upstream (TLS with client certificates), and a sources file made from
the documented example (docs/data-sources.example.toml) pointed at that upstream."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.data_sources.pki import Pki, make_pki
from tests.data_sources.upstream import Upstream

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "data-sources.example.toml"
HOLDER_SECRET = b"district-holder-secret-for-tests"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture()
def upstream(pki: Pki):
    with Upstream(pki) as up:
        yield up


def write_sources(folder: Path, pki: Pki, upstream_url: str, **replace: str) -> Path:
    """The documented example with its URLs pointed at `upstream_url` and the PKI's files where the example
    expects them (certs/ beside the file); `replace` swaps further lines (`"timeout_s = 1.5": "timeout_s = 0.3"`)."""
    certs = folder / "certs"
    certs.mkdir(parents=True, exist_ok=True)
    shutil.copy(pki.client_cert, certs / "district-client.pem")
    shutil.copy(pki.client_key, certs / "district-client.key")
    shutil.copy(pki.ca, certs / "si-bureau-ca.pem")
    shutil.copy(pki.ca, certs / "hf-ca.pem")
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("https://si-gateway.example.gov.cn:8443/api/v2", f"{upstream_url}/api/v2")
    text = text.replace("https://hf.example.gov.cn/api", upstream_url)
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = folder / "data-sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def engine(tmp_path: Path):
    from district.database import migrate, open_engine

    engine = open_engine(f"sqlite:///{tmp_path / 'district.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def make_gateway(sources_file: Path, engine):
    from district.data_sources.gateway import CitizenDataGateway
    from district.data_sources.registry import load_sources

    return CitizenDataGateway(load_sources(sources_file), engine, lambda: HOLDER_SECRET)


def audit_rows(engine) -> list:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from district.models import DataSourceAuditRow

    with Session(engine) as s:
        return list(s.scalars(select(DataSourceAuditRow).order_by(DataSourceAuditRow.id)))


@pytest.fixture(scope="session")
def private_postgres():
    """A private PostgreSQL for the session (fails, not skips, when it cannot start: bootstrap installs it)."""
    from tests.sync.private_postgres import PostgresUnavailable, PrivatePostgres

    try:
        pg = PrivatePostgres().start()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL is installed by scripts/bootstrap.sh but did not start: {exc}")
    yield pg
    pg.stop()
