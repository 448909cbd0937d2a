"""Options shared by several subcommands (--config, --data, --district) and how they become a Config."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.config import Config, load_config, with_data_dir, with_district


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """Add --config FILE, --data DIR and --district URL."""
    parser.add_argument("--config", type=Path, default=None, help="TOML configuration file")
    parser.add_argument("--data", type=Path, default=None, help="data folder (database, keys, logs)")
    parser.add_argument("--district", default=None, help="district server URL")


def config_from_args(args: argparse.Namespace) -> Config:
    """Load the configuration named by --config and apply --data / --district on top."""
    config = load_config(getattr(args, "config", None))
    if getattr(args, "data", None) is not None:
        config = with_data_dir(config, args.data.resolve())
    if getattr(args, "district", None):
        config = with_district(config, args.district)
    return config


def print_json(obj: Any) -> None:
    """One JSON document on stdout, UTF-8, no ASCII escaping of Chinese."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def fail(message: str, status: int = 2) -> int:
    """Print a one-line error on stderr and return `status`."""
    sys.stderr.write(f"kiosk: error: {message}\n")
    return status
