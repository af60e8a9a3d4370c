#!/usr/bin/python3
"""Shrinks a SQL statement that crashes (or hangs) Floe to a smaller one that still does.

  test/fuzz/reduce.py --floe build/release/floe --setup setup.sql --query crash.sql [--out small.sql]

setup.sql holds statements (one per line, or separated by ';' at line ends) run once on every
fresh server before the candidates; crash.sql holds the one statement to shrink. The reducer
removes tokens, runs of tokens and parenthesized groups (delta debugging at the token level) and
keeps a candidate when the server still dies on it (--expect crash, the default), still takes
longer than --hang-seconds (--expect hang), or still answers with an error matching --expect-error.
A fresh server starts only after a candidate took the old one down.
"""
import argparse
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import pymysql  # noqa: E402

from floe_process import FloeProcess, connect  # noqa: E402

TOKEN = re.compile(r"""\s*(?:('(?:[^'\\]|\\.|'')*')|("(?:[^"\\]|\\.)*")|(`[^`]*`)|(\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+|\d+(?:[eE][-+]?\d+)?)|
                       ([A-Za-z_@][A-Za-z0-9_@$.]*)|(<=>|<=|>=|<>|!=|::|->>|->|\|\||&&|<<|>>|.))""", re.X | re.S)


def tokenize(sql):
    out = []
    pos = 0
    while pos < len(sql):
        m = TOKEN.match(sql, pos)
        if not m or m.end() == pos:
            break
        tok = m.group(0).strip()
        if tok:
            out.append(tok)
        pos = m.end()
    return out


def join(tokens):
    s = ""
    for t in tokens:
        if s and not (t in (")", ",", ".") or s.endswith(("(", "."))):
            s += " "
        s += t
    return s


def split_statements(text):
    stmts = []
    for part in re.split(r";\s*\n", text):
        part = "\n".join(line for line in part.splitlines() if not line.strip().startswith("--")).strip()
        if part:
            stmts.append(part.rstrip(";"))
    return stmts


class Oracle:
    def __init__(self, args, setup):
        self.args = args
        self.setup = setup
        self.server = None
        self.conn = None
        self.tests = 0

    def fresh(self):
        if self.server is not None:
            self.server.kill()
            self.server.cleanup()
        self.server = FloeProcess(self.args.floe).start()
        self.conn = connect("127.0.0.1", self.server.port, read_timeout=self.args.hang_seconds + 30)
        with self.conn.cursor() as cur:
            cur.execute("CREATE DATABASE IF NOT EXISTS reduce")
            cur.execute("USE reduce")
            for s in self.setup:
                cur.execute(s)

    def interesting(self, sql):
        self.tests += 1
        if self.server is None or not self.server.alive() or self.conn is None:
            self.fresh()
        started = time.time()
        try:
            with self.conn.cursor() as cur:
                cur.execute(sql)
                cur.fetchall()
            outcome = ("ok", "")
        except pymysql.err.OperationalError as e:
            if e.args and e.args[0] in (2006, 2013, 2014):
                outcome = ("lost", str(e))
            else:
                outcome = ("error", str(e))
        except pymysql.err.MySQLError as e:
            outcome = ("error", str(e))
        except Exception as e:  # noqa: BLE001 - socket timeouts and the like
            outcome = ("lost", str(e))
        elapsed = time.time() - started
        if outcome[0] == "lost":
            time.sleep(0.3)
            if self.server.alive():
                # Dropped the connection but stayed up: reconnect.
                self.conn = connect("127.0.0.1", self.server.port, read_timeout=self.args.hang_seconds + 30)
                with self.conn.cursor() as cur:
                    cur.execute("USE reduce")
            else:
                self.conn = None
        exp = self.args.expect
        if exp == "crash":
            return outcome[0] == "lost" and not self.server.alive()
        if exp == "drop":
            return outcome[0] == "lost"
        if exp == "hang":
            return elapsed >= self.args.hang_seconds
        return outcome[0] == "error" and re.search(self.args.expect_error, outcome[1]) is not None

    def close(self):
        if self.server is not None:
            self.server.kill()
            self.server.cleanup()


def paren_groups(tokens):
    stack, groups = [], []
    for i, t in enumerate(tokens):
        if t == "(":
            stack.append(i)
        elif t == ")" and stack:
            groups.append((stack.pop(), i))
    return sorted(groups, key=lambda g: g[0] - g[1])  # largest first


def reduce(tokens, oracle, budget):
    def test(cand):
        if cand == tokens or not oracle.interesting(join(cand)):
            return False
        # A crash may belong to an earlier candidate (a late failure): confirm on a fresh server.
        oracle.fresh()
        return oracle.interesting(join(cand))

    progress = True
    while progress and oracle.tests < budget:
        progress = False
        # Parenthesized groups: drop the group, or keep only its inside.
        for a, b in paren_groups(tokens):
            if oracle.tests >= budget:
                break
            for cand in (tokens[:a] + tokens[b + 1:], tokens[:a] + tokens[a + 1:b] + tokens[b + 1:],
                         tokens[:a] + ["NULL"] + tokens[b + 1:], tokens[:a] + ["1"] + tokens[b + 1:]):
                if test(cand):
                    tokens = cand
                    progress = True
                    break
            if progress:
                break
        if progress:
            continue
        # Runs of tokens, halving the run length.
        n = max(len(tokens) // 2, 1)
        while n >= 1 and oracle.tests < budget:
            i = 0
            while i < len(tokens) and oracle.tests < budget:
                cand = tokens[:i] + tokens[i + n:]
                if test(cand):
                    tokens = cand
                    progress = True
                else:
                    i += n
            n //= 2
    return tokens


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--floe", required=True)
    ap.add_argument("--setup", help="file of setup statements")
    ap.add_argument("--query", required=True, help="file holding the statement to shrink")
    ap.add_argument("--expect", choices=["crash", "drop", "hang", "error"], default="crash")
    ap.add_argument("--expect-error", default=".", help="regex an error must match (--expect error)")
    ap.add_argument("--hang-seconds", type=float, default=10)
    ap.add_argument("--budget", type=int, default=1500, help="candidates to try at most")
    ap.add_argument("--out", help="write the result here")
    args = ap.parse_args()
    setup = split_statements(open(args.setup).read()) if args.setup else []
    sql = " ".join(split_statements(open(args.query).read()))
    oracle = Oracle(args, setup)
    try:
        if not oracle.interesting(sql):
            print("the statement does not reproduce", file=sys.stderr)
            return 2
        small = join(reduce(tokenize(sql), oracle, args.budget))
    finally:
        oracle.close()
    print(f"-- {oracle.tests} candidates tried; {len(sql)} -> {len(small)} characters")
    print(small + ";")
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(small + ";\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
