"""Benchmarks of the service layer: certificate rendering and size, CUPS print round trip, catalog load and
search. `make bench` collects `run()`; `python -m bench.bench_services` prints the rows alone.

The CUPS row starts a private cupsd with a cups-pdf queue (root only: cups-pdf's backend needs it; as non-root
the row reports None with the reason) and measures print request -> job completed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _certificate():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from contract.document_signing import LocalDocumentSigner
    from district import demo_data
    from kiosk.core.identity import Identity
    from kiosk.documents.issuing import issue_certificate
    from kiosk.services.api import ServiceContext
    from kiosk.services.builtin.social_insurance import SocialInsuranceRecordModule

    holder = Identity(document_number="330102199003071234", surname="王", given_names="晓梅")
    module = SocialInsuranceRecordModule()
    ctx = ServiceContext(identity=holder, inputs={}, params={}, item_id="si-contribution-record",
                         item_title_zh="社会保险参保缴费证明", item_title_en="", department="", district=None,
                         clock=lambda: dt.datetime.now().astimezone(), kiosk_id="SC-01",
                         office_name="上城区政务服务中心", district_name="上城区")
    record = demo_data.social_insurance_record(holder.document_number, 36)
    signer = LocalDocumentSigner(Ed25519PrivateKey.generate(), "http://127.0.0.1:8470")

    def render():
        spec = module.certificate_spec(ctx, record, 36)
        return issue_certificate(spec, holder.document_number, signer).document

    return render


def _render_rows() -> tuple[list[dict], bytes]:
    from kiosk.documents.fonts import register_cjk_font

    t = time.perf_counter()
    register_cjk_font()  # once at start-up, as the terminal does
    font_ms = (time.perf_counter() - t) * 1000
    render = _certificate()
    render()  # warm-up (imports, first subset)
    times = []
    for _ in range(20):
        t = time.perf_counter()
        doc = render()
        times.append((time.perf_counter() - t) * 1000)
    return [
        {"name": "services: CJK font registration (once per process)", "value": round(font_ms, 1), "unit": "ms",
         "target": None, "better": "lower"},
        {"name": "services: certificate render incl. signing (median of 20)", "value": round(statistics.median(times), 1),
         "unit": "ms", "target": 100, "better": "lower"},
        {"name": "services: certificate PDF size", "value": round(len(doc.pdf) / 1024, 1), "unit": "KB",
         "target": 150, "better": "lower"},
    ], doc.pdf


def _catalog_rows() -> list[dict]:
    from contract.catalog.model import parse_catalog
    from kiosk.catalog.source import SHIPPED_CATALOG
    from kiosk.services.registry import ModuleRegistry

    known = ModuleRegistry.discover().ids()
    data = SHIPPED_CATALOG.read_bytes()
    parse_catalog(data, known)  # warm-up: imports
    loads = []
    for _ in range(10):
        t = time.perf_counter()
        catalog = parse_catalog(SHIPPED_CATALOG.read_bytes(), known)
        loads.append((time.perf_counter() - t) * 1000)
    typed = ["s", "sh", "she", "sheb", "sheba", "shebao", "g", "gj", "gjj", "社", "社保", "公积金", "h", "hu", "huk",
             "hukou", "y", "yi", "yib", "yibao", "no", "no c", "ydjy", "身份证"]
    per_key = []
    for _ in range(5):
        for q in typed:
            t = time.perf_counter()
            catalog.search(q)
            per_key.append((time.perf_counter() - t) * 1000)
    return [
        {"name": f"services: catalog load + validate + index ({len(catalog.items)} items, median of 10)",
         "value": round(statistics.median(loads), 1), "unit": "ms", "target": 50, "better": "lower"},
        {"name": "services: search per keystroke (p95)", "value": round(sorted(per_key)[int(len(per_key) * 0.95)], 3),
         "unit": "ms", "target": 5, "better": "lower"},
    ]


def _cups_rows(pdf: bytes) -> list[dict]:
    name = "services: print request -> job completed (CUPS cups-pdf queue, median of 3)"
    if os.geteuid() != 0 or shutil.which("cupsd") is None:
        return [{"name": name + " [skipped: needs root and cupsd]", "value": None, "unit": "s", "target": None,
                 "better": "lower"}]
    import pwd

    from kiosk.devices.printer.cups import CupsPrinter, configure_queue
    from kiosk.documents.printable import PrintableDocument
    from tests.printing.cupsd import PrivateCupsd

    root = Path(tempfile.mkdtemp(prefix="kiosk-bench-cupsd-"))
    os.chmod(root, 0o755)
    server = PrivateCupsd(root)
    previous = os.environ.get("CUPS_SERVER")
    out_dir = Path(pwd.getpwuid(os.geteuid()).pw_dir) / "PDF"
    try:
        server.start()
        os.environ["CUPS_SERVER"] = str(server.socket_path)
        configure_queue("bench-pdf", "cups-pdf:/", ppd="/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd", env=server.env)
        printer = CupsPrinter("bench-pdf", job_timeout_s=60, poll_s=0.05)
        times = []
        for n in range(3):
            serial = f"BENCH-{os.getpid()}-{n}"
            t = time.perf_counter()
            printer.print_document(PrintableDocument("certificate", "bench", pdf, serial))
            times.append(time.perf_counter() - t)
            for f in out_dir.glob(f"certificate-{serial}*.pdf"):
                f.unlink()
        return [{"name": name, "value": round(statistics.median(times), 2), "unit": "s", "target": None,
                 "better": "lower"}]
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        if previous is None:
            os.environ.pop("CUPS_SERVER", None)
        else:
            os.environ["CUPS_SERVER"] = previous


def run() -> list[dict]:
    """Benchmark rows (see bench/run.py)."""
    rows, pdf = _render_rows()
    rows += _catalog_rows()
    rows += _cups_rows(pdf)
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
