"""`kiosk enroll [--token TOKEN]`: enroll this terminal with its district (the sync daemon also does it at start)."""

from __future__ import annotations

import argparse

from kiosk.commands.common import add_config_options, config_from_args, fail, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("enroll", help="enroll this kiosk with the district server")
    add_config_options(parser)
    parser.add_argument("--token", default=None,
                        help="the operator's one-time token (kiosk-district kiosk add); write --token=T for one "
                             "starting with '-'")
    parser.add_argument("--new-key", action="store_true",
                        help="replace this kiosk's key first (re-admission after `kiosk-district kiosk readmit`: "
                             "the district never accepts the revoked key again)")
    parser.set_defaults(func=_enroll)


def _enroll(args: argparse.Namespace) -> int:
    from kiosk.errors import ConfigError, DistrictUnavailable
    from kiosk.link.enrollment import EnrollmentRefused, district_dir, enroll
    from kiosk.link.kiosk_key import replace_key

    config = config_from_args(args)
    if args.new_key:
        if not args.token:
            return fail("--new-key needs --token (the old enrollment ends with the old key)")
        replace_key(config.data_dir)
    try:
        done = enroll(config.data_dir, config.terminal.district_url, config.terminal.kiosk_id, args.token,
                      ca_file=config.terminal.district_ca)
    except ConfigError as exc:
        return fail(f"configuration: {exc}", 2)
    except EnrollmentRefused as exc:
        return fail(str(exc), 4)
    except DistrictUnavailable as exc:
        return fail(f"district unreachable: {exc}", 3)
    print_json({"kiosk_id": done.kiosk_id, "district_url": done.district_url,
                "root_pinned": (district_dir(config.data_dir) / "root.json").exists()})
    return 0
