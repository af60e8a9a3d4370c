#!/usr/bin/python3
"""Differential and metamorphic testing of Floe's query engine (what SQLancer does).

Each round creates a few random tables (INT, BIGINT, DOUBLE, DECIMAL, VARCHAR, DATE, BOOLEAN
columns with NULLs and small random data; plain, Duplicate Key and Primary Key tables, loaded in
one to three INSERTs so they hold several rowsets) in Floe and the same tables in DuckDB, then
generates random queries in the subset of SQL where the MySQL/StarRocks dialect and DuckDB agree,
and checks every query with up to three oracles:

  duckdb  the rows equal DuckDB's rows for the same query (as multisets, or as sequences under
          ORDER BY; numbers compare with a tolerance for division and AVG)
  tlp     ternary logic partitioning: the rows of Q equal the UNION ALL of Q WHERE p,
          Q WHERE NOT (p) and Q WHERE (p) IS NULL; for COUNT/SUM/MIN/MAX the partitions'
          aggregates combine to Q's; for GROUP BY and DISTINCT the partitions' groups merge to Q's
  noopt   the rows equal those of the same query in a session with every optimizer pass off
          (SET optimizer_disabled_rules = '<all rules>') and one thread (SET pipeline_dop = 1)

A difference is reduced (select items, predicates and expressions replaced by their parts,
joins by one side, rows and columns dropped, while the same kind of difference persists) and
written to --out as repro.sql (Floe), duckdb.sql, result.txt and a sqllogictest file holding the
expected answer. The exit status is non-zero when any difference was found.

Usage (run with /usr/bin/python3, which sees Debian's pymysql):
  test/fuzz/differential.py --floe build/release/floe --queries 20000 --seed 1
  test/fuzz/differential.py --host 127.0.0.1 --port 9030 --oracle tlp

DuckDB runs in a long-lived node process (duckdb_server.mjs); it needs @duckdb/node-api in
test/integration/node_modules (cd test/integration && npm install --no-audit --no-fund).

Dialect differences kept out of the generator (each would be a difference of dialect, not a bug):
  * `/` and AVG: DOUBLE in Floe (as in StarRocks) and DuckDB, DECIMAL in MySQL; allowed only as the
    top of a select item (compared with a tolerance), never in predicates or ORDER BY keys.
  * Division and modulo by zero give NULL in MySQL; DuckDB gives Infinity/NULL: DuckDB's side is
    written `x / NULLIF(y, 0)`. MySQL `DIV` is DuckDB `//`.
  * INT + INT is BIGINT in MySQL but INTEGER (overflowing at 2^31) in DuckDB: DuckDB's tables
    declare INT columns as BIGINT.
  * CONCAT(a, NULL) is NULL in MySQL and a in DuckDB: DuckDB's side is written with `||`
    (NULL-propagating); `||` itself is OR in MySQL and never generated.
  * GREATEST/LEAST return NULL on any NULL argument in MySQL; DuckDB skips NULLs: DuckDB's side
    is wrapped in CASE WHEN any argument IS NULL THEN NULL.
  * NULL ordering: MySQL sorts NULLs first ascending and last descending; DuckDB's side always
    says NULLS FIRST/LAST explicitly (Floe's side only sometimes, to test its default).
  * DATE + INTERVAL n DAY is a DATE in MySQL and a TIMESTAMP in DuckDB: DuckDB's side casts back
    to DATE. DATEDIFF(a, b) is DuckDB's datediff('day', b, a).
  * `<=>` is DuckDB's IS NOT DISTINCT FROM; IF(c, a, b) is written CASE on DuckDB's side.
  * String collation: Floe compares bytes as StarRocks and DuckDB do (MySQL's default collation is
    case- and trailing-space-insensitive); strings hold ASCII letters, digits and '_' only, no
    trailing spaces, and LIKE patterns no backslash (MySQL's default escape, none in DuckDB).
  * No comparisons across type families (MySQL compares a string with a number as numbers), no
    arithmetic on booleans, no CAST of DOUBLE to integer or text (rounding and formatting differ),
    no ROUND of DOUBLE (MySQL rounds half to even there), substr positions >= 1 only.
  * Booleans come back from MySQL as 1/0: compared with DuckDB's true/false as numbers.
  * ORDER BY ... LIMIT always orders by every select item (a total order), so any correct
    engine returns the same rows.
"""
import argparse
import copy
import datetime
import decimal
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

import pymysql  # noqa: E402

from floe_process import FloeProcess, connect, ping  # noqa: E402

decimal.getcontext().prec = 60
D = decimal.Decimal

T_INT, T_DBL, T_DEC, T_STR, T_DATE, T_BOOL = "int", "dbl", "dec", "str", "date", "bool"
NUM = (T_INT, T_DBL, T_DEC)
ALL_TYPES = (T_INT, T_DBL, T_DEC, T_STR, T_DATE, T_BOOL)

OPTIMIZER_RULES = ["filter_pushdown", "remove_true_filter", "join_order", "column_pruning", "top_n",
                   "constant_folding", "partition_pruning", "zone_map_filter", "semi_join_side"]

STRINGS = ["", "a", "b", "c", "ab", "abc", "ba", "bc", "cab", "x", "xyz", "a_b", "aa", "abcd", "z9", "0", "1", "10",
           "hello", "world", "b1", "a1", "A", "Ab", "ABC", "B"]


def category(t):
    return "num" if t in NUM else t


def compatible(a, b):
    return category(a) == category(b)


# ---------------------------------------------------------------------------------------------
# Tables


class Col:
    def __init__(self, name, t, floe_type, duck_type, nullable=True):
        self.name, self.t, self.floe_type, self.duck_type, self.nullable = name, t, floe_type, duck_type, nullable


class Table:
    def __init__(self, name, cols, rows, model, buckets, splits):
        self.name, self.cols, self.rows, self.model, self.buckets, self.splits = name, cols, rows, model, buckets, splits

    def floe_ddl(self):
        cols = ", ".join(f"{c.name} {c.floe_type}{'' if c.nullable else ' NOT NULL'}" for c in self.cols)
        key = self.cols[0].name
        if self.model == "plain":
            return f"CREATE TABLE {self.name} ({cols})"
        if self.model == "dup":
            return f"CREATE TABLE {self.name} ({cols}) DUPLICATE KEY({key}) DISTRIBUTED BY HASH({key}) BUCKETS {self.buckets}"
        return f"CREATE TABLE {self.name} ({cols}) PRIMARY KEY({key}) DISTRIBUTED BY HASH({key}) BUCKETS {self.buckets}"

    def duck_ddl(self):
        cols = ", ".join(f"{c.name} {c.duck_type}" for c in self.cols)
        return f"CREATE TABLE {self.name} ({cols})"

    def inserts(self):
        """INSERT statements (the same text for both engines), one per split of the rows."""
        out = []
        bounds = [0] + self.splits + [len(self.rows)]
        for lo, hi in zip(bounds, bounds[1:]):
            if hi <= lo:
                continue
            values = ", ".join("(" + ", ".join(sql_value(v, c.t) for v, c in zip(row, self.cols)) + ")"
                               for row in self.rows[lo:hi])
            out.append(f"INSERT INTO {self.name} VALUES {values}")
        return out


def sql_value(v, t):
    if v is None:
        return "NULL"
    if t == T_BOOL:
        return "TRUE" if v else "FALSE"
    if t in (T_STR, T_DATE):
        return "'" + str(v).replace("'", "''") + "'"
    if t == T_DBL:
        return repr(float(v))
    return str(v)


def random_value(rnd, col):
    if col.nullable and rnd.random() < 0.15:
        return None
    t = col.t
    if t == T_INT:
        r = rnd.random()
        if r < 0.75:
            return rnd.randint(-12, 12)
        if r < 0.97:
            return rnd.randint(-1000, 1000)
        if col.floe_type == "BIGINT":
            return rnd.choice([2 ** 40, -(2 ** 40), 10 ** 12, -(10 ** 9), 2 ** 31])
        return rnd.choice([2147483647, -2147483648, 10 ** 6, -(10 ** 6)])
    if t == T_DBL:
        if rnd.random() < 0.9:
            return rnd.randint(-80, 80) / 4
        return rnd.choice([1e10, -1e10, 0.5, 1e-3, 123456.25])
    if t == T_DEC:
        p, s = col.prec
        # Magnitudes stay below 10^9 so that products fit DECIMAL(38) in both engines.
        whole = rnd.choice([rnd.randint(0, 99), rnd.randint(0, 10 ** min(p - s, 9) - 1)])
        frac = rnd.randint(0, 10 ** s - 1) if s else 0
        v = D(whole) + (D(frac) / (D(10) ** s) if s else 0)
        if rnd.random() < 0.4:
            v = -v
        return v.quantize(D(1).scaleb(-s)) if s else D(int(v))
    if t == T_STR:
        return rnd.choice(STRINGS)
    if t == T_DATE:
        base = datetime.date(2024, 1, 1)
        if rnd.random() < 0.1:
            return rnd.choice(["1970-01-01", "2000-02-29", "2024-02-29", "1999-12-31"])
        return (base + datetime.timedelta(days=rnd.randint(-400, 400))).isoformat()
    if t == T_BOOL:
        return rnd.random() < 0.5
    raise AssertionError(t)


COLUMN_TYPES = [
    (T_INT, "INT", "BIGINT"), (T_INT, "BIGINT", "BIGINT"), (T_DBL, "DOUBLE", "DOUBLE"),
    (T_DEC, "DECIMAL(10,2)", "DECIMAL(10,2)"), (T_DEC, "DECIMAL(6,3)", "DECIMAL(6,3)"),
    (T_DEC, "DECIMAL(18,0)", "DECIMAL(18,0)"), (T_DEC, "DECIMAL(20,4)", "DECIMAL(20,4)"),
    (T_STR, "VARCHAR(20)", "VARCHAR"), (T_STR, "VARCHAR(20)", "VARCHAR"), (T_DATE, "DATE", "DATE"),
    (T_BOOL, "BOOLEAN", "BOOLEAN"),
]


def random_tables(rnd, count):
    tables = []
    for i in range(count):
        ncols = rnd.randint(2, 5)
        model = rnd.choice(["plain", "plain", "dup", "dup", "pk"])
        cols = []
        for j in range(ncols):
            if j == 0 and model != "plain":
                t, ft, dt = rnd.choice([(T_INT, "INT", "BIGINT"), (T_INT, "BIGINT", "BIGINT")])
            else:
                t, ft, dt = rnd.choice(COLUMN_TYPES)
            col = Col(f"c{j}", t, ft, dt, nullable=not (j == 0 and model == "pk"))
            if t == T_DEC:
                p, s = (int(x) for x in re.findall(r"\d+", ft))
                col.prec = (p, s)
            cols.append(col)
        nrows = rnd.choice([0, 1, 2, 3, 5, 8, 10, 12, 15, 20])
        rows = []
        seen_keys = set()
        for _ in range(nrows * 2):
            if len(rows) >= nrows:
                break
            row = [random_value(rnd, c) for c in cols]
            if model == "pk":
                if row[0] in seen_keys:
                    continue
                seen_keys.add(row[0])
            rows.append(row)
        splits = sorted(rnd.sample(range(1, len(rows)), min(rnd.randint(0, 2), max(len(rows) - 1, 0)))) if len(rows) > 1 else []
        tables.append(Table(f"t{i}", cols, rows, model, rnd.randint(1, 4), splits))
    return tables


# ---------------------------------------------------------------------------------------------
# Expressions: a small typed AST rendered for Floe ('f') and for DuckDB ('k').

AGGS = {"count_star", "count", "sum", "min", "max", "avg"}
CMP = {"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


class N:
    """An expression node: op, result type t, children kids, payload v."""

    def __init__(self, op, t, kids=(), v=None):
        self.op, self.t, self.kids, self.v = op, t, list(kids), v

    def has_agg(self):
        return self.op in AGGS or any(k.has_agg() for k in self.kids)

    def has_window(self):
        return self.op == "win" or any(k.has_window() for k in self.kids)

    def approx(self):
        return self.op in ("div", "avg") or any(k.approx() for k in self.kids)


def lit(t, v):
    return N("lit", t, v=v)


NULL_TYPES = {T_INT: "BIGINT", T_DBL: "DOUBLE", T_DEC: "DECIMAL(10,2)", T_STR: "VARCHAR", T_DATE: "DATE",
              T_BOOL: "BOOLEAN"}


def render_lit(n, d):
    v, t = n.v, n.t
    if v is None:
        return f"CAST(NULL AS {NULL_TYPES[t]})"
    if t == T_INT:
        return str(v) if v >= 0 else f"({v})"
    if t == T_DBL:
        return f"CAST({float(v)!r} AS DOUBLE)"
    if t == T_DEC:
        return str(v) if v >= 0 else f"({v})"
    if t == T_STR:
        return "'" + v.replace("'", "''") + "'"
    if t == T_DATE:
        return f"DATE '{v}'"
    if t == T_BOOL:
        return "TRUE" if v else "FALSE"
    raise AssertionError(t)


def widen(x, d, scale):
    """DuckDB types the result of LEAST/COALESCE/CASE over DECIMAL(38, s) and a DECIMAL of a larger
    scale as DECIMAL(38, s), cutting digits (MySQL keeps them): its side casts every argument to
    DECIMAL(38, the largest scale) first."""
    if d == "k" and x.t in (T_DEC, T_INT):
        return f"CAST({R(x, d)} AS DECIMAL(38,{scale}))"
    return R(x, d)


def R(n, d):
    """Renders node n for dialect d ('f' Floe, 'k' DuckDB)."""
    op, k = n.op, n.kids
    if d == "k" and n.t == T_DEC and op in ("case", "if", "greatest", "least") or (
            d == "k" and n.t == T_DEC and op == "fn" and n.v in ("coalesce", "nullif")):
        return render_widened(n, d)
    if op == "col":
        return f"{n.v[0]}.{n.v[1]}"
    if op == "lit":
        return render_lit(n, d)
    if op in ("add", "sub", "mul") and d == "k" and T_DBL not in (k[0].t, k[1].t) and T_DEC in (k[0].t, k[1].t):
        # DuckDB computes DECIMAL(18) values in 64 bits and fails on overflow; MySQL has 65 digits.
        sym = {"add": "+", "sub": "-", "mul": "*"}[op]
        return (f"(CAST({R(k[0], d)} AS DECIMAL(38,{dec_scale(k[0])})) {sym} "
                f"CAST({R(k[1], d)} AS DECIMAL(38,{dec_scale(k[1])})))")
    if op in ("add", "sub", "mul"):
        sym = {"add": "+", "sub": "-", "mul": "*"}[op]
        return f"({R(k[0], d)} {sym} {R(k[1], d)})"
    if op == "div":
        return f"({R(k[0], d)} / {R(k[1], d)})" if d == "f" else f"({R(k[0], d)} / NULLIF({R(k[1], d)}, 0))"
    if op == "idiv":
        return f"({R(k[0], d)} DIV {R(k[1], d)})" if d == "f" else f"({R(k[0], d)} // NULLIF({R(k[1], d)}, 0))"
    if op == "mod":
        return f"({R(k[0], d)} % {R(k[1], d)})" if d == "f" else f"({R(k[0], d)} % NULLIF({R(k[1], d)}, 0))"
    if op == "neg":
        return f"(- {R(k[0], d)})"
    if op in CMP:
        return f"({R(k[0], d)} {CMP[op]} {R(k[1], d)})"
    if op == "nseq":
        return f"({R(k[0], d)} <=> {R(k[1], d)})" if d == "f" else f"({R(k[0], d)} IS NOT DISTINCT FROM {R(k[1], d)})"
    if op in ("and", "or"):
        return f"({R(k[0], d)} {op.upper()} {R(k[1], d)})"
    if op == "not":
        return f"(NOT {R(k[0], d)})"
    if op == "isnull":
        return f"({R(k[0], d)} IS NULL)"
    if op == "isnotnull":
        return f"({R(k[0], d)} IS NOT NULL)"
    if op == "istrue":
        return f"({R(k[0], d)} IS {'NOT ' if n.v else ''}TRUE)"
    if op == "between":
        return f"({R(k[0], d)} {'NOT ' if n.v else ''}BETWEEN {R(k[1], d)} AND {R(k[2], d)})"
    if op == "in":
        return f"({R(k[0], d)} {'NOT ' if n.v else ''}IN ({', '.join(R(x, d) for x in k[1:])}))"
    if op == "like":
        return f"({R(k[0], d)} {'NOT ' if n.v else ''}LIKE {R(k[1], d)})"
    if op == "case":
        parts = ["CASE"]
        body = k[:-1] if n.v else k
        for i in range(0, len(body), 2):
            parts.append(f"WHEN {R(body[i], d)} THEN {R(body[i + 1], d)}")
        if n.v:
            parts.append(f"ELSE {R(k[-1], d)}")
        parts.append("END")
        return "(" + " ".join(parts) + ")"
    if op == "if":
        if d == "f":
            return f"IF({R(k[0], d)}, {R(k[1], d)}, {R(k[2], d)})"
        return f"(CASE WHEN {R(k[0], d)} THEN {R(k[1], d)} ELSE {R(k[2], d)} END)"
    if op == "concat":
        if d == "f":
            return f"concat({', '.join(R(x, d) for x in k)})"
        return "(" + " || ".join(R(x, d) for x in k) + ")"
    if op in ("greatest", "least"):
        inner = f"{op}({', '.join(R(x, d) for x in k)})"
        if d == "f":
            return inner
        nulls = " OR ".join(f"{R(x, d)} IS NULL" for x in k)
        return f"(CASE WHEN {nulls} THEN NULL ELSE {inner} END)"
    if op == "datediff":
        if d == "f":
            return f"datediff({R(k[0], d)}, {R(k[1], d)})"
        return f"datediff('day', {R(k[1], d)}, {R(k[0], d)})"
    if op == "dateadd":
        if d == "f":
            return f"({R(k[0], d)} + INTERVAL {n.v} DAY)"
        return f"CAST({R(k[0], d)} + INTERVAL ({n.v}) DAY AS DATE)"
    if op == "cast":
        target = {("f", T_DBL): "DOUBLE", ("k", T_DBL): "DOUBLE", ("f", T_STR): "CHAR", ("k", T_STR): "VARCHAR",
                  ("f", T_DEC): "DECIMAL(30,2)", ("k", T_DEC): "DECIMAL(30,2)", ("f", T_INT): "SIGNED",
                  ("k", T_INT): "BIGINT"}[(d, n.t)]
        return f"CAST({R(k[0], d)} AS {target})"
    if op == "fn":
        return f"{n.v}({', '.join(R(x, d) for x in k)})"
    if op == "count_star":
        return "count(*)"
    if op in AGGS:
        return f"{op}({'DISTINCT ' if n.v else ''}{R(k[0], d)})"
    if op == "win":
        fname, nparts, orders = n.v
        args = ", ".join(R(x, d) for x in k[:len(k) - nparts - len(orders)])
        parts = k[len(k) - nparts - len(orders):len(k) - len(orders)]
        okeys = k[len(k) - len(orders):]
        spec = []
        if parts:
            spec.append("PARTITION BY " + ", ".join(R(x, d) for x in parts))
        if okeys:
            spec.append("ORDER BY " + ", ".join(order_key(R(x, d), desc, nf, explicit, d)
                                                for x, (desc, nf, explicit) in zip(okeys, orders)))
        call = "count(*)" if fname == "count_star" else f"{fname}({args})"
        return f"{call} OVER ({' '.join(spec)})"
    if op == "scalar":
        if getattr(n, "wrap", False):
            return f"coalesce(({render_query(n.v, d)}))"
        return f"({render_query(n.v, d)})"
    if op == "exists":
        return f"({'NOT ' if n.v[1] else ''}EXISTS ({render_query(n.v[0], d)}))"
    if op == "insub":
        return f"({R(k[0], d)} {'NOT ' if n.v[1] else ''}IN ({render_query(n.v[0], d)}))"
    if op == "quant":
        q, cmp, quant = n.v
        return f"({R(k[0], d)} {CMP[cmp]} {quant} ({render_query(q, d)}))"
    raise AssertionError(op)


def render_widened(n, d):
    op, k = n.op, n.kids
    if op == "case":
        values = [k[i] for i in range(1, len(k) - (1 if n.v else 0), 2)] + ([k[-1]] if n.v else [])
    elif op == "if":
        values = k[1:]
    else:
        values = k
    scale = max([dec_scale(x) for x in values] or [0])
    w = lambda x: widen(x, d, scale)  # noqa: E731
    if op == "case":
        parts = ["CASE"]
        body = k[:-1] if n.v else k
        for i in range(0, len(body), 2):
            parts.append(f"WHEN {R(body[i], d)} THEN {w(body[i + 1])}")
        if n.v:
            parts.append(f"ELSE {w(k[-1])}")
        return "(" + " ".join(parts) + " END)"
    if op == "if":
        return f"(CASE WHEN {R(k[0], d)} THEN {w(k[1])} ELSE {w(k[2])} END)"
    if op in ("greatest", "least"):
        nulls = " OR ".join(f"{R(x, d)} IS NULL" for x in k)
        return f"(CASE WHEN {nulls} THEN NULL ELSE {op}({', '.join(w(x) for x in k)}) END)"
    return f"{n.v}({', '.join(w(x) for x in k)})"


def dec_scale(n):
    """The scale of a DECIMAL (or integer) expression, as MySQL types it."""
    op, k = n.op, n.kids
    if n.t != T_DEC:
        return 0
    if op == "col":
        return getattr(n, "scale", 2)
    if op == "lit":
        if n.v is None:
            return 2
        t = str(n.v)
        return len(t.split(".")[1]) if "." in t else 0
    if op in ("add", "sub"):
        return max(dec_scale(k[0]), dec_scale(k[1]))
    if op == "mul":
        return dec_scale(k[0]) + dec_scale(k[1])
    if op == "cast":
        return 2
    if op == "fn" and n.v in ("floor", "ceil"):
        return 0
    if op == "fn" and n.v == "round":
        return max(dec_scale(k[0]), k[1].v or 0)
    if op == "scalar":
        return dec_scale(n.v.items[0])
    if op == "win":
        return max([dec_scale(x) for x in k] or [0])
    return max([dec_scale(x) for x in k] or [2])


def order_key(text, desc, nulls_first, explicit, d):
    s = text + (" DESC" if desc else "")
    if d == "k" or explicit:
        s += " NULLS FIRST" if nulls_first else " NULLS LAST"
    return s


# ---------------------------------------------------------------------------------------------
# Queries


class Source:
    """A FROM item: ('table', name, alias), ('derived', Q, alias), ('join', kind, left, right, on)."""

    def __init__(self, kind, **kw):
        self.kind = kind
        self.__dict__.update(kw)


class Q:
    def __init__(self):
        self.ctes = []  # (name, Q)
        self.distinct = False
        self.items = []  # N
        self.from_ = None
        self.where = None
        self.group = []  # N
        self.having = None
        self.order = []  # (position 1-based, desc, nulls_first, explicit)
        self.limit = None
        self.offset = None
        self.setop = None  # (op, all, Q)
        self.tlp_pred = None

    def types(self):
        return [i.t for i in self.items]


def render_source(s, d):
    if s.kind == "table":
        return f"{s.name} AS {s.alias}"
    if s.kind == "derived":
        return f"({render_query(s.q, d, aliases=True)}) AS {s.alias}"
    if s.kind == "join":
        # CROSS JOIN, not a comma: in MySQL a comma binds weaker than JOIN, so `a, b JOIN c ON
        # a.x = c.x` cannot see a in the ON clause (DuckDB can).
        kw = {"inner": "JOIN", "left": "LEFT JOIN", "cross": "CROSS JOIN"}[s.jt]
        right = render_source(s.right, d)
        if s.right.kind == "join":
            right = f"({right})"
        on = f" ON {R(s.on, d)}" if s.jt != "cross" else ""
        return f"{render_source(s.left, d)} {kw} {right}{on}"
    raise AssertionError(s.kind)


def render_query(q, d, aliases=False, with_order=True):
    parts = []
    if q.ctes:
        parts.append("WITH " + ", ".join(f"{name} AS ({render_query(cq, d, aliases=True)})" for name, cq in q.ctes))
    scales = None
    if q.setop and d == "k":
        right = q.setop[2]
        scales = [max(dec_scale(a), dec_scale(b)) if T_DEC in (a.t, b.t) else 0
                  for a, b in zip(q.items, right.items)]
    parts.append(render_body(q, d, aliases, scales))
    if q.setop:
        op, all_, right = q.setop
        parts.append(f"{op}{' ALL' if all_ else ''} {render_body(right, d, aliases, scales)}")
    if with_order and q.order:
        parts.append("ORDER BY " + ", ".join(order_key(str(p), desc, nf, explicit, d)
                                             for p, desc, nf, explicit in q.order))
    if with_order and q.limit is not None:
        parts.append(f"LIMIT {q.limit}" + (f" OFFSET {q.offset}" if q.offset else ""))
    return " ".join(parts)


def render_body(q, d, aliases, scales=None):
    if scales:
        items = ", ".join((widen(it, d, scales[i]) if it.t in (T_DEC, T_INT) and scales[i] else R(it, d)) +
                          (f" AS x{i}" if aliases else "") for i, it in enumerate(q.items))
    else:
        items = ", ".join(R(it, d) + (f" AS x{i}" if aliases else "") for i, it in enumerate(q.items))
    s = f"SELECT {'DISTINCT ' if q.distinct else ''}{items}"
    if q.from_ is not None:
        s += " FROM " + render_source(q.from_, d)
    if q.where is not None:
        s += " WHERE " + R(q.where, d)
    if q.group:
        s += " GROUP BY " + ", ".join(R(g, d) for g in q.group)
    if q.having is not None:
        s += " HAVING " + R(q.having, d)
    return s


def walk_nodes(obj):
    """Every expression node of a query (or node, or source), depth first, in a fixed order."""
    if isinstance(obj, N):
        yield obj
        for k in obj.kids:
            yield from walk_nodes(k)
        if obj.op in ("scalar",):
            yield from walk_nodes(obj.v)
        elif obj.op in ("exists", "insub", "quant"):
            yield from walk_nodes(obj.v[0])
    elif isinstance(obj, Q):
        for _, cq in obj.ctes:
            yield from walk_nodes(cq)
        for it in obj.items:
            yield from walk_nodes(it)
        if obj.from_ is not None:
            yield from walk_nodes(obj.from_)
        for x in (obj.where, obj.having, obj.tlp_pred):
            if x is not None:
                yield from walk_nodes(x)
        for g in obj.group:
            yield from walk_nodes(g)
        if obj.setop:
            yield from walk_nodes(obj.setop[2])
    elif isinstance(obj, Source):
        if obj.kind == "derived":
            yield from walk_nodes(obj.q)
        elif obj.kind == "join":
            yield from walk_nodes(obj.left)
            yield from walk_nodes(obj.right)
            if obj.on is not None:
                yield from walk_nodes(obj.on)


def walk_queries(obj):
    """Every query (top level, CTEs, derived tables, subqueries, set operation sides)."""
    if isinstance(obj, Q):
        yield obj
        for _, cq in obj.ctes:
            yield from walk_queries(cq)
        if obj.from_ is not None:
            yield from walk_queries(obj.from_)
        for x in [*obj.items, obj.where, obj.having, obj.tlp_pred, *obj.group]:
            if x is not None:
                yield from walk_queries(x)
        if obj.setop:
            yield from walk_queries(obj.setop[2])
    elif isinstance(obj, N):
        if obj.op == "scalar":
            yield from walk_queries(obj.v)
        elif obj.op in ("exists", "insub", "quant"):
            yield from walk_queries(obj.v[0])
        for k in obj.kids:
            yield from walk_queries(k)
    elif isinstance(obj, Source):
        if obj.kind == "derived":
            yield from walk_queries(obj.q)
        elif obj.kind == "join":
            yield from walk_queries(obj.left)
            yield from walk_queries(obj.right)
            if obj.on is not None:
                yield from walk_queries(obj.on)


def tables_used(q):
    names = set()

    def visit_source(s):
        if s.kind == "table":
            names.add(s.name)
        elif s.kind == "join":
            visit_source(s.left)
            visit_source(s.right)

    for sub in walk_queries(q):
        if sub.from_ is not None:
            visit_source(sub.from_)
    return names


# ---------------------------------------------------------------------------------------------
# The generator


KNOWN_BUGS = {
    "paren-subquery": "a parenthesized expression starting with a scalar subquery, ((SELECT ...) + 1), "
                      "is a syntax error: scalar subqueries are written coalesce((SELECT ...))",
    "deep-correlation": "a subquery reads columns of its own enclosing query only, not of queries further out "
                        "(Floe reports them as unknown columns)",
    "correlated-in-lhs": "the left side of IN (subquery) inside a subquery reads no column of the enclosing "
                         "query (the server crashes)",
    "decimal-round": "no ROUND of DECIMAL (Floe rounds DECIMAL through DOUBLE)",
    "window-in-subquery-lhs": "no window function on the left of IN/ANY (subquery) (the server crashes)",
    "correlated-any": "= ANY / <> ALL (and other quantified) subqueries are uncorrelated (a correlated = ANY "
                      "crashes the server)",
    "floor-ceil": "no FLOOR/CEIL of DOUBLE or DECIMAL (Floe goes through DOUBLE to BIGINT: NULL beyond 9.2e18, "
                  "digits lost beyond 2^53)",
}


class Gen:
    def __init__(self, rnd, tables, allow_windows=True, avoid=()):
        self.rnd = rnd
        self.tables = tables
        self.alias_counter = 0
        self.allow_windows = allow_windows
        self.avoid = set(avoid)
        self.scales = {}  # (alias, column) -> DECIMAL scale

    def outer_scope(self, scope, ctx):
        """The columns a subquery generated here may correlate with."""
        if "deep-correlation" in self.avoid and ctx.get("local") is not None:
            return [c for c in scope if c[0] in ctx["local"]]
        return scope + ctx.get("outer", [])

    def alias(self, prefix="a"):
        self.alias_counter += 1
        return f"{prefix}{self.alias_counter}"

    def pick_type(self):
        return self.rnd.choice([T_INT, T_INT, T_INT, T_DBL, T_DEC, T_DEC, T_STR, T_STR, T_DATE, T_BOOL])

    # -- leaves

    def literal(self, t):
        rnd = self.rnd
        if rnd.random() < 0.05:
            return lit(t, None)
        if t == T_INT:
            return lit(t, rnd.choice([0, 1, 2, 3, -1, 5, 10, rnd.randint(-20, 20), rnd.randint(-1000, 1000)]))
        if t == T_DBL:
            return lit(t, rnd.randint(-40, 40) / 4)
        if t == T_DEC:
            return lit(t, D(rnd.randint(-9999, 9999)) / 100)
        if t == T_STR:
            return lit(t, rnd.choice(STRINGS))
        if t == T_DATE:
            return lit(t, (datetime.date(2024, 1, 1) + datetime.timedelta(days=rnd.randint(-400, 400))).isoformat())
        if t == T_BOOL:
            return lit(t, rnd.random() < 0.5)
        raise AssertionError(t)

    def column(self, t, scope):
        cands = [c for c in scope if (c[2] == t if t != "num" else c[2] in NUM)]
        if not cands:
            return None
        a, name, ct = self.rnd.choice(cands)
        return self.col_node(a, name, ct)

    def any_column(self, scope):
        a, name, ct = self.rnd.choice(scope)
        return self.col_node(a, name, ct)

    def col_node(self, alias, name, t):
        n = N("col", t, v=(alias, name))
        n.scale = self.scales.get((alias, name), 0)
        return n

    def leaf(self, t, scope, ctx):
        if ctx.get("keys") is not None:  # aggregate context: group keys, literals, aggregates
            keys = [k for k in ctx["keys"] if (k.t == t if t != "num" else k.t in NUM)]
            if keys and self.rnd.random() < 0.6:
                return copy.deepcopy(self.rnd.choice(keys))
            return self.literal(t if t != "num" else T_INT)
        if self.rnd.random() < 0.8:
            c = self.column(t, scope)
            if c is not None:
                return c
        return self.literal(t if t != "num" else self.rnd.choice(NUM))

    # -- expressions

    def expr(self, t, scope, depth, ctx):
        """A node of type t ('num': any numeric) over `scope` ((alias, column, type) triples).

        ctx: keys (aggregate context: the GROUP BY keys), outer (scope of enclosing queries),
        nest (subquery depth)."""
        rnd = self.rnd
        if t == "num":
            t = rnd.choice([T_INT, T_INT, T_DBL, T_DEC])
        if ctx.get("keys") is not None and rnd.random() < 0.45:
            return self.aggregate(t, scope, depth, ctx)
        if depth <= 0 or rnd.random() < 0.25:
            return self.leaf(t, scope, ctx)
        d = depth - 1
        choice = rnd.random()
        if choice < 0.12:
            return self.conditional(t, scope, d, ctx)
        if choice < 0.15 and ctx.get("window_ok") and self.allow_windows and t in (T_INT, T_DEC, T_STR, T_DATE):
            return self.window(t, scope, ctx)
        if choice < 0.16 and ctx.get("nest", 0) < 2 and t != T_BOOL and not ctx.get("keys") is not None:
            return self.scalar_subquery(t, scope, ctx)
        if t == T_BOOL:
            return self.predicate(scope, d, ctx)
        if t == T_INT:
            return self.int_expr(scope, d, ctx)
        if t == T_DBL:
            return self.dbl_expr(scope, d, ctx)
        if t == T_DEC:
            return self.dec_expr(scope, d, ctx)
        if t == T_STR:
            return self.str_expr(scope, d, ctx)
        if t == T_DATE:
            return self.date_expr(scope, d, ctx)
        raise AssertionError(t)

    def conditional(self, t, scope, d, ctx):
        rnd = self.rnd
        kind = rnd.choice(["case", "case", "coalesce", "if", "nullif", "greatest"])
        if kind == "case":
            n = rnd.randint(1, 2)
            kids = []
            for _ in range(n):
                kids += [self.predicate(scope, d, ctx), self.expr(t, scope, d, ctx)]
            has_else = rnd.random() < 0.7
            if has_else:
                kids.append(self.expr(t, scope, d, ctx))
            return N("case", t, kids, v=has_else)
        if kind == "coalesce":
            return N("fn", t, [self.expr(t, scope, d, ctx) for _ in range(rnd.randint(1, 3))], v="coalesce")
        if kind == "if":
            return N("if", t, [self.predicate(scope, d, ctx), self.expr(t, scope, d, ctx), self.expr(t, scope, d, ctx)])
        if kind == "nullif" and t != T_BOOL:
            return N("fn", t, [self.expr(t, scope, d, ctx), self.expr(t, scope, d, ctx)], v="nullif")
        if t in (T_BOOL,):
            return self.predicate(scope, d, ctx)
        return N(rnd.choice(["greatest", "least"]), t, [self.expr(t, scope, d, ctx) for _ in range(rnd.randint(2, 3))])

    def int_expr(self, scope, d, ctx):
        rnd = self.rnd
        c = rnd.randint(0, 11)
        if c <= 2:
            return N(rnd.choice(["add", "sub", "mul"]), T_INT, [self.expr(T_INT, scope, d, ctx), self.expr(T_INT, scope, d, ctx)])
        if c == 3:
            return N(rnd.choice(["idiv", "mod"]), T_INT, [self.expr(T_INT, scope, d, ctx), self.expr(T_INT, scope, d, ctx)])
        if c == 4:
            return N("neg", T_INT, [self.expr(T_INT, scope, d, ctx)])
        if c == 5:
            return N("fn", T_INT, [self.expr(T_INT, scope, d, ctx)], v="abs")
        if c == 6:
            return N("fn", T_INT, [self.expr(T_STR, scope, d, ctx)], v=rnd.choice(["length", "char_length"]))
        if c == 7:
            return N("fn", T_INT, [self.expr(T_DATE, scope, d, ctx)], v=rnd.choice(["year", "month", "day"]))
        if c == 8:
            return N("datediff", T_INT, [self.expr(T_DATE, scope, d, ctx), self.expr(T_DATE, scope, d, ctx)])
        if c == 9:
            return N("cast", T_INT, [self.expr(T_BOOL, scope, d, ctx)])
        if c == 10 and self.allow_windows and ctx.get("window_ok"):
            return self.window(T_INT, scope, ctx)

        return N("fn", T_INT, [self.expr(T_INT, scope, d, ctx)], v="sign")

    def dbl_expr(self, scope, d, ctx):
        rnd = self.rnd
        c = rnd.randint(0, 5)
        if c <= 2:
            return N(rnd.choice(["add", "sub", "mul"]), T_DBL,
                     [self.expr(T_DBL, scope, d, ctx), self.expr(rnd.choice([T_DBL, T_INT]), scope, d, ctx)])
        if c == 3:
            return N("cast", T_DBL, [self.expr(rnd.choice([T_INT, T_DEC]), scope, d, ctx)])
        if c == 4:
            fns = ["abs"] if "floor-ceil" in self.avoid else ["abs", "floor", "ceil"]
            return N("fn", T_DBL, [self.expr(T_DBL, scope, d, ctx)], v=rnd.choice(fns))
        return N("neg", T_DBL, [self.expr(T_DBL, scope, d, ctx)])

    def dec_expr(self, scope, d, ctx):
        rnd = self.rnd
        c = rnd.randint(0, 6)
        if c <= 2:
            op = rnd.choice(["add", "sub", "mul"])
            return N(op, T_DEC, [self.expr(T_DEC, scope, d, ctx), self.expr(rnd.choice([T_DEC, T_INT]), scope, d, ctx)])
        if c == 3:
            return N("cast", T_DEC, [self.expr(T_INT, scope, d, ctx)])
        if c == 4:
            if "decimal-round" in self.avoid:
                return N("fn", T_DEC, [self.expr(T_DEC, scope, d, ctx)], v="abs")
            return N("fn", T_DEC, [self.expr(T_DEC, scope, d, ctx), lit(T_INT, rnd.randint(0, 2))], v="round")
        if c == 5:
            fns = ["abs"] if "floor-ceil" in self.avoid else ["abs", "floor", "ceil"]
            return N("fn", T_DEC, [self.expr(T_DEC, scope, d, ctx)], v=rnd.choice(fns))
        return N("neg", T_DEC, [self.expr(T_DEC, scope, d, ctx)])

    def str_expr(self, scope, d, ctx):
        rnd = self.rnd
        c = rnd.randint(0, 10)
        s = lambda: self.expr(T_STR, scope, d, ctx)  # noqa: E731
        if c == 0:
            return N("fn", T_STR, [s()], v=rnd.choice(["upper", "lower"]))
        if c == 1:
            return N("concat", T_STR, [s() for _ in range(rnd.randint(2, 3))])
        if c == 2:
            return N("fn", T_STR, [s(), lit(T_INT, rnd.randint(1, 4)), lit(T_INT, rnd.randint(0, 4))], v="substr")
        if c == 3:
            return N("fn", T_STR, [s(), lit(T_STR, rnd.choice(["a", "b", "ab"])), lit(T_STR, rnd.choice(["", "z", "xy"]))], v="replace")
        if c == 4:
            return N("fn", T_STR, [s()], v="reverse")
        if c == 5:
            return N("fn", T_STR, [s(), lit(T_INT, rnd.randint(0, 4))], v=rnd.choice(["left", "right"]))
        if c == 6:
            return N("fn", T_STR, [s(), lit(T_INT, rnd.randint(0, 6)), lit(T_STR, rnd.choice(["x", "_", "ab"]))], v=rnd.choice(["lpad", "rpad"]))
        if c == 7:
            return N("cast", T_STR, [self.expr(rnd.choice([T_INT, T_DATE]), scope, d, ctx)])
        if c == 8:
            return N("fn", T_STR, [s()], v="trim")
        return N("concat", T_STR, [s(), lit(T_STR, rnd.choice(STRINGS))])

    def date_expr(self, scope, d, ctx):
        return N("dateadd", T_DATE, [self.expr(T_DATE, scope, d, ctx)], v=self.rnd.randint(-40, 40))

    def predicate(self, scope, depth, ctx):
        rnd = self.rnd
        if depth <= 0:
            c = rnd.randint(0, 3)
        else:
            c = rnd.randint(0, 13)
        d = max(depth - 1, 0)
        if c == 0 or c == 4:
            t = self.pick_type()
            if t == T_BOOL and rnd.random() < 0.5:
                return self.leaf(T_BOOL, scope, ctx)
            return N(rnd.choice(list(CMP)), T_BOOL, [self.expr(t, scope, d, ctx), self.expr(category(t) if t in NUM else t, scope, d, ctx)])
        if c == 1:
            return N(rnd.choice(["isnull", "isnotnull"]), T_BOOL, [self.expr(self.pick_type(), scope, d, ctx)])
        if c == 2:
            return self.leaf(T_BOOL, scope, ctx)
        if c == 3:
            t = self.pick_type()
            return N("nseq", T_BOOL, [self.expr(t, scope, d, ctx), self.expr(category(t) if t in NUM else t, scope, d, ctx)])
        if c in (5, 6):
            return N(rnd.choice(["and", "or"]), T_BOOL, [self.predicate(scope, d, ctx), self.predicate(scope, d, ctx)])
        if c == 7:
            return N("not", T_BOOL, [self.predicate(scope, d, ctx)])
        if c == 8:
            t = rnd.choice([T_INT, T_DEC, T_DBL, T_STR, T_DATE])
            return N("between", T_BOOL, [self.expr(t, scope, d, ctx), self.expr(category(t) if t in NUM else t, scope, d, ctx),
                                         self.expr(category(t) if t in NUM else t, scope, d, ctx)], v=rnd.random() < 0.3)
        if c == 9:
            t = rnd.choice([T_INT, T_DEC, T_STR, T_DATE, T_DBL])
            kids = [self.expr(t, scope, d, ctx)] + [self.literal(t) if rnd.random() < 0.7 else self.expr(t, scope, d, ctx)
                                                   for _ in range(rnd.randint(1, 4))]
            return N("in", T_BOOL, kids, v=rnd.random() < 0.3)
        if c == 10:
            pat = "".join(rnd.choice(["a", "b", "%", "_", "c", "1", "%"]) for _ in range(rnd.randint(0, 4)))
            return N("like", T_BOOL, [self.expr(T_STR, scope, d, ctx), lit(T_STR, pat)], v=rnd.random() < 0.3)
        if c == 11 and ctx.get("nest", 0) < 2 and ctx.get("keys") is None:
            return self.subquery_predicate(scope, ctx)
        if c == 12:
            return N("istrue", T_BOOL, [self.predicate(scope, d, ctx)], v=rnd.random() < 0.5)
        return self.leaf(T_BOOL, scope, ctx)

    # -- aggregates and windows

    def aggregate(self, t, scope, depth, ctx):
        rnd = self.rnd
        inner = dict(ctx)
        inner["keys"] = None
        inner["window_ok"] = False
        if t == T_INT and rnd.random() < 0.5:
            if rnd.random() < 0.4:
                return N("count_star", T_INT)
            return N("count", T_INT, [self.expr(self.pick_type(), scope, min(depth, 1), inner)], v=rnd.random() < 0.3)
        if t == T_BOOL:
            return N(rnd.choice(list(CMP)), T_BOOL, [self.aggregate(T_INT, scope, depth, ctx), self.literal(T_INT)])
        if t in NUM and rnd.random() < 0.5:
            return N("sum", t, [self.expr(t, scope, min(depth, 1), inner)], v=rnd.random() < 0.15)
        return N(rnd.choice(["min", "max"]), t, [self.expr(t, scope, min(depth, 1), inner)], v=rnd.random() < 0.1)

    def window(self, t, scope, ctx):
        """A window function of result type t (integers: ranks and counts too)."""
        rnd = self.rnd
        inner = dict(ctx)
        inner["window_ok"] = False
        if t == T_INT:
            fname = rnd.choice(["rank", "dense_rank", "count_star", "count", "sum", "min", "max"])
        elif t == T_DEC:
            fname = rnd.choice(["sum", "min", "max"])
        else:
            fname = rnd.choice(["min", "max"])
        nparts = rnd.randint(0, 2)
        parts = [self.expr(self.pick_type(), scope, 0, inner) for _ in range(nparts)]
        norders = rnd.randint(1 if fname in ("rank", "dense_rank") else 0, 2)
        okeys = [self.expr(rnd.choice([T_INT, T_STR, T_DATE, T_DEC]), scope, 0, inner) for _ in range(norders)]
        orders = [(rnd.random() < 0.4, rnd.random() < 0.5, rnd.random() < 0.5) for _ in range(norders)]
        for i, (desc, _, explicit) in enumerate(orders):
            if not explicit:
                orders[i] = (desc, not desc, False)
        args = []
        if fname == "count":
            args = [self.expr(self.pick_type(), scope, 0, inner)]
        elif fname in ("sum", "min", "max"):
            args = [self.expr(t, scope, 0, inner)]
        return N("win", t, args + parts + okeys, v=(fname, nparts, orders))

    # -- subqueries

    def from_clause(self, ctx, depth, max_tables=3):
        rnd = self.rnd
        n = rnd.choices([1, 2, 3], weights=[55, 35, 10])[0] if max_tables > 1 else 1
        src, scope = self.source(ctx, depth)
        for _ in range(n - 1):
            right, rscope = self.source(ctx, depth)
            jt = rnd.choice(["inner", "inner", "left", "left", "cross"])
            on = None
            if jt != "cross":
                pairs = [(a, b) for a in scope for b in rscope if compatible(a[2], b[2]) and a[2] != T_BOOL]
                conds = []
                if pairs and rnd.random() < 0.85:
                    a, b = rnd.choice(pairs)
                    conds.append(N("eq", T_BOOL, [self.col_node(*a), self.col_node(*b)]))
                if not conds or rnd.random() < 0.3:
                    conds.append(self.predicate(scope + rscope, 1, dict(ctx, nest=max(ctx.get("nest", 0), 2))))
                on = conds[0] if len(conds) == 1 else N("and", T_BOOL, conds)
            src = Source("join", jt=jt, left=src, right=right, on=on)
            scope = scope + rscope
        return src, scope

    def source(self, ctx, depth):
        rnd = self.rnd
        r = rnd.random()
        if r < 0.15 and depth < 1:
            sub = self.simple_query(dict(ctx, outer=[], nest=ctx.get("nest", 0) + 1), depth + 1)
            alias = self.alias("d")
            for i, it in enumerate(sub.items):
                self.scales[(alias, f"x{i}")] = dec_scale(it)
            return Source("derived", q=sub, alias=alias), [(alias, f"x{i}", it.t) for i, it in enumerate(sub.items)]
        if r < 0.22 and depth < 1 and ctx.get("ctes") is not None:
            sub = self.simple_query(dict(ctx, outer=[], nest=ctx.get("nest", 0) + 1), depth + 1)
            name = f"cte{len(ctx['ctes'])}"
            ctx["ctes"].append((name, sub))
            alias = self.alias()
            for i, it in enumerate(sub.items):
                self.scales[(alias, f"x{i}")] = dec_scale(it)
            return Source("table", name=name, alias=alias), [(alias, f"x{i}", it.t) for i, it in enumerate(sub.items)]
        t = rnd.choice(self.tables)
        alias = self.alias()
        for c in t.cols:
            self.scales[(alias, c.name)] = c.prec[1] if c.t == T_DEC else 0
        return Source("table", name=t.name, alias=alias), [(alias, c.name, c.t) for c in t.cols]

    def simple_query(self, ctx, depth):
        """A derived table or CTE body: plain, DISTINCT or grouped, no ORDER BY."""
        rnd = self.rnd
        q = Q()
        src, scope = self.source(dict(ctx, ctes=None), depth)
        q.from_ = src
        if rnd.random() < 0.5:
            q.where = self.predicate(scope, 2, ctx)
        if rnd.random() < 0.3:
            keys = [self.any_column(scope)]
            q.group = keys
            q.items = [copy.deepcopy(keys[0])] + [self.aggregate(rnd.choice([T_INT, T_DEC, T_STR]), scope, 1,
                                                                 dict(ctx, keys=keys))]
        else:
            q.items = [self.expr(self.pick_type(), scope, 1, ctx) for _ in range(rnd.randint(1, 3))]
            q.distinct = rnd.random() < 0.2
        return q

    def scalar_subquery(self, t, scope, ctx):
        rnd = self.rnd
        q = Q()
        inner_ctx = dict(ctx, nest=ctx.get("nest", 0) + 1, keys=None, window_ok=False, ctes=None)
        src, sscope = self.source(inner_ctx, 1)
        inner_ctx["local"] = {c[0] for c in sscope}
        q.from_ = src
        outer = self.outer_scope(scope, ctx)
        corr_scope = sscope + (outer if rnd.random() < 0.6 else [])
        if rnd.random() < 0.8:
            q.where = self.predicate(corr_scope, 1, dict(inner_ctx, outer=outer))
        if t == T_INT and rnd.random() < 0.5:
            q.items = [N("count_star", T_INT)]
        else:
            arg = self.column(t, sscope) or self.literal(t)
            q.items = [N(rnd.choice(["min", "max"]) if t not in NUM or rnd.random() < 0.6 else "sum", arg.t, [arg])]
            t = arg.t
        node = N("scalar", q.items[0].t, v=q)
        node.wrap = "paren-subquery" in self.avoid
        return node

    def subquery_predicate(self, scope, ctx):
        rnd = self.rnd
        q = Q()
        inner_ctx = dict(ctx, nest=ctx.get("nest", 0) + 1, keys=None, window_ok=False, ctes=None)
        src, sscope = self.source(inner_ctx, 1)
        inner_ctx["local"] = {c[0] for c in sscope}
        q.from_ = src
        outer = self.outer_scope(scope, ctx)
        if rnd.random() < 0.5:
            # EXISTS, usually correlated by an equality
            pairs = [(a, b) for a in sscope for b in outer if compatible(a[2], b[2]) and a[2] != T_BOOL]
            conds = []
            if pairs and rnd.random() < 0.8:
                a, b = rnd.choice(pairs)
                conds.append(N(rnd.choice(["eq", "eq", "lt", "ne"]), T_BOOL, [self.col_node(*a), self.col_node(*b)]))
            if not conds or rnd.random() < 0.5:
                conds.append(self.predicate(sscope, 1, dict(inner_ctx, outer=outer)))
            q.where = conds[0] if len(conds) == 1 else N("and", T_BOOL, conds)
            q.items = [lit(T_INT, 1)]
            return N("exists", T_BOOL, v=(q, rnd.random() < 0.4))
        t = rnd.choice([T_INT, T_INT, T_STR, T_DEC, T_DATE])
        col = self.column(t if t not in NUM else "num", sscope)
        if col is None:
            col = self.literal(t)
        q.items = [col]
        quantified = rnd.random() < 0.3
        if rnd.random() < 0.6:
            correlate = rnd.random() < 0.4 and not (quantified and "correlated-any" in self.avoid)
            corr = sscope + (outer if correlate else [])
            q.where = self.predicate(corr, 1, dict(inner_ctx, outer=outer if correlate else []))
        lhs_scope = scope
        if "correlated-in-lhs" in self.avoid and ctx.get("local") is not None:
            lhs_scope = [c for c in scope if c[0] in ctx["local"]] or scope[:0]
        if not lhs_scope:
            lhs = self.literal(col.t)
        else:
            lhs_ctx = dict(ctx, nest=ctx.get("nest", 0) + 1)
            if "window-in-subquery-lhs" in self.avoid:
                lhs_ctx["window_ok"] = False
            lhs = self.expr(category(col.t) if col.t in NUM else col.t, lhs_scope, 1, lhs_ctx)
        if quantified:
            return N("quant", T_BOOL, [lhs], v=(q, rnd.choice(list(CMP)), rnd.choice(["ANY", "ALL", "SOME"])))
        return N("insub", T_BOOL, [lhs], v=(q, rnd.random() < 0.35))

    # -- top level

    def query(self):
        rnd = self.rnd
        self.alias_counter = 0
        q = Q()
        ctx = {"nest": 0, "ctes": [], "outer": []}
        q.from_, scope = self.from_clause(ctx, 0)
        q.ctes = ctx["ctes"]
        ctx = {"nest": 0, "outer": []}
        if rnd.random() < 0.7:
            q.where = self.predicate(scope, rnd.randint(1, 3), ctx)
        shape = rnd.choices(["plain", "agg", "group"], weights=[55, 15, 30])[0]
        if shape == "plain":
            wctx = dict(ctx, window_ok=rnd.random() < 0.3)
            n = rnd.randint(1, 4)
            q.items = [self.expr(self.pick_type(), scope, rnd.randint(0, 3), wctx) for _ in range(n)]
            if rnd.random() < 0.1:
                q.items.append(N("div", T_DEC, [self.expr("num", scope, 1, ctx), self.expr("num", scope, 1, ctx)]))
            q.distinct = rnd.random() < 0.2
        else:
            keys = []
            if shape == "group":
                for _ in range(rnd.randint(1, 2)):
                    if rnd.random() < 0.75:
                        k = self.any_column(scope)
                    else:
                        k = self.expr(self.pick_type(), scope, 1, dict(ctx, nest=2))
                        if not any(n.op == "col" for n in walk_nodes(k)):
                            k = self.any_column(scope)  # a constant key would be a position
                    if not any(R(k, "f") == R(x, "f") for x in keys):
                        keys.append(k)
                q.group = keys
            actx = dict(ctx, keys=keys, nest=2)
            items = [copy.deepcopy(k) for k in keys if rnd.random() < 0.8]
            for _ in range(rnd.randint(1, 3)):
                t = self.pick_type()
                items.append(self.aggregate(t, scope, 1, actx) if rnd.random() < 0.7 else self.expr(t, scope, 1, actx))
            if rnd.random() < 0.1:
                items.append(N("avg", T_DEC, [self.expr("num", scope, 1, dict(ctx, nest=2))]))
            rnd.shuffle(items)
            q.items = items
            if shape == "group" and rnd.random() < 0.3:
                q.having = self.predicate(scope, 1, actx)
            q.distinct = rnd.random() < 0.1
        if rnd.random() < 0.08 and shape == "plain" and not q.distinct:
            self.add_setop(q, scope)
        if rnd.random() < 0.4 and not any(it.approx() for it in q.items):
            q.order = [(i + 1, rnd.random() < 0.4, False, rnd.random() < 0.5) for i in range(len(q.items))]
            rnd.shuffle(q.order)
            q.order = [(p, desc, (not desc) if not explicit else rnd.random() < 0.5, explicit)
                       for p, desc, _, explicit in q.order]
            if rnd.random() < 0.6:
                q.limit = rnd.randint(0, 10)
                if rnd.random() < 0.3:
                    q.offset = rnd.randint(1, 5)
        return q

    def add_setop(self, q, scope):
        rnd = self.rnd
        right = Q()
        src, rscope = self.from_clause({"nest": 0, "ctes": None, "outer": []}, 0, max_tables=1)
        right.from_ = src
        right.items = []
        for it in q.items:
            t = it.t
            right.items.append(self.expr(t if t not in NUM else "num", rscope, 1, {"nest": 1}))
            if right.items[-1].t not in NUM and t in NUM:
                right.items[-1] = self.literal(T_INT)
        if rnd.random() < 0.5:
            right.where = self.predicate(rscope, 1, {"nest": 1})
        for it in q.items:
            if it.has_window() or it.approx():
                return
        op = rnd.choice(["UNION", "UNION", "INTERSECT", "EXCEPT"])
        q.setop = (op, op == "UNION" and rnd.random() < 0.6, right)


# ---------------------------------------------------------------------------------------------
# Results


def canon(v, duck_type=None):
    """A comparable form of one value from either engine."""
    if v is None:
        return None
    if isinstance(v, bool):
        return ("n", D(int(v)))
    if isinstance(v, int):
        return ("n", D(v))
    if isinstance(v, float):
        if v != v:
            return ("x", "nan")
        if v in (float("inf"), float("-inf")):
            return ("x", "inf" if v > 0 else "-inf")
        return ("n", D(repr(v)))
    if isinstance(v, D):
        return ("n", v)
    if isinstance(v, datetime.datetime):
        return ("s", v.isoformat(" "))
    if isinstance(v, datetime.date):
        return ("d", v.isoformat())
    if isinstance(v, (bytes, bytearray)):
        v = v.decode("utf-8", "replace")
    if isinstance(v, str):
        if duck_type is not None:
            u = duck_type.upper()
            if u.startswith(("DECIMAL", "HUGEINT", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER",
                             "USMALLINT", "UTINYINT", "UHUGEINT", "DOUBLE", "FLOAT")):
                if v in ("Infinity", "-Infinity", "NaN"):
                    return ("x", {"Infinity": "inf", "-Infinity": "-inf", "NaN": "nan"}[v])
                return ("n", D(v))
            if u == "DATE":
                return ("d", v)
        return ("s", v)
    return ("s", str(v))


def row_key(row):
    out = []
    for v in row:
        if v is None:
            out.append((0, ""))
        elif v[0] == "n":
            f = float(v[1])
            out.append((1, "%.6e" % f if abs(f) >= 1e-9 else "0"))
        else:
            out.append((2, f"{v[0]}:{v[1]}"))
    return tuple(out)


def value_equal(a, b, tol):
    if a is None or b is None:
        return a is None and b is None
    if a[0] == "n" and b[0] == "n":
        x, y = a[1], b[1]
        if x == y:
            return True
        diff = abs(x - y)
        scale = max(abs(x), abs(y))
        return diff <= scale * D("1e-9") + tol
    return a == b


def rows_equal(r1, r2, tols, ordered):
    """Row lists (canonical values) equal as sequences (ordered) or multisets, with tolerances."""
    if len(r1) != len(r2):
        return False

    def same(x, y):
        return len(x) == len(y) and all(value_equal(a, b, tols[i] if i < len(tols) else D(0))
                                        for i, (a, b) in enumerate(zip(x, y)))

    if ordered:
        return all(same(x, y) for x, y in zip(r1, r2))
    s1 = sorted(r1, key=row_key)
    s2 = sorted(r2, key=row_key)
    rest1, rest2 = [], []
    for x, y in zip(s1, s2):
        if not same(x, y):
            rest1.append(x)
            rest2.append(y)
    if not rest1:
        return True
    if len(rest1) > 3000:
        return False
    # Rows whose sort keys straddle a rounding edge: match greedily.
    unmatched = list(rest2)
    for x in rest1:
        for i, y in enumerate(unmatched):
            if same(x, y):
                del unmatched[i]
                break
        else:
            return False
    return True


def tolerances(q):
    return [D("1e-4") if it.approx() else D(0) for it in q.items]


# ---------------------------------------------------------------------------------------------
# Engines


class Duck:
    """The node DuckDB helper (duckdb_server.mjs)."""

    def __init__(self):
        self.proc = subprocess.Popen(["node", os.path.join(HERE, "duckdb_server.mjs")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.next_id = 0
        self.lock = threading.Lock()

    def query(self, sql, db="main", timeout=60):
        with self.lock:
            self.next_id += 1
            self.proc.stdin.write(json.dumps({"id": self.next_id, "sql": sql, "db": db}) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("duckdb_server.mjs died: " + self.proc.stderr.read()[-2000:])
            ans = json.loads(line)
        if not ans["ok"]:
            return ("err", None, ans["error"])
        rows = [[canon(v, t) for v, t in zip(row, ans["types"])] for row in ans["rows"]]
        return ("ok", rows, ans["types"])

    def reset(self, db):
        with self.lock:
            self.next_id += 1
            self.proc.stdin.write(json.dumps({"id": self.next_id, "reset": db}) + "\n")
            self.proc.stdin.flush()
            self.proc.stdout.readline()

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(10)
        except Exception:
            self.proc.kill()


class ServerLost(Exception):
    pass


class Floe:
    """Connections to the Floe under test: `main` (defaults) and `noopt` (no optimizer, one thread)."""

    def __init__(self, args, database):
        self.args = args
        self.database = database
        self.process = None
        if args.floe:
            self.process = FloeProcess(args.floe, data_dir=args.data_dir, log_path=os.path.join(args.out, "floe.log"),
                                       core_dir=os.path.join(args.out, "cores"))
            self.process.start()
            self.host, self.port = "127.0.0.1", self.process.port
        else:
            self.host, self.port = args.host, args.port
        self.conns = {}
        self.last = None  # (connection name, SQL) of the statement sent last

    def conn(self, name):
        c = self.conns.get(name)
        if c is None:
            c = connect(self.host, self.port, read_timeout=self.args.timeout)
            with c.cursor() as cur:
                cur.execute(f"CREATE DATABASE IF NOT EXISTS {self.database}")
                cur.execute(f"USE {self.database}")
                if name.startswith("noopt"):
                    cur.execute(f"SET optimizer_disabled_rules = '{','.join(OPTIMIZER_RULES)}'")
                    cur.execute("SET pipeline_dop = 1")
            self.conns[name] = c
        return c

    def drop_conns(self):
        for c in self.conns.values():
            try:
                c.close()
            except Exception:
                pass
        self.conns = {}

    def execute(self, name, sql):
        """('ok', canonical rows, column type codes) or ('err', errno, message); ServerLost on a lost connection."""
        try:
            c = self.conn(name)
            self.last = (name, sql)
            with c.cursor() as cur:
                cur.execute(sql)
                rows = cur.fetchall() if cur.description else []
                types = [d[1] for d in cur.description] if cur.description else []
            return ("ok", [[canon(v) for v in row] for row in rows], types)
        except pymysql.err.OperationalError as e:
            code = e.args[0] if e.args else 0
            if code in (2006, 2013, 2014, 2055) or not isinstance(code, int) or code >= 2000:
                self.drop_conns()
                raise ServerLost(f"{code}: {e.args[1] if len(e.args) > 1 else e}")
            return ("err", code, str(e.args[1] if len(e.args) > 1 else e))
        except (pymysql.err.InterfaceError, ConnectionError, OSError) as e:
            self.drop_conns()
            raise ServerLost(str(e))
        except pymysql.err.MySQLError as e:
            code = e.args[0] if e.args else 0
            return ("err", code, str(e.args[1] if len(e.args) > 1 else e))

    def alive(self):
        if self.process is not None and not self.process.alive():
            return False
        return ping(self.host, self.port, timeout=30)

    def restart(self):
        self.drop_conns()
        if self.process is None:
            raise RuntimeError("the server at --host/--port is gone; cannot restart it")
        self.process.stop()
        try:
            self.process.start()
        except RuntimeError:
            self.process.restart(fresh_dir=True)
        self.host, self.port = "127.0.0.1", self.process.port

    def close(self):
        self.drop_conns()
        if self.process is not None:
            self.process.stop()
            self.process.cleanup()


def load_tables(floe, duck, tables, conn_name, duck_db, database):
    """(Re)creates `tables` in Floe (through connection conn_name) and in DuckDB database duck_db."""
    for t in tables:
        for sql in (f"DROP TABLE IF EXISTS {t.name}", t.floe_ddl(), *t.inserts()):
            r = floe.execute(conn_name, sql)
            if r[0] != "ok":
                raise RuntimeError(f"Floe refused setup statement {sql!r}: {r[2]}")
        for sql in (f"DROP TABLE IF EXISTS {t.name}", t.duck_ddl(), *t.inserts()):
            r = duck.query(sql, db=duck_db)
            if r[0] != "ok":
                raise RuntimeError(f"DuckDB refused setup statement {sql!r}: {r[2]}")


# ---------------------------------------------------------------------------------------------
# Oracles. Each returns None (agree / not applicable) or a Difference.


class Difference:
    """signature groups differences for the summary; exact must stay the same while reducing."""

    def __init__(self, oracle, kind, detail, signature, exact=None):
        self.oracle, self.kind, self.detail, self.signature = oracle, kind, detail, signature
        self.exact = exact or signature


def strip_location(msg):
    return re.sub(r"line \d+, column \d+: ", "", msg or "")


def error_signature(msg):
    msg = re.sub(r"line \d+, column \d+", "", msg or "")
    msg = re.sub(r"'[^']*'", "'?'", msg)
    msg = re.sub(r"\d+", "N", msg)
    return msg[:90]


def fmt_rows(rows, limit=30):
    out = []
    for row in rows[:limit]:
        out.append("\t".join("NULL" if v is None else str(v[1]) for v in row))
    if len(rows) > limit:
        out.append(f"... ({len(rows)} rows)")
    return "\n".join(out)


OUT_OF_RANGE = 1690  # BIGINT/DECIMAL overflow: an error either engine may raise in its own evaluation order


def check_duckdb(ctx, q, conn="main", duck_db="main"):
    f_sql, k_sql = render_query(q, "f"), render_query(q, "k")
    fr = ctx.floe.execute(conn, f_sql)
    kr = ctx.duck.query(k_sql, db=duck_db)
    stats = getattr(ctx, "stats", None)
    if stats is not None and conn == "main":
        key = {("ok", "ok"): "both_ok", ("err", "err"): "both_err", ("err", "ok"): "floe_err_only",
               ("ok", "err"): "duckdb_err_only"}[(fr[0], kr[0])]
        stats[key] = stats.get(key, 0) + 1
    if fr[0] == "err" and fr[1] == OUT_OF_RANGE:
        return None
    if kr[0] == "err" and "Out of Range" in kr[2] and "DECIMAL" in kr[2]:
        return None
    if fr[0] == "ok" and kr[0] == "ok":
        if rows_equal(fr[1], kr[1], tolerances(q), ordered=bool(q.order)):
            return None
        return Difference("duckdb", "mismatch",
                          f"Floe ({len(fr[1])} rows):\n{fmt_rows(fr[1])}\nDuckDB ({len(kr[1])} rows):\n{fmt_rows(kr[1])}",
                          "mismatch")
    if fr[0] == "err" and kr[0] == "ok":
        return Difference("duckdb", "floe_error", f"Floe error {fr[1]}: {fr[2]}\nDuckDB ({len(kr[1])} rows):\n{fmt_rows(kr[1])}",
                          "floe_error:" + error_signature(fr[2]), "floe_error:" + strip_location(fr[2]))
    if fr[0] == "ok" and kr[0] == "err":
        return Difference("duckdb", "peer_error", f"Floe ({len(fr[1])} rows):\n{fmt_rows(fr[1])}\nDuckDB error: {kr[2]}",
                          "peer_error:" + error_signature(kr[2]))
    return None


def check_noopt(ctx, q, conn="main", noopt="noopt"):
    sql = render_query(q, "f")
    a = ctx.floe.execute(conn, sql)
    b = ctx.floe.execute(noopt, sql)
    if a[0] == "ok" and b[0] == "ok":
        if rows_equal(a[1], b[1], tolerances(q), ordered=bool(q.order)):
            return None
        return Difference("noopt", "mismatch", f"optimized ({len(a[1])} rows):\n{fmt_rows(a[1])}\n"
                          f"unoptimized, pipeline_dop=1 ({len(b[1])} rows):\n{fmt_rows(b[1])}", "mismatch")
    if a[0] != b[0]:
        if (a[0] == "err" and a[1] == OUT_OF_RANGE) or (b[0] == "err" and b[1] == OUT_OF_RANGE):
            return None
        what = a[2] if a[0] == "err" else b[2]
        side = "optimized" if a[0] == "err" else "unoptimized"
        return Difference("noopt", "status", f"only the {side} run failed: {what}", f"status:{side}:" + error_signature(what),
                          f"status:{side}:" + strip_location(what))
    return None


COMBINABLE = {"count_star", "count", "sum", "min", "max"}


def tlp_variant(q, gen):
    """A copy of q that ternary logic partitioning can check, with q.tlp_pred set, or None."""
    if q.setop or q.having is not None or q.from_ is None:
        return None
    t = copy.deepcopy(q)
    t.order, t.limit, t.offset = [], None, None
    if t.group or any(it.has_agg() for it in t.items):
        # Every group key is selected (so partitions' groups can be matched), then the
        # aggregates that combine across partitions.
        items = [copy.deepcopy(k) for k in t.group]
        for it in t.items:
            if it.op in COMBINABLE and not (it.op in ("count", "sum") and it.v):
                items.append(it)
        if len(items) == len(t.group) and not t.group:
            return None
        t.items = items
    else:
        t.items = [it for it in t.items if not it.has_window() and not it.approx()]
        if not t.items:
            return None
    scope = source_scope(t.from_, gen)
    t.tlp_pred = gen.predicate(scope, gen.rnd.randint(1, 3), {"nest": 0, "outer": []})
    return t


def source_scope(s, gen):
    if s.kind == "table":
        for tb in gen.tables:
            if tb.name == s.name:
                return [(s.alias, c.name, c.t) for c in tb.cols]
        return []  # a CTE: only its x columns, unknown here
    if s.kind == "derived":
        return [(s.alias, f"x{i}", it.t) for i, it in enumerate(s.q.items)]
    return source_scope(s.left, gen) + source_scope(s.right, gen)


def tlp_partitions(t):
    p = t.tlp_pred
    parts = []
    for cond in (p, N("not", T_BOOL, [p]), N("isnull", T_BOOL, [p])):
        qp = copy.deepcopy(t)
        qp.tlp_pred = None
        qp.where = cond if t.where is None else N("and", T_BOOL, [t.where, cond])
        parts.append(qp)
    return parts


def combine_aggregates(t, results):
    """Combines partition results of an aggregate query t into the whole query's rows."""
    key_pos = list(range(len(t.group)))  # tlp_variant puts the keys first
    groups = {}
    order = []
    for rows in results:
        for row in rows:
            key = tuple(row[i] for i in key_pos)
            if key not in groups:
                groups[key] = [None] * len(row)
                order.append(key)
                acc = groups[key]
                for i in key_pos:
                    acc[i] = row[i]
                for i, it in enumerate(t.items):
                    if it.op in ("count", "count_star") and i not in key_pos:
                        acc[i] = ("n", D(0))
            acc = groups[key]
            for i, it in enumerate(t.items):
                if i in key_pos:
                    continue
                v = row[i]
                if v is None:
                    continue
                cur = acc[i]
                if it.op in ("count", "count_star", "sum"):
                    acc[i] = v if cur is None else ("n", cur[1] + v[1])
                elif it.op == "min":
                    acc[i] = v if cur is None or sort_value(v) < sort_value(cur) else cur
                elif it.op == "max":
                    acc[i] = v if cur is None or sort_value(v) > sort_value(cur) else cur
    if not t.group and not order:
        return []
    return [groups[k] for k in order]


def sort_value(v):
    return v[1] if v[0] == "n" else str(v[1])


def check_tlp(ctx, t, conn="main"):
    sql = render_query(t, "f")
    whole = ctx.floe.execute(conn, sql)
    if whole[0] != "ok":
        return None
    results = []
    for qp in tlp_partitions(t):
        r = ctx.floe.execute(conn, render_query(qp, "f"))
        if r[0] == "err" and r[1] == OUT_OF_RANGE:
            return None
        if r[0] != "ok":
            return Difference("tlp", "status", f"the whole query runs but a partition fails: {r[2]}\n{render_query(qp, 'f')}",
                              "status:" + error_signature(r[2]), "status:" + strip_location(r[2]))
        results.append(r[1])
    tols = tolerances(t)
    aggregate = bool(t.group) or any(it.has_agg() for it in t.items)
    if aggregate:
        if not t.group:
            # Without GROUP BY each partition returns exactly one row.
            combined = combine_aggregates(t, results)
            if len(combined) != 1:
                return Difference("tlp", "mismatch", "partition results do not have one row each", "mismatch")
        else:
            combined = combine_aggregates(t, results)
        if t.distinct:
            combined = distinct_rows(combined)
        ok = rows_equal(whole[1], combined, [tol * 3 for tol in tols], ordered=False)
    else:
        union = [row for rows in results for row in rows]
        if t.distinct:
            union = distinct_rows(union)
        ok = rows_equal(whole[1], union, tols, ordered=False)
        combined = union
    if ok:
        return None
    return Difference("tlp", "mismatch", f"whole query ({len(whole[1])} rows):\n{fmt_rows(whole[1])}\n"
                      f"partitions combined ({len(combined)} rows):\n{fmt_rows(combined)}\n"
                      f"partition sizes: {[len(r) for r in results]}", "mismatch")


def distinct_rows(rows):
    seen = set()
    out = []
    for r in rows:
        k = tuple((None if v is None else (v[0], v[1].normalize() if v[0] == "n" else v[1])) for v in r)
        if k not in seen:
            seen.add(k)
            out.append(r)
    return out


# ---------------------------------------------------------------------------------------------
# Reduction


def replacement_candidates(n):
    out = []
    for k in n.kids:
        if compatible(k.t, n.t) and k is not n:
            out.append(k)
    if n.op not in ("lit", "col"):
        if n.t == T_BOOL:
            out += [lit(T_BOOL, True), lit(T_BOOL, False)]
        elif n.t == T_INT:
            out.append(lit(T_INT, 1))
        elif n.t == T_DEC:
            out.append(lit(T_DEC, D("1.00")))
        elif n.t == T_DBL:
            out.append(lit(T_DBL, 1.0))
        elif n.t == T_STR:
            out.append(lit(T_STR, "a"))
        elif n.t == T_DATE:
            out.append(lit(T_DATE, "2024-01-01"))
    elif n.op == "col":
        out.append(lit(n.t, None))
    return out


def query_candidates(q):
    """Simplified copies of q, most promising first."""
    # Query-level edits on every (sub)query.
    nq = len(list(walk_queries(q)))
    for qi in range(nq):
        for edit in ("setop", "where", "having", "distinct", "order", "limit", "from_left", "from_right", "items",
                     "ctes"):
            count = 1
            if edit == "items":
                count = len(list(walk_queries(q))[qi].items)
            for j in range(count):
                c = copy.deepcopy(q)
                sub = list(walk_queries(c))[qi]
                if edit == "setop" and sub.setop:
                    sub.setop = None
                elif edit == "where" and sub.where is not None:
                    sub.where = None
                elif edit == "having" and sub.having is not None:
                    sub.having = None
                elif edit == "distinct" and sub.distinct:
                    sub.distinct = False
                elif edit == "order" and sub.order:
                    sub.order, sub.limit, sub.offset = [], None, None
                elif edit == "limit" and sub.offset:
                    sub.offset = None
                elif edit in ("from_left", "from_right") and sub.from_ is not None and sub.from_.kind == "join":
                    sub.from_ = sub.from_.left if edit == "from_left" else sub.from_.right
                elif edit == "ctes" and sub.ctes:
                    sub.ctes = sub.ctes[1:]
                elif edit == "items" and len(sub.items) > 1 and not sub.setop:
                    del sub.items[j]
                    pos = j + 1
                    sub.order = [(p - (p > pos), d, nf, e) for p, d, nf, e in sub.order if p != pos]
                else:
                    continue
                yield c
    # Expression edits.
    nodes = list(walk_nodes(q))
    for idx, n in enumerate(nodes):
        for repl in replacement_candidates(n):
            c = copy.deepcopy(q)
            target = list(walk_nodes(c))[idx]
            r = copy.deepcopy(repl)
            target.__dict__ = r.__dict__
            yield c


class Reducer:
    def __init__(self, ctx, diff, q, tables, budget):
        self.ctx, self.diff, self.q, self.tables = ctx, diff, q, copy.deepcopy(tables)
        self.budget = budget
        self.checks = 0
        self.last = diff

    def load(self, tables):
        self.ctx.floe.execute("red", "SELECT 1")
        load_tables(self.ctx.floe, self.ctx.duck, tables, "red", "red", self.ctx.red_db)

    def reproduces(self, q):
        self.checks += 1
        try:
            if self.diff.oracle == "duckdb":
                d = check_duckdb(self.ctx, q, conn="red", duck_db="red")
            elif self.diff.oracle == "noopt":
                d = check_noopt(self.ctx, q, conn="red", noopt="rednoopt")
            else:
                if q.tlp_pred is None:
                    return False
                d = check_tlp(self.ctx, q, conn="red")
        except ServerLost:
            raise
        except Exception:
            return False
        if d is not None and d.exact == self.diff.exact:
            self.last = d
            return True
        return False

    def run(self):
        used = tables_used(self.q)
        self.tables = [t for t in self.tables if t.name in used]
        self.load(self.tables)
        if not self.reproduces(self.q):
            return self.q, self.tables, False, self.diff
        # Queries first, then rows, then columns, then queries again.
        for _ in range(2):
            self.reduce_query()
            self.reduce_rows()
            self.reduce_columns()
        self.load(self.tables)
        self.reproduces(self.q)  # leaves the reduced case's detail in self.last
        return self.q, self.tables, True, self.last

    def reduce_query(self):
        progress = True
        while progress and self.checks < self.budget:
            progress = False
            for cand in query_candidates(self.q):
                if self.checks >= self.budget:
                    break
                if self.reproduces(cand):
                    self.q = cand
                    progress = True
                    break

    def reduce_rows(self):
        for ti in range(len(self.tables)):
            chunk = max(len(self.tables[ti].rows) // 2, 1)
            while chunk >= 1 and self.checks < self.budget:
                i = 0
                changed = False
                while i < len(self.tables[ti].rows) and self.checks < self.budget:
                    trial = copy.deepcopy(self.tables)
                    del trial[ti].rows[i:i + chunk]
                    trial[ti].splits = [s for s in trial[ti].splits if s < len(trial[ti].rows)]
                    self.load(trial)
                    if self.reproduces(self.q):
                        self.tables = trial
                        changed = True
                    else:
                        i += chunk
                if not changed:
                    chunk //= 2
        self.load(self.tables)

    def reduce_columns(self):
        for ti in range(len(self.tables)):
            j = len(self.tables[ti].cols) - 1
            while j >= 1 and self.checks < self.budget:
                trial = copy.deepcopy(self.tables)
                tb = trial[ti]
                if j < len(tb.cols):
                    del tb.cols[j]
                    for row in tb.rows:
                        del row[j]
                    self.load(trial)
                    if self.reproduces(self.q):
                        self.tables = trial
                j -= 1
        self.load(self.tables)


# ---------------------------------------------------------------------------------------------
# Reports


def slt_type(v_types):
    return "".join("I" if t in (T_INT, T_BOOL) else "R" if t in (T_DBL, T_DEC) else "T" for t in v_types)


def slt_value(v, t):
    if v is None:
        return "NULL"
    if t in (T_INT, T_BOOL):
        return str(int(v[1]))
    if t in (T_DBL, T_DEC):
        return "%.3f" % float(v[1])
    s = str(v[1])
    return s if s else "(empty)"


def write_finding(ctx, index, diff, q, tables, reduced, seed, query_no):
    d = os.path.join(ctx.args.out, f"{index:04d}-{diff.oracle}-{diff.kind}")
    os.makedirs(d, exist_ok=True)
    setup_f = []
    setup_k = []
    for t in tables:
        setup_f += [t.floe_ddl() + ";"] + [s + ";" for s in t.inserts()]
        setup_k += [t.duck_ddl() + ";"] + [s + ";" for s in t.inserts()]
    f_sql = render_query(q, "f")
    with open(os.path.join(d, "repro.sql"), "w") as fh:
        fh.write(f"-- {diff.oracle} oracle, {diff.kind}; seed {seed}, query {query_no}; reduced: {reduced}\n")
        fh.write("\n".join(setup_f) + "\n")
        if diff.oracle == "noopt":
            fh.write(f"{f_sql};\nSET optimizer_disabled_rules = '{','.join(OPTIMIZER_RULES)}';\nSET pipeline_dop = 1;\n{f_sql};\n")
        elif diff.oracle == "tlp" and q.tlp_pred is not None:
            fh.write(f"-- whole query\n{f_sql};\n-- partitions (p, NOT p, p IS NULL)\n")
            for qp in tlp_partitions(q):
                fh.write(render_query(qp, "f") + ";\n")
        else:
            fh.write(f_sql + ";\n")
    with open(os.path.join(d, "duckdb.sql"), "w") as fh:
        fh.write("\n".join(setup_k) + "\n" + render_query(q, "k") + ";\n")
    with open(os.path.join(d, "result.txt"), "w") as fh:
        fh.write(diff.detail + "\n")
    # A sqllogictest file with the answer the reference gives.
    expected = None
    if diff.oracle == "duckdb":
        kr = ctx.duck.query(render_query(q, "k"), db="red" if reduced else "main")
        if kr[0] == "ok":
            expected = kr[1]
    elif diff.oracle == "noopt":
        nr = ctx.floe.execute("rednoopt" if reduced else "noopt", f_sql)
        if nr[0] == "ok":
            expected = nr[1]
    with open(os.path.join(d, "repro.test"), "w") as fh:
        fh.write(f"# differential.py finding ({diff.oracle} oracle, {diff.kind}), seed {seed}, query {query_no}\n\n")
        fh.write("statement ok\nCREATE DATABASE IF NOT EXISTS diffrepro\n\nstatement ok\nUSE diffrepro\n\n")
        for t in tables:
            fh.write(f"statement ok\nDROP TABLE IF EXISTS {t.name}\n\n")
            fh.write(f"statement ok\n{t.floe_ddl()}\n\n")
            for s in t.inserts():
                fh.write(f"statement ok\n{s}\n\n")
        if expected is not None:
            types = q.types()
            sort = "" if q.order else " rowsort"
            fh.write(f"query {slt_type(types)}{sort}\n{f_sql}\n----\n")
            rows = ["\t".join(slt_value(v, t) for v, t in zip(row, types)) for row in expected]
            if not q.order:
                rows.sort()
            fh.write("\n".join(rows) + ("\n" if rows else ""))
        else:
            fh.write(f"# expected: see result.txt\nstatement ok\n{f_sql}\n")
    return d


class Context:
    pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--floe", help="start this floe binary on a temporary data directory")
    ap.add_argument("--data-dir", help="data directory for --floe (default: a temporary one)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9030)
    ap.add_argument("--queries", type=int, default=20000)
    ap.add_argument("--seconds", type=float, default=0, help="stop after this many seconds (0: no limit)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--oracle", choices=["all", "duckdb", "tlp", "noopt"], default="all")
    ap.add_argument("--tables", type=int, default=3, help="tables per round")
    ap.add_argument("--round", type=int, default=250, help="queries per set of tables")
    ap.add_argument("--out", default="differential-out", help="directory for findings and the log")
    ap.add_argument("--reduce", type=int, default=3, help="differences reduced per signature (others are saved as found)")
    ap.add_argument("--reduce-budget", type=int, default=600, help="checks per reduction")
    ap.add_argument("--max-saved", type=int, default=300, help="differences written out at most")
    ap.add_argument("--timeout", type=int, default=60, help="seconds a Floe query may take")
    ap.add_argument("--database", default="difftest")
    ap.add_argument("--avoid", default="", help="comma-separated known bugs to steer around: " +
                    ", ".join(KNOWN_BUGS) + " (or 'all')")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    avoid = set(KNOWN_BUGS) if args.avoid == "all" else {a for a in args.avoid.split(",") if a}
    for a in avoid:
        if a not in KNOWN_BUGS:
            ap.error(f"unknown --avoid {a}; known: {', '.join(KNOWN_BUGS)}")
    seed = args.seed if args.seed is not None else random.randrange(1 << 31)
    print(f"differential.py seed {seed} (rerun with --seed {seed})", flush=True)
    os.makedirs(args.out, exist_ok=True)
    rnd = random.Random(seed)

    ctx = Context()
    ctx.args = args
    ctx.red_db = args.database + "_red"
    use_duck = args.oracle in ("all", "duckdb")
    ctx.duck = Duck()
    ctx.floe = Floe(args, args.database)
    # The reduction connections work in their own database.
    red_database = ctx.red_db
    orig_conn = ctx.floe.conn

    def conn(name):
        c = ctx.floe.conns.get(name)
        if c is None and name.startswith("red"):
            c = connect(ctx.floe.host, ctx.floe.port, read_timeout=args.timeout)
            with c.cursor() as cur:
                cur.execute(f"CREATE DATABASE IF NOT EXISTS {red_database}")
                cur.execute(f"USE {red_database}")
                if name == "rednoopt":
                    cur.execute(f"SET optimizer_disabled_rules = '{','.join(OPTIMIZER_RULES)}'")
                    cur.execute("SET pipeline_dop = 1")
            ctx.floe.conns[name] = c
            return c
        return orig_conn(name)

    ctx.floe.conn = conn

    stats = {"queries": 0, "tlp_checked": 0, "noopt_checked": 0, "duck_checked": 0, "crashes": 0}
    ctx.stats = stats
    signatures = {}
    saved = []
    crashes = []
    floe_errors = {}
    started = time.time()
    tables = None
    log = open(os.path.join(args.out, "log.txt"), "a")
    log.write(f"seed {seed} started {time.ctime()}\n")

    def record(diff, q, tabs, query_no):
        sig = (diff.oracle, diff.signature)
        n = signatures.get(sig, 0) + 1
        signatures[sig] = n
        log.write(f"query {query_no}: {diff.oracle} {diff.kind} {diff.signature}\n")
        if len(saved) >= args.max_saved:
            return
        reduced = False
        rq, rt = q, tabs
        if n <= args.reduce:
            try:
                red = Reducer(ctx, diff, copy.deepcopy(q), tabs, args.reduce_budget)
                rq, rt, reduced, diff = red.run()
            except ServerLost:
                raise
            except Exception:
                traceback.print_exc()
        elif n > args.reduce + 2:
            return  # enough copies of this one
        path = write_finding(ctx, len(saved) + 1, diff, rq, rt, reduced, seed, query_no)
        saved.append(path)
        print(f"  [{diff.oracle}] {diff.kind}: {diff.signature} -> {path}", flush=True)

    def new_round():
        nonlocal tables
        tables = random_tables(rnd, args.tables)
        load_tables(ctx.floe, ctx.duck, tables, "main", "main", args.database)

    new_round()
    gen = Gen(rnd, tables, avoid=avoid)
    qn = 0
    while qn < args.queries:
        if args.seconds and time.time() - started > args.seconds:
            break
        qn += 1
        if qn % args.round == 0:
            new_round()
            gen = Gen(rnd, tables, avoid=avoid)
        q = gen.query()
        t = tlp_variant(q, gen) if args.oracle in ("all", "tlp") else None
        stats["queries"] += 1
        if args.verbose:
            print(render_query(q, "f"))
        try:
            if use_duck:
                stats["duck_checked"] += 1
                d = check_duckdb(ctx, q)
                if d is not None:
                    if d.kind == "floe_error":
                        floe_errors[d.signature] = floe_errors.get(d.signature, 0) + 1
                    record(d, q, tables, qn)
            if args.oracle in ("all", "noopt"):
                stats["noopt_checked"] += 1
                d = check_noopt(ctx, q)
                if d is not None:
                    record(d, q, tables, qn)
            if t is not None:
                stats["tlp_checked"] += 1
                d = check_tlp(ctx, t)
                if d is not None:
                    record(d, t, tables, qn)
        except ServerLost as e:
            stats["crashes"] += 1
            sql = render_query(q, "f")
            last = ctx.floe.last
            alive = ctx.floe.alive()
            how = ctx.floe.process.describe_exit() if ctx.floe.process else ("answering" if alive else "not answering")
            tail = ctx.floe.process.log_tail(40) if ctx.floe.process else ""
            bt = ctx.floe.process.backtrace() if ctx.floe.process and not alive else ""
            path = os.path.join(args.out, f"crash-{len(crashes) + 1:03d}.txt")
            with open(path, "w") as fh:
                fh.write(f"seed {seed}, query {qn}\nconnection lost: {e}\nserver: {how}\n")
                if last:
                    settings = ""
                    if "noopt" in last[0]:
                        settings = (f"SET optimizer_disabled_rules = '{','.join(OPTIMIZER_RULES)}';\n"
                                    "SET pipeline_dop = 1;\n")
                    fh.write(f"\n-- the statement in flight (session {last[0]}):\n{settings}{last[1]};\n")
                if bt:
                    fh.write(f"\n-- backtrace\n{bt}\n")
                fh.write("\n-- tables\n")
                for tb in tables:
                    fh.write(tb.floe_ddl() + ";\n" + "\n".join(s + ";" for s in tb.inserts()) + "\n")
                fh.write(f"\n-- query\n{sql};\n")
                if t is not None:
                    fh.write("\n-- TLP partitions\n" + "\n".join(render_query(p, "f") + ";" for p in tlp_partitions(t)) + "\n")
                fh.write(f"\n-- server log tail\n{tail}\n")
            crashes.append(path)
            top = next((line for line in bt.splitlines() if line.startswith("#0")), "")
            print(f"  CONNECTION LOST ({how}) at query {qn}: {(last or ('', sql))[1][:300]}\n    {top[:200]}\n    -> {path}",
                  flush=True)
            if alive and (ctx.floe.process is None or ctx.floe.process.alive()):
                continue
            if ctx.floe.process is None:
                break
            ctx.floe.restart()
            new_round()
            gen = Gen(rnd, tables, avoid=avoid)
        if qn % 500 == 0:
            el = time.time() - started
            print(f"{qn} queries, {el:.0f} s, {len(saved)} differences saved, signatures {len(signatures)}, "
                  f"crashes {len(crashes)}", flush=True)
    elapsed = time.time() - started
    summary = {"seed": seed, "queries": stats["queries"], "seconds": round(elapsed, 1), "stats": stats,
               "signatures": {f"{o}:{s}": n for (o, s), n in sorted(signatures.items(), key=lambda x: -x[1])},
               "saved": saved, "crashes": crashes}
    with open(os.path.join(args.out, "summary.json"), "w") as fh:
        json.dump(summary, fh, indent=2)
    print(json.dumps(summary, indent=2))
    log.close()
    ctx.duck.close()
    ctx.floe.close()
    return 1 if (signatures or crashes) else 0


if __name__ == "__main__":
    sys.exit(main())
