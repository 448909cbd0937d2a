"""`kiosk card`: read an identity document on a PC/SC reader, list readers (technicians and tests).

Exit status: 0 read (whatever passive authentication says: it is in the output), 2 bad arguments or MRZ,
3 no reader, 4 no card, 5 wrong access key, 6 card removed, 7 malformed card data (or, for `card ocr`, an
unreadable MRZ), 8 other card error.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from kiosk.commands.common import add_config_options, config_from_args, fail, print_json

EXIT_CODES = {"NoReader": 3, "NoCard": 4, "WrongAccessKey": 5, "CardRemoved": 6, "MalformedCardData": 7,
              "SecureMessagingError": 7}
OUTPUT_KEYS = ("document_number", "surname", "given_names", "nationality", "date_of_birth", "sex",
               "date_of_expiry", "document_type", "passive_auth", "passive_auth_detail", "chip_auth",
               "chip_auth_detail", "active_auth", "active_auth_detail", "photo_format", "photo_bytes", "read_ms",
               "access_control")


def register(subparsers: argparse._SubParsersAction) -> None:
    card = subparsers.add_parser("card", help="identity documents on a PC/SC reader")
    sub = card.add_subparsers(dest="card_command", metavar="ACTION")

    read = sub.add_parser("read", help="read an ICAO eMRTD (PACE or BAC + passive authentication)")
    add_config_options(read)
    read.add_argument("--reader", default=None, help="PC/SC reader name (default: the first with a card)")
    read.add_argument("--mrz", default=None, help="the MRZ lines, concatenated or newline-separated")
    read.add_argument("--doc", default=None, help="document number (with --dob and --expiry)")
    read.add_argument("--dob", default=None, help="date of birth YYMMDD")
    read.add_argument("--expiry", default=None, help="date of expiry YYMMDD")
    read.add_argument("--can", default=None, help="card access number printed on the document (PACE chips)")
    read.add_argument("--trust-store", type=Path, default=None, help="folder of CSCA certificates / master lists")
    read.add_argument("--photo-out", type=Path, default=None, help="write the face image exactly as on the chip")
    read.add_argument("--json", action="store_true", help="print one JSON object")
    read.set_defaults(func=_read)

    ocr = sub.add_parser("ocr", help="read the printed MRZ from a photo of the document (check digits verified)")
    ocr.add_argument("image", type=Path, help="camera frame or photo (any format Pillow opens)")
    ocr.add_argument("--json", action="store_true", help="print one JSON object")
    ocr.set_defaults(func=_ocr)

    readers = sub.add_parser("readers", help="list PC/SC readers and whether a card is present")
    add_config_options(readers)
    readers.add_argument("--json", action="store_true", help="print one JSON object")
    readers.set_defaults(func=_readers)
    from kiosk.commands import trust

    trust.register(sub)
    card.set_defaults(func=lambda _args: (card.print_help(), 2)[1])


def _access_key(args: argparse.Namespace):
    from kiosk.devices.document.mrz import access_key_from_fields, access_key_from_mrz

    if args.mrz and (args.doc or args.dob or args.expiry):
        raise ValueError("give either --mrz or --doc/--dob/--expiry, not both")
    if args.can is not None:
        from kiosk.devices.document.pace import CardAccessNumber

        if args.mrz or args.doc or args.dob or args.expiry:
            raise ValueError("give either --can or the MRZ, not both")
        return CardAccessNumber(args.can)
    if args.mrz:
        return access_key_from_mrz(args.mrz)
    if args.doc and args.dob and args.expiry:
        return access_key_from_fields(args.doc, args.dob, args.expiry)
    raise ValueError("the access key is needed: --mrz MRZ, --doc N --dob YYMMDD --expiry YYMMDD, or --can CAN")


def _read(args: argparse.Namespace) -> int:
    import dataclasses

    from kiosk.devices.document.pcsc import PcscDocumentReader
    from kiosk.devices.document.trust_store import TrustStore
    from kiosk.errors import CardError, MalformedCardData

    try:
        key = _access_key(args)
    except (ValueError, MalformedCardData) as exc:
        return fail(f"invalid access key: {getattr(exc, 'detail', '') or exc}")
    config = config_from_args(args).document
    if args.trust_store is not None:
        config = dataclasses.replace(config, trust_store=args.trust_store)
    trust = TrustStore.load(config.trust_store)
    for problem in trust.problems:
        sys.stderr.write(f"kiosk: warning: trust store: {problem}\n")
    reader = PcscDocumentReader(config, trust_store=trust)
    try:
        result = reader.read_document(key, threading.Event(), reader=args.reader)
    except CardError as exc:
        return fail(f"{_describe(exc)}: {exc.detail or type(exc).__name__}",
                    EXIT_CODES.get(_kind(exc), 8))
    identity = result.identity
    try:
        if args.photo_out is not None:
            args.photo_out.write_bytes(identity.photo)
        out = {**identity.public_fields(), "passive_auth": identity.passive_auth.value,
               "passive_auth_detail": identity.passive_auth_detail, "chip_auth": identity.chip_auth.value,
               "chip_auth_detail": identity.chip_auth_detail, "active_auth": identity.active_auth.value,
               "active_auth_detail": identity.active_auth_detail, "photo_format": identity.photo_format,
               "photo_bytes": len(identity.photo), "read_ms": round(result.read_ms, 1),
               "access_control": result.access_control}
        if args.json:
            print_json({k: out[k] for k in OUTPUT_KEYS})
        else:
            for k in OUTPUT_KEYS:
                print(f"{k}: {out[k]}")
    finally:
        identity.wipe()
    return 0


def _kind(exc: Exception) -> str:
    """The nearest class of `exc` the exit codes name (a TruncatedFile is MalformedCardData to the caller)."""
    return next((cls.__name__ for cls in type(exc).__mro__ if cls.__name__ in EXIT_CODES), type(exc).__name__)


def _describe(exc: Exception) -> str:
    return {"NoReader": "no reader", "NoCard": "no card", "WrongAccessKey": "wrong access key",
            "CardRemoved": "card removed", "MalformedCardData": "malformed card data",
            "SecureMessagingError": "malformed card data"}.get(_kind(exc), "card error")


def _ocr(args: argparse.Namespace) -> int:
    import time

    from PIL import Image, UnidentifiedImageError

    from kiosk.devices.document.mrz_ocr import MrzOcr
    from kiosk.errors import MrzUnreadable

    try:
        frame = Image.open(args.image)
        frame.load()
    except (OSError, UnidentifiedImageError) as exc:
        return fail(f"cannot open {args.image}: {exc}")
    started = time.perf_counter()
    try:
        mrz = MrzOcr().read(frame)
    except MrzUnreadable as exc:
        return fail(f"MRZ not readable: {exc.detail}", 7)
    out = {"format": mrz.format, "document_code": mrz.document_code, "issuing_state": mrz.issuing_state,
           "document_number": mrz.document_number, "surname": mrz.surname, "given_names": mrz.given_names,
           "nationality": mrz.nationality, "date_of_birth": mrz.date_of_birth, "sex": mrz.sex,
           "date_of_expiry": mrz.date_of_expiry, "read_ms": round((time.perf_counter() - started) * 1000, 1)}
    if args.json:
        print_json(out)
    else:
        for key, value in out.items():
            print(f"{key}: {value}")
    return 0


def _readers(args: argparse.Namespace) -> int:
    from smartcard import scard as s

    reader_filter = config_from_args(args).document.reader_name
    hresult, ctx = s.SCardEstablishContext(s.SCARD_SCOPE_USER)
    service = hresult == s.SCARD_S_SUCCESS
    readers: list[dict[str, object]] = []
    if service:
        try:
            hresult, names = s.SCardListReaders(ctx, [])
            if hresult == s.SCARD_S_SUCCESS and names:
                hresult, states = s.SCardGetStatusChange(ctx, 0, [(n, s.SCARD_STATE_UNAWARE) for n in names])
                if hresult == s.SCARD_S_SUCCESS:
                    readers = [{"name": n, "card_present": bool(st & s.SCARD_STATE_PRESENT),
                                "atr": bytes(atr).hex().upper(), "configured": n == reader_filter}
                               for n, st, atr in states]
        finally:
            s.SCardReleaseContext(ctx)
    if args.json:
        print_json({"service": service, "readers": readers})
    else:
        if not service:
            print("PC/SC service (pcscd) not available")
        for r in readers:
            print(f"{r['name']}: {'card present' if r['card_present'] else 'no card'}")
    return 0 if service else 3



