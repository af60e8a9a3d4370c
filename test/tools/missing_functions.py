#!/usr/bin/env python3
"""Lists the StarRocks function pages (test/tools/starrocks_function_pages.txt) that name a
function Floe does not know, grouped by family.

Floe's names come from `SHOW FUNCTIONS`, run through a floe_sqllogictest binary (the first of
build/*/test/floe_sqllogictest, or the one given with --slt PATH), plus the names the binder
resolves itself (now(), date_add, table functions), which SHOW FUNCTIONS does not list.
Usage: test/tools/missing_functions.py [--present] [--slt PATH]
"""
import collections
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Pages whose name is not a function name, mapped to what Floe must know for them.
PAGE_TO_NAMES = {
    "case_when": ["case"],
    "like": ["like"],
    "regexp": ["regexp"],
}
# Syntax the parser handles rather than the registry.
SYNTAX = {"case", "like", "cast"}


def show_functions(slt):
    """Runs SHOW FUNCTIONS as a query with no expected rows and reads the rows the runner prints."""
    with tempfile.NamedTemporaryFile("w", suffix=".test", delete=False) as f:
        f.write("query TT\nSHOW FUNCTIONS\n----\n\n")
        test = f.name
    out = subprocess.run([str(slt), test], capture_output=True, text=True)
    text = out.stdout + out.stderr
    rows = text.split("actual:", 1)[1] if "actual:" in text else ""
    return {line.split("\t")[0].strip().lower() for line in rows.splitlines() if "\t" in line}


def floe_names(slt):
    names = set(SYNTAX)
    names.update(show_functions(slt))
    for path in (ROOT / "src" / "binder").rglob("*.cpp"):
        names.update(re.findall(r'name == "([a-z0-9_]+)"', path.read_text()))
    return {n.lower() for n in names}


def main():
    slt = None
    if "--slt" in sys.argv:
        slt = pathlib.Path(sys.argv[sys.argv.index("--slt") + 1])
    else:
        found = sorted((ROOT / "build").glob("*/test/floe_sqllogictest"))
        slt = found[0] if found else None
    if slt is None or not slt.exists():
        sys.exit("no floe_sqllogictest binary: build one or pass --slt PATH")
    known = floe_names(slt)
    missing = collections.OrderedDict()
    present = collections.OrderedDict()
    pages = ROOT / "test" / "tools" / "starrocks_function_pages.txt"
    for line in pages.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        family, page = line.split("/", 1)
        wanted = PAGE_TO_NAMES.get(page, [page])
        target = present if all(n in known for n in wanted) else missing
        target.setdefault(family, []).append(page)
    show = present if "--present" in sys.argv else missing
    total = sum(len(v) for v in show.values())
    print(f"{'present' if show is present else 'missing'}: {total} of "
          f"{sum(len(v) for v in missing.values()) + sum(len(v) for v in present.values())} pages")
    for family, names in show.items():
        print(f"- {family} ({len(names)}): {', '.join(names)}")


if __name__ == "__main__":
    main()
