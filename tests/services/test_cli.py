"""`kiosk service run` and `kiosk document verify`, in process, against the demo district."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.cli import main
from tests.services.district import free_port

IDENTITY = {"document_number": "330102199003071234", "surname": "王", "given_names": "晓梅", "nationality": "CHN",
            "date_of_birth": "1990-03-07", "sex": "F", "date_of_expiry": "2035-01-01"}


def _identity(tmp_path: Path) -> Path:
    path = tmp_path / "identity.json"
    path.write_text(json.dumps(IDENTITY, ensure_ascii=False), encoding="utf-8")
    return path


def test_service_run_records_and_certificate_verifies(district, data_dir, tmp_path, capsys):
    from kiosk.link.enrollment import enroll

    out = tmp_path / "out"
    config = tmp_path / "kiosk.toml"
    config.write_text('[terminal]\nkiosk_id = "cli-run-01"\n')
    enroll(data_dir, district.url, "cli-run-01")  # citizen data goes to enrolled kiosks only
    status = main(["service", "run", "si-contribution-record", "--identity", str(_identity(tmp_path)),
                   "--out", str(out), "--district", district.url, "--data", str(data_dir), "--record",
                   "--config", str(config)])
    assert status == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "completed" and result["recorded"] and result["tracking_number"].endswith("-000001")
    cert = Path(result["files"][0])
    assert cert.parent == out and cert.suffix == ".pdf"
    assert "330102199003071234" not in json.dumps(result)
    assert main(["document", "verify", str(cert), "--data", str(data_dir)]) == 0
    assert capsys.readouterr().out.startswith("VALID: serial " + result["summary"]["serial"])
    from kiosk.documents.verification import qr_texts_from_pdf

    (qr,) = qr_texts_from_pdf(cert)
    import subprocess

    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(cert), str(tmp_path / "scan")], check=True)
    assert main(["document", "verify", str(tmp_path / "scan.png"), "--data", str(data_dir)]) == 0
    assert "content: not checked" in capsys.readouterr().out
    assert main(["document", "verify", "--qr-text", qr, "--data", str(data_dir)]) == 0
    capsys.readouterr()
    assert main(["document", "verify", "--qr-text", qr.replace("&c=", "&c=x"), "--data", str(data_dir)]) == 1
    assert capsys.readouterr().out.startswith("INVALID: signature does not match")


def test_service_run_offline_offers_queueing(tmp_path, capsys):
    dead = f"http://127.0.0.1:{free_port()}"
    args = ["service", "run", "si-contribution-record", "--identity", str(_identity(tmp_path)), "--out",
            str(tmp_path / "out"), "--district", dead, "--data", str(tmp_path / "data"), "--record"]
    assert main(args) == 3
    assert "--queue-offline" in capsys.readouterr().err
    assert main([*args, "--queue-offline"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "queued" and result["queued_request"]
    assert [Path(f).name for f in result["files"]] == [f"receipt-{result['tracking_number']}.pdf"]


def test_verify_without_key_and_bad_input(tmp_path, capsys):
    assert main(["document", "verify", "--qr-text", "x", "--data", str(tmp_path)]) == 2
    assert "enroll" in capsys.readouterr().err
    assert main(["service", "run", "no-such-item", "--identity", str(_identity(tmp_path)), "--out",
                 str(tmp_path), "--data", str(tmp_path)]) == 2
