"""`kiosk-district`: run the reference district server and administer it."""

from __future__ import annotations

import argparse
import sys

from sync.district.settings import DistrictSettings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.district.app import create_app

    settings = DistrictSettings(db_url=args.db, demo=args.demo,
                                public_url=args.public_url or f"http://{args.host}:{args.port}")
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-district", description="Reference district server")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8470)
    serve.add_argument("--db", default="sqlite:///district.db", help="SQLAlchemy URL (sqlite or postgresql)")
    serve.add_argument("--demo", action="store_true", help="serve demo data; enroll loopback kiosks freely")
    serve.add_argument("--public-url", default="", help="base URL printed in verification QR codes")
    serve.set_defaults(func=_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not getattr(args, "func", None):
        build_parser().print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
