"""`kiosk catalog`: list, validate and search the service catalog; refresh its pinyin keywords.

Exit status: 0 ok, 1 the catalog is invalid (every problem listed on stderr with its line and field), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.commands.common import add_config_options, config_from_args, fail, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    catalog = subparsers.add_parser("catalog", help="the service catalog")
    sub = catalog.add_subparsers(dest="catalog_command", metavar="ACTION")

    ls = sub.add_parser("list", help="list the active catalog's items, most used first")
    add_config_options(ls)
    ls.add_argument("--file", type=Path, default=None, help="a catalog file instead of the active one")
    ls.add_argument("--json", action="store_true", help="one JSON object per item (JSON lines)")
    ls.add_argument("--all", action="store_true", help="include disabled items")
    ls.set_defaults(func=_list)

    validate = sub.add_parser("validate", help="validate a catalog file (schema, ids, modules, categories)")
    validate.add_argument("file", type=Path)
    validate.set_defaults(func=_validate)

    search = sub.add_parser("search", help="search the active catalog as the menu's search box does")
    add_config_options(search)
    search.add_argument("query")
    search.add_argument("--file", type=Path, default=None)
    search.set_defaults(func=_search)

    keywords = sub.add_parser("keywords", help="add pinyin and initials of titles and Chinese keywords (authoring)")
    keywords.add_argument("file", type=Path)
    keywords.add_argument("--write", action="store_true", help="rewrite FILE (default: print the result)")
    keywords.set_defaults(func=_keywords)
    catalog.set_defaults(func=lambda _args: (catalog.print_help(), 2)[1])


def _known_modules():
    from kiosk.services.registry import ModuleRegistry

    registry = ModuleRegistry.discover()
    for name, problem in registry.broken.items():
        sys.stderr.write(f"kiosk: warning: service plugin {name} failed to load: {problem}\n")
    return registry


def _active_catalog(args: argparse.Namespace, registry, say_source: bool = False):
    from contract.catalog.model import load_catalog
    from contract.eventlog import NullEventLog
    from kiosk.catalog.source import CatalogSource

    if args.file is not None:
        return load_catalog(args.file, registry.ids())
    config = config_from_args(args)
    source = CatalogSource(config.data_dir, NullEventLog(), registry.ids(), override=config.catalog.path)
    if say_source and source.active.source == "shipped":
        # on stderr, so that `--json` output stays one item per line
        if source.active.fallback:
            sys.stderr.write(f"kiosk: warning: FALLBACK: the shipped catalog (version {source.active.version}) is "
                             f"in use because {source.active.fallback}\n")
        else:
            sys.stderr.write(f"kiosk: the shipped catalog (version {source.active.version}) is in use: no "
                             f"district catalog received yet\n")
    return source.catalog


def item_json(item, registry) -> dict:
    """One item as `kiosk catalog list --json` prints it."""
    from kiosk.services.runner import effective_offline_policy

    module = registry.get(item.module)
    inputs = []
    if module is not None:
        for f in module.inputs(item.params):
            inputs.append({"key": f.key, "kind": f.kind.value, "label_zh": f.label_zh, "label_en": f.label_en,
                           "required": f.required, "default": f.default,
                           **({"choices": [list(c) for c in f.choices]} if f.choices else {})})
    return {"id": item.id, "title": item.title_zh, "title_en": item.title_en, "department": item.department,
            "category": item.category, "module": item.module,
            "offline_policy": effective_offline_policy(module.offline_policy, item).value if module else None,
            "identity_level": module.identity_level.value if module else None, "inputs": inputs,
            "enabled": item.enabled, "popularity": item.popularity, "icon": item.icon}


def _list(args: argparse.Namespace) -> int:
    from contract.catalog.model import CatalogInvalid

    registry = _known_modules()
    try:
        catalog = _active_catalog(args, registry, say_source=True)
    except (CatalogInvalid, OSError) as exc:
        return fail(f"catalog: {exc}", 1)
    items = sorted(catalog.items, key=lambda i: (-i.popularity, i.id)) if args.all else catalog.enabled_items()
    for item in items:
        if args.json:
            print_json(item_json(item, registry))
        else:
            sys.stdout.write(f"{item.id:<32} {item.category:<18} {item.module:<24} {item.title_zh}\n")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from contract.catalog.model import CatalogInvalid, load_catalog

    registry = _known_modules()
    try:
        catalog = load_catalog(args.file, registry.ids())
    except OSError as exc:
        return fail(f"{args.file}: {exc.strerror or exc}", 2)
    except CatalogInvalid as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{args.file}: {problem}\n")
        sys.stderr.write(f"kiosk: error: {args.file}: INVALID, {len(exc.problems)} problem(s)\n")
        return 1
    sys.stdout.write(f"{args.file}: valid, version {catalog.version}, {len(catalog.items)} items, "
                     f"{len(catalog.categories)} categories\n")
    return 0


def _search(args: argparse.Namespace) -> int:
    from contract.catalog.model import CatalogInvalid

    registry = _known_modules()
    try:
        catalog = _active_catalog(args, registry)
    except (CatalogInvalid, OSError) as exc:
        return fail(f"catalog: {exc}", 1)
    for item in catalog.search(args.query, limit=20):
        sys.stdout.write(f"{item.id:<32} {item.title_zh}  ({item.title_en})\n")
    return 0


def _keywords(args: argparse.Namespace) -> int:
    from contract.catalog.search import keywords_for

    try:
        doc = json.loads(args.file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return fail(f"{args.file}: {exc}", 2)
    for item in doc.get("items", []):
        words = [item.get("title_zh", "")] + list(item.get("keywords") or [])
        out: list[str] = []
        for word in words:
            for w in [word, *keywords_for(word)]:
                if w and w not in out:
                    out.append(w)
        item["keywords"] = out
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if args.write:
        args.file.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
