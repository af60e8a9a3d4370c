#!/usr/bin/python3
"""Runs every bench/*.bench file on Floe (floe_bench, embedded) and on DuckDB (the peer) and
prints the best time of each query side by side. Usage: run.py [--repeat N] [FILE.bench...]"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run(cmd):
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return {r["name"]: r for r in (json.loads(line) for line in out.splitlines() if line.startswith("{"))}


def main():
    args = sys.argv[1:]
    repeat = "3"
    if "--repeat" in args:
        i = args.index("--repeat")
        repeat = args[i + 1]
        del args[i:i + 2]
    files = args or sorted(os.path.join(HERE, f) for f in os.listdir(HERE) if f.endswith(".bench"))
    floe_bin = os.environ.get("FLOE_BENCH", os.path.join(ROOT, "build/release/bench/floe_bench"))
    print(f"{'benchmark':<34} {'floe ms':>10} {'duckdb ms':>10} {'floe/duckdb':>12} {'rows':>10}")
    failed = False
    for f in files:
        subprocess.run(["node", os.path.join(HERE, "duckdb_bench.mjs"), f, "--generate"], check=True)
        floe = run([floe_bin, f, "--repeat", repeat])
        duck = run(["node", os.path.join(HERE, "duckdb_bench.mjs"), f, "--repeat", repeat])
        for name, r in floe.items():
            d = duck.get(name)
            label = os.path.basename(f)[:-6] + "/" + name
            if r.get("kind") == "size":
                db = d["bytes"] if d else float("nan")
                print(f"{label:<34} {r['bytes'] / 2**20:>8.1f}MB {db / 2**20:>8.1f}MB {r['bytes'] / db:>11.2f}x   bytes on disk")
                continue
            if r.get("kind") == "step":
                fm = r["ms"][0]
                dm = d["ms"][0] if d else float("nan")
                rate = f"{r['rows'] / fm * 1000 / 1e6:.2f}M rows/s" if r["rows"] else ""
                drate = f" (duckdb {d['rows'] / dm * 1000 / 1e6:.2f}M)" if d and d["rows"] else ""
                if r.get("bytes"):
                    rate += f", {r['bytes'] / fm * 1000 / 2**20:.0f} MB/s"
                    if d and d.get("bytes"):
                        drate = drate[:-1] + f", {d['bytes'] / dm * 1000 / 2**20:.0f} MB/s)"
                print(f"{label:<34} {fm:>10.1f} {dm:>10.1f} {fm / dm:>11.2f}x   {rate}{drate}")
                continue
            fm = min(r["ms"])
            dm = min(d["ms"]) if d else float("nan")
            note = ""
            if d and d["rows"] != r["rows"]:
                note = f"  ROW COUNT DIFFERS (duckdb {d['rows']})"
                failed = True
            print(f"{label:<34} {fm:>10.1f} {dm:>10.1f} {fm / dm:>11.2f}x {r['rows']:>10}{note}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
