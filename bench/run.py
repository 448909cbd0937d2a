"""`make bench`: run every bench/bench_*.py module's `run()` and print one table.

Each module returns a list of rows {"name", "value", "unit", "target", "better": "lower"|"higher"} (target may
be None; "skipped": true marks a row whose data is absent on this machine). The table is printed and written to
bench/results.json. A module that fails is reported as a row with
value None, so one broken benchmark does not hide the others.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _meets(row: dict) -> str:
    value, target = row.get("value"), row.get("target")
    if row.get("skipped"):
        return "skipped"
    if value is None:
        return "ERROR"
    if target is None:
        return ""
    ok = value <= target if row.get("better", "lower") == "lower" else value >= target
    return "ok" if ok else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="substring of the bench module names to run")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent))
    rows: list[dict] = []
    for info in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda m: m.name):
        if not info.name.startswith("bench_") or args.only not in info.name:
            continue
        try:
            module = importlib.import_module(f"bench.{info.name}")
            rows.extend(module.run())
        except Exception as exc:  # noqa: BLE001
            traceback.print_exc()
            rows.append({"name": f"{info.name} failed: {exc}", "value": None, "unit": "", "target": None,
                         "better": "lower"})
    width = max([len(r["name"]) for r in rows] + [10])
    print(f"{'benchmark':<{width}}  {'value':>12}  {'unit':<8}  {'target':>10}  status")
    print("-" * (width + 46))
    for r in rows:
        v = "-" if r["value"] is None else (f"{r['value']:.3f}" if isinstance(r["value"], float) else str(r["value"]))
        t = "-" if r.get("target") is None else f"{'≤' if r.get('better', 'lower') == 'lower' else '≥'}{r['target']}"
        print(f"{r['name']:<{width}}  {v:>12}  {r['unit']:<8}  {t:>10}  {_meets(r)}")
    (HERE / "results.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
