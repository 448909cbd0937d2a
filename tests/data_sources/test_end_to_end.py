"""The production path end to end: a district WITHOUT --demo, its sources file (the documented example) pointed at
a department's upstream on loopback (TLS, client certificate), an enrolled kiosk, and `kiosk service run
si-contribution-record` printing the certificate from the upstream's data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.data_sources.conftest import REPO, audit_rows, write_sources
from tests.data_sources.upstream import SI_PERSON
from tests.sync.district_process import ProcessDistrict

IDENTITY = {"document_number": SI_PERSON, "surname": "王", "given_names": "晓梅", "nationality": "CHN",
            "date_of_birth": "1990-03-07", "sex": "F", "date_of_expiry": "2035-01-01"}


def _kiosk(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The `kiosk` console command, as an operator or the shell's supervisor runs it."""
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}, timeout=120)


def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture()
def production_district(tmp_path, pki, upstream):
    db = f"sqlite:///{tmp_path / 'district.db'}"
    sources = write_sources(tmp_path / "etc", pki, upstream.url)
    district = ProcessDistrict(db, demo=False, extra=["--sources", str(sources)]).start()
    yield district, db
    district.stop()


def test_the_certificate_comes_from_the_departments_upstream(tmp_path, production_district, upstream, capsys):
    from district.cli import main as district_main
    from district.database import open_engine

    district, db = production_district
    unsigned = httpx.post(f"{district.url}/api/v1/citizen/social-insurance/record",
                          json={"document_number": SI_PERSON}, timeout=5)
    assert unsigned.status_code == 401 and upstream.seen == []  # only enrolled kiosks reach the department
    assert district_main(["kiosk", "add", "SC-21", "--db", db]) == 0
    token = capsys.readouterr().out.strip()
    kiosk_dir = tmp_path / "kiosk"
    kiosk_dir.mkdir()
    config = kiosk_dir / "kiosk.toml"
    config.write_text(f'[terminal]\nkiosk_id = "SC-21"\ndata_dir = "data"\ndistrict_url = "{district.url}"\n',
                      encoding="utf-8")
    (kiosk_dir / "identity.json").write_text(json.dumps(IDENTITY, ensure_ascii=False), encoding="utf-8")
    enrolled = _kiosk("enroll", "--token", token, "--config", str(config), cwd=kiosk_dir)
    assert enrolled.returncode == 0, enrolled.stderr

    run = _kiosk("service", "run", "si-contribution-record", "--identity", "identity.json", "--out", "out",
                 "--config", str(config), cwd=kiosk_dir)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["status"] == "completed" and result["summary"]["months"] == 3
    assert result["summary"]["arrears_months"] == 1
    certificate = kiosk_dir / result["files"][0]
    text = _pdftotext(certificate)
    # the upstream's register (tests/data_sources/upstream.py), not the demo data's
    assert "杭州西溪数据服务有限公司" in text and "2008-03-01" in text
    assert "2024-07 — 2024-09" in text
    for cell in ("5,800.00", "6,100.00", "464.00", "574.20", "30.50", "欠缴"):
        assert cell in text, cell
    assert "¥1,890.00" in text  # 609 + 640.5 + 640.5, summed by the district: the bureau sends no total
    verified = _kiosk("document", "verify", str(certificate), "--config", str(config), cwd=kiosk_dir)
    assert verified.returncode == 0 and verified.stdout.startswith("VALID"), verified.stdout + verified.stderr

    (asked,) = upstream.seen
    assert asked.body == {"idNumber": SI_PERSON, "months": 36} and asked.client_cn == "district-shangcheng"
    engine = open_engine(db)
    (row,) = audit_rows(engine)
    engine.dispose()
    assert (row.kiosk, row.source, row.record_kind, row.outcome) == ("SC-21", "si-bureau", "social-insurance", "ok")

    hf = _kiosk("service", "run", "hf-deposit-cert", "--identity", "identity.json", "--out", "out-hf",
                "--config", str(config), cwd=kiosk_dir)
    assert hf.returncode == 0, hf.stderr
    hf_text = _pdftotext(kiosk_dir / json.loads(hf.stdout)["files"][0])
    assert "8801234567" in hf_text and "3,120.00" in hf_text


def test_a_department_that_is_down_lets_the_kiosk_offer_queueing(tmp_path, pki, capsys):
    from district.cli import main as district_main
    from tests.services.district import free_port

    db = f"sqlite:///{tmp_path / 'district.db'}"
    sources = write_sources(tmp_path / "etc", pki, f"https://127.0.0.1:{free_port()}",
                            **{"backoff_s = 0.2": "backoff_s = 0.05"})
    district = ProcessDistrict(db, demo=False, extra=["--sources", str(sources)]).start()
    try:
        assert district_main(["kiosk", "add", "SC-22", "--db", db]) == 0
        token = capsys.readouterr().out.strip()
        kiosk_dir = tmp_path / "kiosk"
        kiosk_dir.mkdir()
        config = kiosk_dir / "kiosk.toml"
        config.write_text(f'[terminal]\nkiosk_id = "SC-22"\ndata_dir = "data"\ndistrict_url = "{district.url}"\n',
                          encoding="utf-8")
        (kiosk_dir / "identity.json").write_text(json.dumps(IDENTITY, ensure_ascii=False), encoding="utf-8")
        assert _kiosk("enroll", "--token", token, "--config", str(config), cwd=kiosk_dir).returncode == 0
        run = _kiosk("service", "run", "si-contribution-record", "--identity", "identity.json", "--out", "out",
                     "--config", str(config), cwd=kiosk_dir)
        assert run.returncode == 3 and "--queue-offline" in run.stderr, run.stderr  # 503 from the district
    finally:
        district.stop()
