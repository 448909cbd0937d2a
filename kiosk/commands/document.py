"""`kiosk document`: verify a printed certificate offline; fetch and store the district's public document key.

`verify` prints VALID or INVALID with the reason (for a kiosk PDF, the first printed fact that differs from the
signed content, by name). Exit status: 0 VALID, 1 INVALID, 2 usage or no key.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.commands.common import add_config_options, config_from_args, fail, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    document = subparsers.add_parser("document", help="printed documents: verification")
    sub = document.add_subparsers(dest="document_command", metavar="ACTION")
    verify = sub.add_parser("verify", help="verify a certificate's QR payload with the district's public key")
    add_config_options(verify)
    verify.add_argument("file", type=Path, nargs="?", help="the certificate PDF, or a photo/scan of it (PNG, JPEG)")
    verify.add_argument("--qr-text", default=None, help="the QR code's text instead of a file")
    verify.add_argument("--key", type=Path, action="append", default=None,
                        help="a PEM public key instead of the data folder's; repeat it for retired keys (the "
                             "district publishes them at /api/v1/documents/keys)")
    verify.add_argument("--json", action="store_true", help="print one JSON object")
    verify.set_defaults(func=_verify)

    fetch = sub.add_parser("fetch-key", help="download the district's public document key into the data folder")
    add_config_options(fetch)
    fetch.set_defaults(func=_fetch_key)
    document.set_defaults(func=lambda _args: (document.print_help(), 2)[1])


def _verify(args: argparse.Namespace) -> int:
    from contract.document_signing import parse_public_key, verify_text
    from kiosk.documents.signing import load_district_document_key
    from kiosk.documents.verification import verify_pdf
    from kiosk.errors import DocumentKeyMissing

    if (args.file is None) == (args.qr_text is None):
        return fail("give a FILE.pdf or --qr-text TEXT")
    try:
        key = [parse_public_key(path.read_bytes()) for path in args.key] if args.key else \
            load_district_document_key(config_from_args(args).data_dir)
    except DocumentKeyMissing as exc:
        return fail(exc.detail)
    except (OSError, ValueError) as exc:
        return fail(f"--key {' '.join(map(str, args.key))}: {exc}")
    content = "not-embedded"
    if args.qr_text is not None:
        result, qr = verify_text(args.qr_text, key), args.qr_text
    else:
        try:
            checked = verify_pdf(args.file, key)
        except OSError as exc:
            return fail(f"{args.file}: {exc.strerror or exc}")
        except Exception as exc:  # noqa: BLE001 - pdfium raises its own errors for damaged files
            return fail(f"{args.file}: cannot read as PDF ({type(exc).__name__}: {exc})")
        result, qr, content = checked.result, checked.qr_text, checked.content
    p = result.payload
    if args.json:
        print_json({"valid": result.valid, "reason": result.reason, "qr_text": qr, "content": content,
                    **({"serial": p.serial, "issued_on": p.issued_on, "key_id": p.key_id} if p else {})})
    elif result.valid and p is not None:
        sys.stdout.write(f"VALID: serial {p.serial}, issued {p.issued_on[:4]}-{p.issued_on[4:6]}-{p.issued_on[6:]},"
                         f" signed by the district's document key {p.key_id}\n")
        sys.stdout.write("content: the page shows exactly the signed content\n" if content == "matches" else
                         "content: not checked (no embedded record: a printout or scan; compare its figures with"
                         " the district's record if in doubt)\n")
    else:
        sys.stdout.write(f"INVALID: {result.reason}\n")
    return 0 if result.valid else 1


def _fetch_key(args: argparse.Namespace) -> int:
    import httpx

    from contract.document_signing import KEY_PATH
    from kiosk.documents.signing import store_district_document_key
    from kiosk.errors import ConfigError
    from kiosk.link.district_endpoint import district_endpoint

    config = config_from_args(args)
    try:
        endpoint = district_endpoint(config.terminal.district_url, config.terminal.district_ca)
    except ConfigError as exc:
        return fail(f"configuration: {exc}", 2)
    try:
        response = httpx.get(endpoint.url + KEY_PATH, timeout=10, verify=endpoint.verify)
        response.raise_for_status()
        path = store_district_document_key(config.data_dir, response.content)
    except (httpx.HTTPError, ValueError) as exc:
        return fail(f"cannot fetch the document key: {exc}", 1)
    sys.stdout.write(f"stored {path}\n")
    return 0
