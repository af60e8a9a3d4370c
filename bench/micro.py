#!/usr/bin/env python3
"""Micro suite: the engine's kernels under Google Benchmark (bench/micro/micro_bench.cpp) — the hash
table of GROUP BY and joins, ORDER BY's sort, storage page codecs, Parquet's bit-packed decoder, a
vectorized filter, the CSV and JSON readers. Prints Google Benchmark's table and writes
bench/results/micro.json (its JSON) and micro.md."""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BINARY = os.path.join(os.path.dirname(HERE), "build", "release", "bench", "floe_micro_bench")


def main():
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} does not exist: run `make` first")
    out = os.path.join(HERE, "results", "micro.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    subprocess.run([BINARY, "--benchmark_min_time=0.5", f"--benchmark_out={out}", "--benchmark_out_format=json"],
                   check=True)
    data = json.load(open(out))
    lines = [f"# micro ({time.strftime('%Y-%m-%d %H:%M:%S')}, one thread)", "",
             "| kernel | time | rate |", "|---|---|---|"]
    for b in data["benchmarks"]:
        rate = ""
        if "items_per_second" in b:
            rate = f"{b['items_per_second'] / 1e6:.1f}M rows/s"
        elif "bytes_per_second" in b:
            rate = f"{b['bytes_per_second'] / 1e6:.0f} MB/s"
        lines.append(f"| {b['name']} | {b['real_time']:.2f} {b['time_unit']} | {rate} |")
    with open(os.path.join(HERE, "results", "micro.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
