#!/usr/bin/python3
"""SQL fuzzer: many clients send generated and mutated statements; the server must stay up.

Statements come from Floe's grammar (src/parser, test/sql): DDL (CREATE/DROP/ALTER TABLE in the
Duplicate, Aggregate, Unique and Primary Key models, partitions, DISTRIBUTED BY HASH ... BUCKETS,
views, databases), DML (INSERT VALUES/SELECT/OVERWRITE, UPDATE, DELETE, TRUNCATE), queries (joins,
subqueries, CTEs and recursive CTEs, window functions, GROUP BY/ROLLUP/CUBE/GROUPING SETS,
HAVING, ORDER BY/LIMIT, set operations, VALUES, unnest, numbers()), every type (INT...LARGEINT,
DOUBLE, DECIMAL, DATE, DATETIME, VARCHAR, JSON, ARRAY<T>, BITMAP, HLL), every function the
server lists in SHOW FUNCTIONS, casts, SET/SHOW/EXPLAIN, transactions, prepared statements over
the binary protocol, and deliberately malformed statements (truncated, tokens dropped, swapped
or repeated, random bytes, huge literals, deep nesting, long lists).

N client threads (--clients, default 8) each hold a connection and send statements until
--statements in total (default 100000) or --seconds have passed. SQL errors are normal. After
every batch (--batch statements, and at least every few seconds) the fuzzer checks that the
server process is alive and answers SELECT 1 on a fresh connection. It fails (exit status 1) when
  * the server exits or crashes (the statements in flight and each client's last statements are
    written to --out, with the server's log tail and, with --floe, a gdb backtrace of the core),
  * the server stops answering SELECT 1 for --hang-seconds (default 30; the stacks of all its
    threads are saved with gdb),
  * a statement loses its connection without an ERR packet while the server stays up,
  * a statement gets no answer within --statement-timeout (the session's query_timeout is set a
    little lower, so the server failed to stop it; the fuzzer sends KILL QUERY),
  * with --strict, a statement fails with an internal error (errno 1105).
Statements slower than --slow-seconds (default 10) are recorded in slow.txt. With --restart the
fuzzer records a crash, starts the server again and goes on (the exit status stays 1).

  test/fuzz/sql_fuzz.py --floe build/release/floe                # own server, temporary data dir
  test/fuzz/sql_fuzz.py --host 127.0.0.1 --port 9030 --clients 4 --seconds 600
  test/fuzz/sql_fuzz.py --floe build/release/floe --seed 42 --statements 20000 --restart
  test/fuzz/sql_fuzz.py --floe build/release/floe --replay statements.sql   # one by one, report the first crash

The seed is printed; a run with the same seed and one client sends the same statements (with
several clients the interleaving differs). Run with /usr/bin/python3 (Debian's pymysql).
"""
import argparse
import collections
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "test", "integration"))

import pymysql  # noqa: E402

from floe_process import FloeProcess, connect, ping  # noqa: E402

try:
    import mysql_raw  # noqa: E402  (the integration tests' raw protocol client)
except Exception:  # noqa: BLE001
    mysql_raw = None

DB = "fuzz"
INTERNAL_ERRNO = 1105
LOST_ERRNOS = (2006, 2013, 2014, 2055)

# ---------------------------------------------------------------------------------------------
# Schema model (best effort: other clients change it concurrently)

SCALAR_TYPES = ["TINYINT", "SMALLINT", "INT", "BIGINT", "LARGEINT", "FLOAT", "DOUBLE", "DECIMAL(10,2)",
                "DECIMAL(38,9)", "DECIMAL(4,4)", "DECIMAL(18,0)", "DATE", "DATETIME", "VARCHAR(20)", "VARCHAR(1)",
                "CHAR(5)", "STRING", "BOOLEAN", "JSON", "ARRAY<INT>", "ARRAY<VARCHAR(10)>", "ARRAY<DOUBLE>",
                "ARRAY<ARRAY<INT>>", "ARRAY<DATE>"]
KEY_TYPES = ["TINYINT", "SMALLINT", "INT", "BIGINT", "LARGEINT", "DATE", "DATETIME", "VARCHAR(20)", "BOOLEAN",
             "DECIMAL(10,2)"]


class Table:
    def __init__(self, name, cols, model="dup", kind="table"):
        self.name, self.cols, self.model, self.kind = name, cols, model, kind  # cols: [(name, type)]


class Schema:
    def __init__(self):
        self.lock = threading.Lock()
        self.tables = {}

    def put(self, t):
        with self.lock:
            self.tables[t.name] = t

    def drop(self, name):
        with self.lock:
            self.tables.pop(name, None)

    def pick(self, rnd, kinds=("table", "view")):
        with self.lock:
            c = [t for t in self.tables.values() if t.kind in kinds]
        return rnd.choice(c) if c else None

    def names(self):
        with self.lock:
            return list(self.tables)


def base_family(t):
    u = t.upper()
    if u.startswith("ARRAY"):
        return "array"
    if u.startswith(("TINYINT", "SMALLINT", "INT", "BIGINT", "LARGEINT", "BOOLEAN")):
        return "int"
    if u.startswith(("FLOAT", "DOUBLE")):
        return "double"
    if u.startswith("DECIMAL"):
        return "decimal"
    if u.startswith("DATETIME"):
        return "datetime"
    if u.startswith("DATE"):
        return "date"
    if u.startswith("JSON"):
        return "json"
    if u.startswith(("BITMAP",)):
        return "bitmap"
    if u.startswith(("HLL",)):
        return "hll"
    return "string"


# ---------------------------------------------------------------------------------------------
# The generator

KEYWORDS = ["SELECT", "FROM", "WHERE", "GROUP", "BY", "ORDER", "LIMIT", "JOIN", "ON", "AND", "OR", "NOT", "NULL",
            "CASE", "WHEN", "THEN", "ELSE", "END", "AS", "IN", "EXISTS", "UNION", "ALL", "DISTINCT", "HAVING",
            "INSERT", "INTO", "VALUES", "UPDATE", "SET", "DELETE", "CREATE", "TABLE", "DROP", "ALTER", "WITH",
            "RECURSIVE", "OVER", "PARTITION", "ROWS", "RANGE", "BETWEEN", "INTERVAL", "CAST", "LEFT", "RIGHT",
            "FULL", "CROSS", "SEMI", "ANTI", "USING", "LIKE", "IS", "TRUE", "FALSE", "DESC", "ASC", "NULLS",
            "FIRST", "LAST", "EXPLAIN", "ANALYZE", "SHOW", "DUPLICATE", "KEY", "PRIMARY", "AGGREGATE", "UNIQUE",
            "DISTRIBUTED", "HASH", "BUCKETS", "PROPERTIES", "ROLLUP", "CUBE", "GROUPING", "SETS", "LATERAL",
            "ARRAY", "MAP", "STRUCT", "JSON", "BITMAP", "HLL", "OVERWRITE", "RETURNING", "DEFAULT", "REPLACE"]
PUNCT = ["(", ")", ",", ";", ".", "*", "+", "-", "/", "%", "=", "<", ">", "<=", ">=", "<>", "!=", "<=>", "||", "&&",
         "[", "]", "::", "->", "->>", "?", "@", "@@", "'", '"', "`", "\\", "/*", "*/", "--", "#", "{", "}"]

INTERVAL_UNITS = ["YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND"]
AGGREGATES = ["count", "sum", "min", "max", "avg", "any_value", "group_concat", "array_agg", "bitmap_union",
              "bitmap_union_count", "hll_union_agg", "approx_count_distinct", "stddev", "variance", "median",
              "percentile_cont", "max_by", "min_by", "ndv", "bitmap_agg", "hll_raw_agg", "first", "last", "list",
              "wavg", "percentile_approx", "percentile_disc", "var_samp", "stddev_samp"]
WINDOW_ONLY = ["row_number", "rank", "dense_rank", "ntile", "lag", "lead", "first_value", "last_value"]


class SqlGen:
    """Random statements over a Schema. depth bounds nesting; `mutate` makes malformed ones."""

    def __init__(self, rnd, schema, functions, client_id):
        self.rnd = rnd
        self.schema = schema
        self.functions = functions
        self.client = client_id
        self.n = 0

    # -- literals

    def int_lit(self):
        r = self.rnd
        return r.choice([str(r.randint(-10, 10)), str(r.randint(-1000, 1000)), "0", "1", "-1", "127", "-128", "255",
                         "32767", "2147483647", "-2147483648", "4294967295", "9223372036854775807",
                         "-9223372036854775808", "9223372036854775808", "18446744073709551615",
                         "170141183460469231731687303715884105727", "99999999999999999999999999999999999999999",
                         str(r.randint(0, 10 ** 6))])

    def num_lit(self):
        r = self.rnd
        return r.choice([self.int_lit(), "0.5", "-0.5", "1.25", "3.14159", "1e308", "-1e308", "1e-308", "1e309",
                         "2.2250738585072014e-308", "0.1", "123456789012345678901234567890.123456789",
                         "0.000000000000000000000000000000000000001", "1.0e10", "-0.0", "9.99",
                         f"{r.randint(-999, 999)}.{r.randint(0, 99):02d}"])

    def str_lit(self):
        r = self.rnd
        s = r.choice(["", "a", "abc", "Hello", "héllo wörld", "日本語", "🙂", "x" * r.randint(1, 300), "NULL", "null",
                      "2024-01-01", "2024-02-30", "2024-13-01", "0000-00-00", "9999-12-31 23:59:59.999999",
                      "2024-05-01 10:00:00", "1", "-1", "1e5", "abc%", "_", "%", "a\\b", "it''s", "\\n\\t\\0",
                      '{"a": 1, "b": [1, 2, {"c": null}]}', '{"a":', "[1,2,3]", "[]", "{}", "true", "  padded  ",
                      "0x41", "1,2,3", "a" * r.randint(1000, 5000)])
        return "'" + s + "'"

    def date_lit(self):
        r = self.rnd
        return r.choice(["DATE '2024-05-01'", "DATE '1970-01-01'", "DATE '0001-01-01'", "DATE '9999-12-31'",
                         "DATE '2024-02-29'", "TIMESTAMP '2024-05-01 12:34:56'", "DATETIME '2024-05-01 00:00:00.123456'",
                         "'2024-05-01'", "'2024-05-01 10:00:00'", "DATE '2023-02-29'", "now()", "current_date()",
                         "CURRENT_TIMESTAMP", "CAST('2024-01-01' AS DATE)"])

    def literal(self):
        r = self.rnd.random()
        if r < 0.3:
            return self.int_lit()
        if r < 0.45:
            return self.num_lit()
        if r < 0.65:
            return self.str_lit()
        if r < 0.75:
            return self.date_lit()
        if r < 0.82:
            return "NULL"
        if r < 0.88:
            return self.rnd.choice(["TRUE", "FALSE"])
        if r < 0.94:
            return self.array_lit()
        return self.rnd.choice(["X'4142'", "0x41", "b'101'", "parse_json('{\"a\": 1}')", "to_bitmap(1)",
                                "hll_hash('a')", "bitmap_empty()", "hll_empty()", "@uservar", "@@version",
                                "@@session.pipeline_dop", "?", "DEFAULT"])

    def array_lit(self):
        r = self.rnd
        n = r.randint(0, 5)
        items = [r.choice([self.int_lit(), "NULL", self.str_lit(), self.num_lit()]) if r.random() < 0.2 else
                 str(r.randint(-5, 5)) for _ in range(n)]
        if r.random() < 0.2:
            return "ARRAY<INT>[" + ", ".join(items) + "]"
        if r.random() < 0.1:
            return "[" + ", ".join("[" + ", ".join(items) + "]" for _ in range(r.randint(1, 3))) + "]"
        return "[" + ", ".join(items) + "]"

    # -- types

    def type_name(self, allow_bad=True):
        r = self.rnd
        if allow_bad and r.random() < 0.05:
            return r.choice(["DECIMAL(0,0)", "DECIMAL(39,2)", "DECIMAL(5,6)", "VARCHAR(-1)", "INT(999999999999)",
                             "ARRAY<>", "ARRAY<ARRAY<ARRAY<ARRAY<INT>>>>", "FOO", "MAP<INT,INT>", "DATETIME(9)",
                             "CHAR(0)", "VARCHAR(1048577)", "DECIMAL(38,38)", "BITMAP", "HLL", "SIGNED", "UNSIGNED"])
        return r.choice(SCALAR_TYPES + ["SIGNED", "UNSIGNED", "DATETIME(3)", "DECIMAL(38,0)", "TEXT"])

    # -- expressions

    def column(self, scope):
        if not scope:
            return self.literal()
        q, c, _ = self.rnd.choice(scope)
        return f"{q}.{c}" if q and self.rnd.random() < 0.8 else c

    def typed_column(self, scope, family):
        cands = [s for s in scope if base_family(s[2]) == family]
        if not cands:
            return None
        q, c, _ = self.rnd.choice(cands)
        return f"{q}.{c}" if q else c

    def expr(self, scope, depth=3, agg=False):
        r = self.rnd
        if depth <= 0 or r.random() < 0.25:
            return self.column(scope) if scope and r.random() < 0.65 else self.literal()
        d = depth - 1
        c = r.random()
        if c < 0.22:
            op = r.choice(["+", "-", "*", "/", "DIV", "%", "MOD", "&", "|", "^", "<<", ">>", "=", "<>", "!=", "<", "<=",
                           ">", ">=", "<=>", "AND", "OR", "XOR", "&&", "||", "LIKE", "NOT LIKE", "REGEXP", "RLIKE"])
            return f"({self.expr(scope, d, agg)} {op} {self.expr(scope, d, agg)})"
        if c < 0.27:
            return f"({r.choice(['-', '~', '!', 'NOT ', '+'])}{self.expr(scope, d, agg)})"
        if c < 0.32:
            return f"({self.expr(scope, d, agg)} IS {r.choice(['', 'NOT '])}{r.choice(['NULL', 'TRUE', 'FALSE'])})"
        if c < 0.36:
            return (f"({self.expr(scope, d, agg)} {r.choice(['', 'NOT '])}BETWEEN {self.expr(scope, d, agg)} "
                    f"AND {self.expr(scope, d, agg)})")
        if c < 0.41:
            items = ", ".join(self.expr(scope, d - 1, agg) for _ in range(r.randint(1, 5)))
            return f"({self.expr(scope, d, agg)} {r.choice(['', 'NOT '])}IN ({items}))"
        if c < 0.47:
            parts = []
            simple = r.random() < 0.3
            for _ in range(r.randint(1, 3)):
                parts.append(f"WHEN {self.expr(scope, d, agg)} THEN {self.expr(scope, d, agg)}")
            els = f" ELSE {self.expr(scope, d, agg)}" if r.random() < 0.7 else ""
            return f"(CASE {self.expr(scope, d, agg) + ' ' if simple else ''}{' '.join(parts)}{els} END)"
        if c < 0.53:
            form = r.random()
            e = self.expr(scope, d, agg)
            t = self.type_name()
            if form < 0.7:
                return f"CAST({e} AS {t})"
            if form < 0.85:
                return f"CONVERT({e}, {t})"
            return f"({e})::{t}"
        if c < 0.72:
            return self.function_call(scope, d, agg)
        if c < 0.76:
            unit = r.choice(INTERVAL_UNITS)
            base = self.typed_column(scope, r.choice(["date", "datetime"])) or self.date_lit()
            return f"({base} {r.choice(['+', '-'])} INTERVAL {self.expr(scope, 0)} {unit})"
        if c < 0.80 and depth >= 2:
            return f"({self.subquery(scope, d)})"
        if c < 0.83 and depth >= 2:
            return f"({r.choice(['', 'NOT '])}EXISTS ({self.subquery(scope, d)}))"
        if c < 0.86 and depth >= 2:
            return f"({self.expr(scope, d, agg)} {r.choice(['', 'NOT '])}IN ({self.subquery(scope, d)}))"
        if c < 0.88 and depth >= 2:
            return (f"({self.expr(scope, d, agg)} {r.choice(['=', '<', '>=', '<>'])} {r.choice(['ANY', 'ALL', 'SOME'])} "
                    f"({self.subquery(scope, d)}))")
        if c < 0.91:
            arr = self.typed_column(scope, "array") or self.array_lit()
            return f"{arr}[{self.expr(scope, 0)}]"
        if c < 0.93:
            js = self.typed_column(scope, "json") or "parse_json('{\"a\": {\"b\": [1, 2]}}')"
            return f"({js} {r.choice(['->', '->>'])} '{r.choice(['$.a', '$.a.b[1]', '$', '$[0]', 'a', '$..x'])}')"
        if c < 0.95:
            n = r.randint(2, 3)
            row = ", ".join(self.expr(scope, 0) for _ in range(n))
            row2 = ", ".join(self.expr(scope, 0) for _ in range(n if r.random() < 0.8 else n + 1))
            return f"(({row}) {r.choice(['=', '<>', '<', 'IN'])} ({row2}))"
        if agg or r.random() < 0.5:
            return self.aggregate_call(scope, d)
        return self.column(scope)

    def function_call(self, scope, depth, agg):
        r = self.rnd
        name = r.choice(self.functions) if self.functions else "abs"
        if name in AGGREGATES and not agg and r.random() < 0.7:
            name = "coalesce"
        n = r.choice([0, 1, 1, 1, 2, 2, 2, 3, 4])
        args = [self.expr(scope, depth, agg) for _ in range(n)]
        special = r.random()
        if special < 0.05:
            return f"extract({r.choice(INTERVAL_UNITS + ['DOW', 'EPOCH', 'bogus'])} FROM {self.expr(scope, depth)})"
        if special < 0.08:
            return f"trim({r.choice(['BOTH', 'LEADING', 'TRAILING'])} {self.str_lit()} FROM {self.expr(scope, depth)})"
        if special < 0.10:
            return f"substring({self.expr(scope, depth)} FROM {self.int_lit()} FOR {self.int_lit()})"
        if special < 0.13:
            return f"date_add({self.expr(scope, depth)}, INTERVAL {self.int_lit()} {r.choice(INTERVAL_UNITS)})"
        call = f"{name}({', '.join(args)})"
        if name in WINDOW_ONLY or (agg and r.random() < 0.2):
            return call + self.window_spec(scope)
        return call

    def aggregate_call(self, scope, depth):
        r = self.rnd
        name = r.choice(AGGREGATES)
        if name == "count" and r.random() < 0.4:
            call = "count(*)"
        else:
            distinct = "DISTINCT " if r.random() < 0.2 else ""
            args = [self.expr(scope, max(depth - 1, 0)) for _ in range(r.choice([1, 1, 1, 2, 3]))]
            extra = ""
            if name == "group_concat" and r.random() < 0.5:
                extra = f" ORDER BY {self.expr(scope, 0)} SEPARATOR {self.str_lit()}"
            elif name in ("array_agg", "percentile_cont") and r.random() < 0.3:
                extra = f" ORDER BY {self.expr(scope, 0)}"
            call = f"{name}({distinct}{', '.join(args)}{extra})"
        if r.random() < 0.25:
            call += self.window_spec(scope)
        return call

    def window_spec(self, scope):
        r = self.rnd
        parts = []
        if r.random() < 0.6:
            parts.append("PARTITION BY " + ", ".join(self.expr(scope, 1) for _ in range(r.randint(1, 2))))
        if r.random() < 0.7:
            parts.append("ORDER BY " + ", ".join(self.order_item(scope) for _ in range(r.randint(1, 2))))
            if r.random() < 0.4:
                def bound():
                    return r.choice(["UNBOUNDED PRECEDING", "UNBOUNDED FOLLOWING", "CURRENT ROW",
                                     f"{r.randint(0, 5)} PRECEDING", f"{r.randint(0, 5)} FOLLOWING",
                                     f"{r.choice(['99999999999', '0'])} PRECEDING"])
                parts.append(f"{r.choice(['ROWS', 'RANGE'])} BETWEEN {bound()} AND {bound()}" if r.random() < 0.8
                             else f"ROWS {bound()}")
        return f" OVER ({' '.join(parts)})"

    def order_item(self, scope):
        r = self.rnd
        e = self.expr(scope, 1) if r.random() < 0.7 else str(r.randint(0, 4))
        return e + r.choice(["", " ASC", " DESC"]) + r.choice(["", "", " NULLS FIRST", " NULLS LAST"])

    # -- queries

    def table_ref(self, depth):
        """(SQL, scope entries (qualifier, column, type))."""
        r = self.rnd
        self.n += 1
        alias = f"t{self.n}"
        c = r.random()
        if c < 0.6 or depth <= 0:
            t = self.schema.pick(r)
            if t is None:
                return f"numbers(10) {alias}", [(alias, "number", "BIGINT")]
            return f"{t.name} {alias}", [(alias, cn, ct) for cn, ct in t.cols]
        if c < 0.7:
            n = r.choice(["10", "100", "1000", "0", "-1", "100000", "NULL", "'x'"])
            return f"numbers({n}) {alias}", [(alias, "number", "BIGINT")]
        if c < 0.78:
            sub, cols = self.select(depth - 1, named=True)
            return f"({sub}) {alias}", [(alias, cn, ct) for cn, ct in cols]
        if c < 0.85:
            rows = ", ".join("(" + ", ".join(self.literal() for _ in range(2)) + ")" for _ in range(r.randint(1, 4)))
            return f"(VALUES {rows}) {alias}(a, b)", [(alias, "a", "INT"), (alias, "b", "VARCHAR")]
        if c < 0.9:
            return f"unnest({self.array_lit()}) {alias}(u)", [(alias, "u", "INT")]
        left, ls = self.table_ref(depth - 1)
        right, rs = self.table_ref(depth - 1)
        kind = r.choice(["JOIN", "INNER JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "CROSS JOIN", "LEFT SEMI JOIN",
                         "LEFT ANTI JOIN", "SEMI JOIN", "ANTI JOIN", ",", "LEFT OUTER JOIN"])
        if kind in (",", "CROSS JOIN"):
            return f"{left} {kind} {right}", ls + rs
        if r.random() < 0.15 and ls and rs:
            common = [c for c in {x[1] for x in ls} & {x[1] for x in rs}] or [ls[0][1]]
            return f"{left} {kind} {right} USING ({r.choice(common)})", ls + rs
        return f"{left} {kind} {right} ON {self.expr(ls + rs, 2)}", ls + rs

    def subquery(self, outer_scope, depth):
        sql, _ = self.select(depth, outer_scope=outer_scope, want_one=self.rnd.random() < 0.8)
        return sql

    def select(self, depth=2, outer_scope=(), named=False, want_one=False):
        """A query; returns (SQL, [(column name, type)])."""
        r = self.rnd
        ctes = ""
        if r.random() < 0.12 and depth > 0:
            ctes = self.with_clause(depth - 1)
        from_sql, scope = self.table_ref(depth)
        full_scope = scope + [s for s in outer_scope if r.random() < 0.5]
        items, cols = [], []
        grouped = r.random() < 0.25
        n = 1 if want_one else r.randint(1, 5)
        for i in range(n):
            if r.random() < 0.05 and not grouped and not want_one:
                items.append("*")
                cols += [(c, t) for _, c, t in scope]
                continue
            e = self.aggregate_call(full_scope, 1) if grouped and r.random() < 0.6 else self.expr(full_scope, depth + 1)
            items.append(f"{e} AS c{i}" if named or r.random() < 0.3 else e)
            cols.append((f"c{i}", "INT"))
        sql = f"{ctes}SELECT {'DISTINCT ' if r.random() < 0.1 else ''}{', '.join(items)} FROM {from_sql}"
        if r.random() < 0.6:
            sql += f" WHERE {self.expr(full_scope, depth + 1)}"
        if grouped:
            keys = ", ".join(self.expr(scope, 1) for _ in range(r.randint(1, 3)))
            g = r.random()
            if g < 0.7:
                sql += f" GROUP BY {keys}"
            elif g < 0.8:
                sql += f" GROUP BY ROLLUP({keys})"
            elif g < 0.9:
                sql += f" GROUP BY CUBE({keys})"
            else:
                sql += f" GROUP BY GROUPING SETS (({keys}), ())"
            if r.random() < 0.4:
                sql += f" HAVING {self.expr(full_scope, 2, agg=True)}"
        if r.random() < 0.1 and depth > 0 and not want_one:
            other, _ = self.select(depth - 1)
            sql = f"({sql}) {r.choice(['UNION', 'UNION ALL', 'INTERSECT', 'EXCEPT', 'MINUS', 'UNION DISTINCT'])} ({other})"
        if r.random() < 0.35:
            sql += " ORDER BY " + ", ".join(self.order_item(full_scope) for _ in range(r.randint(1, 3)))
        if r.random() < 0.35 or want_one:
            sql += f" LIMIT {r.choice(['0', '1', '5', '100', '18446744073709551615', '-1', '1, 2', '2 OFFSET 1'])}"
        return sql, cols

    def with_clause(self, depth):
        r = self.rnd
        if r.random() < 0.4:
            limit = r.choice(["10", "100", "1000", "1001", "100000", "n"])
            body = (f"SELECT {r.choice(['1', '0', 'NULL', self.int_lit()])} UNION ALL SELECT n + 1 FROM r "
                    f"WHERE n < {limit}")
            if r.random() < 0.3:
                body = f"SELECT 1 UNION ALL SELECT n * 2 FROM r, r r2 WHERE n < {limit}"
            return f"WITH RECURSIVE r(n) AS ({body}) "
        parts = []
        for i in range(r.randint(1, 3)):
            sub, _ = self.select(depth, named=True)
            parts.append(f"w{i} AS ({r.choice(['', 'MATERIALIZED ', 'NOT MATERIALIZED '])}{sub})")
        return "WITH " + ", ".join(parts) + " "

    # -- DDL

    def column_def(self, i, key=False, model="dup"):
        r = self.rnd
        t = r.choice(KEY_TYPES) if key else r.choice(SCALAR_TYPES)
        extra = ""
        if model == "agg" and not key:
            fam = base_family(t)
            fn = r.choice(["SUM", "MAX", "MIN", "REPLACE", "REPLACE_IF_NOT_NULL"])
            if r.random() < 0.2:
                t, fn = r.choice([("BITMAP", "BITMAP_UNION"), ("HLL", "HLL_UNION")])
            elif fam not in ("int", "double", "decimal") and fn == "SUM":
                fn = "REPLACE"
            extra = " " + fn
        if r.random() < 0.3:
            extra += " NOT NULL" if (key or r.random() < 0.5) else " NULL"
        if r.random() < 0.15:
            extra += f" DEFAULT {r.choice(['NULL', '0', chr(39) + 'x' + chr(39), 'CURRENT_TIMESTAMP', '-1'])}"
        if r.random() < 0.05:
            extra += " COMMENT 'c'"
        return f"c{i}", t, f"c{i} {t}{extra}"

    def create_table(self, name=None):
        r = self.rnd
        name = name or f"{r.choice(['t', 'p', 'a', 'u', 'k'])}{r.randint(0, 7)}"
        model = r.choice(["dup", "dup", "agg", "uniq", "pk", "plain"])
        nkeys = r.randint(1, 3)
        ncols = r.randint(nkeys, nkeys + 5)
        defs, cols = [], []
        for i in range(ncols):
            cn, ct, d = self.column_def(i, key=i < nkeys and model != "plain", model=model)
            defs.append(d)
            cols.append((cn, ct))
        sql = f"CREATE TABLE {r.choice(['', 'IF NOT EXISTS '])}{name} ({', '.join(defs)})"
        keys = ", ".join(f"c{i}" for i in range(nkeys))
        if model != "plain":
            word = {"dup": "DUPLICATE", "agg": "AGGREGATE", "uniq": "UNIQUE", "pk": "PRIMARY"}[model]
            sql += f" {word} KEY({keys})"
        if r.random() < 0.3:
            dcol = next((c for c, t in cols if base_family(t) in ("date", "datetime")), None)
            if dcol and r.random() < 0.6:
                sql += f" PARTITION BY date_trunc('{r.choice(['day', 'month', 'year', 'hour', 'week'])}', {dcol})"
            elif r.random() < 0.5:
                sql += (f" PARTITION BY RANGE(c0) (PARTITION p1 VALUES LESS THAN ('{r.randint(-10, 100)}'), "
                        f"PARTITION p2 VALUES LESS THAN (MAXVALUE))")
            else:
                sql += f" PARTITION BY LIST(c0) (PARTITION p1 VALUES IN ('1', '2'), PARTITION p2 VALUES IN ('3'))"
        if r.random() < 0.7:
            if r.random() < 0.85:
                sql += f" DISTRIBUTED BY HASH({r.choice(['c0', keys])}) BUCKETS {r.choice(['1', '2', '3', '8', '0', '64'])}"
            else:
                sql += " DISTRIBUTED BY RANDOM"
        if r.random() < 0.15:
            sql += f" ORDER BY ({keys})"
        if r.random() < 0.2:
            sql += (f" PROPERTIES ('replication_num' = '1'"
                    f"{r.choice(['', ', ' + chr(39) + 'partition_live_number' + chr(39) + ' = ' + chr(39) + '3' + chr(39)])})")
        if r.random() < 0.05:
            sub, _ = self.select(1)
            sql = f"CREATE TABLE {name} AS {sub}"
            return sql, None
        return sql, Table(name, cols, model)

    def ddl(self):
        r = self.rnd
        c = r.random()
        t = self.schema.pick(r, kinds=("table",))
        if c < 0.3 or t is None:
            sql, table = self.create_table()
            return sql, ("create", table)
        if c < 0.4:
            name = t.name
            return f"DROP TABLE {r.choice(['', 'IF EXISTS '])}{name}{r.choice(['', ' FORCE'])}", ("drop", name)
        if c < 0.62:
            action = r.random()
            if action < 0.35:
                cn, ct, d = self.column_def(r.randint(10, 40))
                return (f"ALTER TABLE {t.name} ADD COLUMN {d}{r.choice(['', ' FIRST', ' AFTER c0'])}",
                        ("addcol", t.name, (cn, ct)))
            if action < 0.55 and t.cols:
                cn = r.choice(t.cols)[0]
                return f"ALTER TABLE {t.name} DROP COLUMN {cn}", ("dropcol", t.name, cn)
            if action < 0.75 and t.cols:
                cn = r.choice(t.cols)[0]
                nt = r.choice(SCALAR_TYPES)
                return f"ALTER TABLE {t.name} MODIFY COLUMN {cn} {nt}", ("modcol", t.name, (cn, nt))
            if action < 0.85:
                return (f"ALTER TABLE {t.name} ADD PARTITION p{r.randint(3, 99)} VALUES LESS THAN ('{r.randint(0, 10 ** 4)}')",
                        None)
            if action < 0.92:
                return f"ALTER TABLE {t.name} DROP PARTITION {r.choice(['p1', 'p2', 'IF EXISTS p9'])}", None
            return f"ALTER TABLE {t.name} {r.choice(['', 'BASE ', 'CUMULATIVE '])}COMPACT", None
        if c < 0.75:
            name = f"v{r.randint(0, 4)}"
            sub, cols = self.select(2, named=True)
            return (f"CREATE {r.choice(['', 'OR REPLACE '])}VIEW {r.choice(['', 'IF NOT EXISTS '])}{name} AS {sub}",
                    ("view", Table(name, [(cn, ct) for cn, ct in cols], kind="view")))
        if c < 0.8:
            name = f"v{r.randint(0, 4)}"
            return f"DROP VIEW {r.choice(['', 'IF EXISTS '])}{name}", ("drop", name)
        if c < 0.85:
            return r.choice([f"CREATE DATABASE IF NOT EXISTS fz{self.client}", f"DROP DATABASE IF EXISTS fz{self.client}",
                             f"CREATE TABLE fz{self.client}.x (a INT)", f"USE fz{self.client}", f"USE {DB}",
                             f"CREATE DATABASE {DB}", "DROP DATABASE IF EXISTS nosuchdb"]), None
        if c < 0.9:
            return f"TRUNCATE TABLE {t.name}{r.choice(['', ' PARTITION (p1)'])}", None
        if c < 0.95:
            return f"CREATE INDEX i{r.randint(0, 3)} ON {t.name} (c0) USING BITMAP", None
        return f"ALTER TABLE {t.name} RENAME {t.name}x", None

    # -- DML

    def value_for(self, ctype):
        fam = base_family(ctype)
        r = self.rnd
        if r.random() < 0.1:
            return self.literal()
        if r.random() < 0.1:
            return "NULL"
        if fam == "int":
            return str(r.choice([r.randint(-20, 20), r.randint(-10 ** 6, 10 ** 6), 0, 1]))
        if fam in ("double", "decimal"):
            return f"{r.randint(-9999, 9999)}.{r.randint(0, 99)}"
        if fam == "date":
            return f"'2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}'"
        if fam == "datetime":
            return f"'2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}:00'"
        if fam == "json":
            return r.choice(["'{\"a\": 1}'", "'[1, 2]'", "'null'", "parse_json('{\"k\": \"v\"}')", "'not json'"])
        if fam == "array":
            return self.array_lit()
        if fam == "bitmap":
            return r.choice(["to_bitmap(1)", "bitmap_empty()", f"to_bitmap({r.randint(0, 1000)})", "bitmap_hash('x')"])
        if fam == "hll":
            return r.choice(["hll_hash('a')", "hll_empty()", f"hll_hash({r.randint(0, 1000)})"])
        return r.choice(["'a'", "'bb'", "''", f"'s{r.randint(0, 100)}'", "'long" + "x" * r.randint(0, 40) + "'"])

    def dml(self):
        r = self.rnd
        t = self.schema.pick(r, kinds=("table",))
        if t is None:
            return "INSERT INTO nosuch VALUES (1)"
        cols = t.cols
        c = r.random()
        if c < 0.45:
            rows = []
            for _ in range(r.choice([1, 1, 2, 5, 20, 200])):
                rows.append("(" + ", ".join(self.value_for(ct) for _, ct in cols) + ")")
            colspec = ""
            if r.random() < 0.2 and cols:
                picked = r.sample(cols, r.randint(1, len(cols)))
                colspec = " (" + ", ".join(cn for cn, _ in picked) + ")"
                rows = ["(" + ", ".join(self.value_for(ct) for _, ct in picked) + ")" for _ in rows]
            verb = r.choice(["INSERT INTO", "INSERT INTO", "INSERT OVERWRITE", "INSERT OR REPLACE INTO"])
            sql = f"{verb} {t.name}{colspec} VALUES {', '.join(rows)}"
            if r.random() < 0.05:
                sql += " ON DUPLICATE KEY UPDATE c1 = VALUES(c1)"
            if r.random() < 0.05:
                sql += " RETURNING *"
            return sql
        if c < 0.65:
            sub, _ = self.select(1)
            if r.random() < 0.5 and cols:
                items = ", ".join(r.choice([self.value_for(ct), self.column([("", "number", "BIGINT")])])
                                  for _, ct in cols)
                sub = f"SELECT {items} FROM numbers({r.choice([1, 10, 1000, 50000])})"
            return f"INSERT {r.choice(['INTO', 'OVERWRITE'])} {t.name} {sub}"
        scope = [("", cn, ct) for cn, ct in cols]
        if c < 0.82 and cols:
            cn, ct = r.choice(cols)
            sets = f"{cn} = {r.choice([self.value_for(ct), self.expr(scope, 2)])}"
            sql = f"UPDATE {t.name} SET {sets}"
            if r.random() < 0.15:
                other = self.schema.pick(r, kinds=("table",))
                if other:
                    sql += f" FROM {other.name}"
            if r.random() < 0.8:
                sql += f" WHERE {self.expr(scope, 2)}"
            return sql
        sql = f"DELETE FROM {t.name}"
        if r.random() < 0.1:
            other = self.schema.pick(r, kinds=("table",))
            if other:
                sql += f" USING {other.name}"
        if r.random() < 0.9:
            sql += f" WHERE {self.expr(scope, 2)}"
        return sql

    # -- session, show, explain

    def session(self):
        r = self.rnd
        c = r.random()
        if c < 0.35:
            var, val = r.choice([
                ("pipeline_dop", r.choice(["0", "1", "2", "64", "-1", "99999999999"])),
                ("query_mem_limit", r.choice(["0", "1", "1000", "1073741824", "-5"])),
                ("cte_max_recursion_depth", r.choice(["0", "1", "10", "100000", "-1"])),
                ("optimizer_disabled_rules", r.choice(["''", "'filter_pushdown'", "'join_order,top_n'", "'nonsense'",
                                                       "'filter_pushdown,remove_true_filter,join_order,column_pruning,"
                                                       "top_n,constant_folding,partition_pruning,zone_map_filter,"
                                                       "semi_join_side'"])),
                ("time_zone", r.choice(["'UTC'", "'+08:00'", "'Asia/Shanghai'", "'bogus'", "'-14:00'", "'+25:00'"])),
                ("sql_mode", r.choice(["''", "'ONLY_FULL_GROUP_BY'", "'STRICT_TRANS_TABLES'", "'garbage'"])),
                ("group_concat_max_len", r.choice(["1", "4", "1024", "0"])),
                ("sql_select_limit", r.choice(["1", "0", "DEFAULT", "18446744073709551615"])),
                ("autocommit", r.choice(["0", "1", "ON", "maybe"])),
                ("div_precision_increment", r.choice(["0", "4", "30", "31"])),
                ("names", "utf8mb4"),
                ("@x", self.literal()),
                ("nosuch_variable", "1"),
            ])
            if var == "names":
                return f"SET NAMES {r.choice(['utf8mb4', 'latin1', 'DEFAULT', 'binary'])}"
            return f"SET {r.choice(['', 'SESSION ', '@@session.'])}{var} = {val}" if not var.startswith("@") else f"SET {var} = {val}"
        if c < 0.55:
            t = self.schema.pick(r)
            tn = t.name if t else "nosuch"
            return r.choice(["SHOW TABLES", "SHOW DATABASES", "SHOW VARIABLES LIKE '%dop%'", "SHOW FULL PROCESSLIST",
                             f"SHOW CREATE TABLE {tn}", f"DESC {tn}", f"SHOW COLUMNS FROM {tn}",
                             f"SHOW PARTITIONS FROM {tn}", "SHOW TABLE STATUS", "SHOW WARNINGS", "SHOW ERRORS",
                             "SHOW FUNCTIONS", "SHOW PROCESSLIST", "SHOW STATUS", "SHOW ENGINES", "SHOW COLLATION",
                             "SHOW CHARSET", "SHOW GRANTS", "SHOW USERS", f"SHOW INDEX FROM {tn}", "SHOW LOAD",
                             "SHOW ROUTINE LOAD", "SELECT * FROM information_schema.tables",
                             "SELECT * FROM information_schema.columns WHERE table_schema = 'fuzz'",
                             "SELECT * FROM information_schema.routine_load_errors", "SHOW CREATE DATABASE fuzz"])
        if c < 0.75:
            sub, _ = self.select(2)
            return f"EXPLAIN {r.choice(['', 'ANALYZE ', 'VERBOSE ', 'COSTS ', 'LOGICAL '])}{sub}"
        if c < 0.85:
            return r.choice(["BEGIN", "COMMIT", "ROLLBACK", "START TRANSACTION", "START TRANSACTION READ ONLY",
                             "BEGIN WORK", "COMMIT WORK", "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"])
        return r.choice([f"KILL QUERY {r.randint(0, 99999)}", "KILL 999999", "KILL QUERY 18446744073709551616",
                         "SELECT CONNECTION_ID()", "SELECT DATABASE(), USER(), VERSION()", "SELECT @@version_comment",
                         "SELECT sleep(0)", "DO 1", "CREATE USER IF NOT EXISTS fuzzuser IDENTIFIED BY 'x'",
                         "DROP USER IF EXISTS fuzzuser", "ALTER USER IF EXISTS fuzzuser IDENTIFIED BY 'y'",
                         "SET PASSWORD FOR fuzzuser = 'z'", "GRANT ALL ON *.* TO fuzzuser", "FLUSH PRIVILEGES",
                         "ANALYZE TABLE t0", "OPTIMIZE TABLE t0", "REFRESH MATERIALIZED VIEW mv",
                         "SELECT * FROM FILES('path' = '/nonexistent/*.parquet')",
                         "SELECT * FROM FILES('path' = '/etc/hostname', 'format' = 'csv')",
                         "SELECT $1 FROM FILES('path' = '/dev/null', 'format' = 'json')"])

    # -- malformed statements

    def huge(self):
        r = self.rnd
        c = r.randint(0, 13)
        n = r.choice([100, 1000, 5000, 20000, 100000])
        if c == 0:
            return "SELECT " + "(" * n + "1" + ")" * n
        if c == 1:
            return "SELECT " + "-" * n + "1"
        if c == 2:
            return "SELECT " + "NOT " * n + "1"
        if c == 3:
            return "SELECT 1 IN (" + ", ".join(str(i) for i in range(n)) + ")"
        if c == 4:
            return " UNION ALL ".join(["SELECT 1"] * min(n, 5000))
        if c == 5:
            return "SELECT " + " + ".join(["1"] * n)
        if c == 6:
            return "SELECT " + "9" * n
        if c == 7:
            return "SELECT '" + "x" * (n * 10) + "'"
        if c == 8:
            return "SELECT " + "(SELECT " * min(n, 3000) + "1" + ")" * min(n, 3000)
        if c == 9:
            return "SELECT " + "CASE WHEN 1 THEN " * min(n, 3000) + "1" + " END" * min(n, 3000)
        if c == 10:
            return "SELECT " + ", ".join(f"{i}" for i in range(n))
        if c == 11:
            return "WITH " + ", ".join(f"c{i} AS (SELECT {'1' if i == 0 else f'* FROM c{i - 1}'})" for i in range(min(n, 2000))) + \
                f" SELECT * FROM c{min(n, 2000) - 1}"
        if c == 12:
            return "SELECT abs(" * min(n, 5000) + "1" + ")" * min(n, 5000)
        return "SELECT 1 FROM " + " JOIN ".join(f"numbers(2) n{i}" for i in range(min(n, 200))) + " ON TRUE" * 0

    def mutate(self, sql):
        r = self.rnd
        tokens = re.findall(r"'(?:[^']|'')*'|\w+|[^\w\s]", sql)
        if not tokens:
            return sql
        c = r.randint(0, 11)
        if c == 0:
            return sql[:r.randint(0, len(sql))]
        if c == 1 and len(tokens) > 1:
            i = r.randrange(len(tokens))
            del tokens[i]
        elif c == 2 and len(tokens) > 1:
            i, j = r.randrange(len(tokens)), r.randrange(len(tokens))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif c == 3:
            i = r.randrange(len(tokens))
            tokens.insert(i, tokens[i])
        elif c == 4:
            tokens.insert(r.randrange(len(tokens) + 1), r.choice(KEYWORDS))
        elif c == 5:
            tokens.insert(r.randrange(len(tokens) + 1), r.choice(PUNCT))
        elif c == 6:
            i = r.randrange(len(tokens))
            tokens[i] = r.choice([self.int_lit(), self.num_lit(), self.str_lit(), "NULL", "*"])
        elif c == 7:
            b = bytearray(sql.encode("utf-8", "surrogateescape"))
            for _ in range(r.randint(1, 5)):
                if b:
                    b[r.randrange(len(b))] = r.randrange(256)
            return b  # raw bytes, maybe not UTF-8
        elif c == 8:
            return sql + ";" + r.choice([" SELECT 1", "", " ;", " DROP TABLE nosuch", " SELECT"])
        elif c == 9:
            return sql + r.choice([" /*", " --", " '", ' "', " `", " (", " \\", "\x00", " #"])
        elif c == 10:
            return bytes(r.randrange(256) for _ in range(r.randint(1, 200)))
        else:
            i = r.randrange(len(tokens))
            tokens.insert(i, "(")
            tokens.insert(r.randint(i + 1, len(tokens)), ")")
        return " ".join(tokens)

    # -- dispatch

    def statement(self):
        r = self.rnd.random()
        if r < 0.40:
            s = self.select(self.rnd.randint(1, 3))[0]
        elif r < 0.58:
            s = self.dml()
        elif r < 0.66:
            s = self.ddl()[0]
        elif r < 0.74:
            s = self.session()
        elif r < 0.76:
            s = self.huge()
        else:
            base = self.rnd.random()
            s = self.select(2)[0] if base < 0.5 else self.dml() if base < 0.75 else self.ddl()[0]
            s = self.mutate(s)
            if self.rnd.random() < 0.2:
                s = self.mutate(s) if isinstance(s, str) else s
        return s


# ---------------------------------------------------------------------------------------------
# The harness


def setup_statements():
    """The starting schema: one table per model and most types."""
    return [
        f"CREATE DATABASE IF NOT EXISTS {DB}",
        f"USE {DB}",
        "CREATE TABLE IF NOT EXISTS t0 (c0 INT, c1 VARCHAR(20), c2 DOUBLE, c3 DECIMAL(10,2), c4 DATE, c5 BOOLEAN) "
        "DUPLICATE KEY(c0) DISTRIBUTED BY HASH(c0) BUCKETS 3",
        "CREATE TABLE IF NOT EXISTS t1 (c0 BIGINT NOT NULL, c1 VARCHAR(20), c2 DATETIME, c3 JSON, c4 ARRAY<INT>) "
        "PRIMARY KEY(c0) DISTRIBUTED BY HASH(c0) BUCKETS 2",
        "CREATE TABLE IF NOT EXISTS t2 (c0 DATE NOT NULL, c1 VARCHAR(8) NOT NULL, c2 BIGINT SUM DEFAULT '0', "
        "c3 DECIMAL(12,2) SUM, c4 INT MAX, c5 VARCHAR(10) REPLACE, c6 BITMAP BITMAP_UNION, c7 HLL HLL_UNION) "
        "AGGREGATE KEY(c0, c1) DISTRIBUTED BY HASH(c1) BUCKETS 2",
        "CREATE TABLE IF NOT EXISTS t3 (c0 INT, c1 LARGEINT, c2 FLOAT, c3 VARCHAR(20), c4 ARRAY<VARCHAR(10)>) "
        "UNIQUE KEY(c0) DISTRIBUTED BY HASH(c0) BUCKETS 4",
        "CREATE TABLE IF NOT EXISTS t4 (c0 DATETIME, c1 INT, c2 DECIMAL(38,9), c3 TINYINT, c4 SMALLINT) "
        "DUPLICATE KEY(c0) PARTITION BY date_trunc('day', c0) DISTRIBUTED BY HASH(c1) BUCKETS 2",
        "CREATE TABLE IF NOT EXISTS t5 (c0 INT, c1 STRING, c2 JSON, c3 ARRAY<ARRAY<INT>>, c4 DATE)",
        "INSERT INTO t0 SELECT number % 13, concat('s', number % 7), number / 4, number * 1.25, "
        "CAST('2024-01-01' AS DATE) + INTERVAL (number % 50) DAY, number % 2 = 0 FROM numbers(300)",
        "INSERT INTO t0 VALUES (NULL, NULL, NULL, NULL, NULL, NULL)",
        "INSERT INTO t1 SELECT number, concat('k', number), CAST('2024-05-01' AS DATETIME) + INTERVAL number MINUTE, "
        "parse_json(concat('{\"a\": ', number, ', \"b\": [1, 2]}')), [number, number + 1] FROM numbers(100)",
        "INSERT INTO t2 SELECT CAST('2024-05-01' AS DATE) + INTERVAL (number % 3) DAY, concat('r', number % 4), 1, "
        "number, number, 'x', to_bitmap(number % 17), hll_hash(number % 23) FROM numbers(200)",
        "INSERT INTO t3 VALUES (1, 170141183460469231731687303715884105727, 1.5, 'a', ['x', 'y']), "
        "(2, -5, NULL, NULL, NULL), (3, 0, -0.0, '', [])",
        "INSERT INTO t4 SELECT CAST('2024-05-01' AS DATETIME) + INTERVAL (number % 5) DAY, number, number / 7, "
        "number % 100, number FROM numbers(100)",
        "INSERT INTO t5 VALUES (1, 'a', '{\"x\": 1}', [[1], [2, 3]], '2024-01-01'), (2, NULL, NULL, NULL, NULL)",
    ]


def initial_schema():
    s = Schema()
    s.put(Table("t0", [("c0", "INT"), ("c1", "VARCHAR(20)"), ("c2", "DOUBLE"), ("c3", "DECIMAL(10,2)"),
                       ("c4", "DATE"), ("c5", "BOOLEAN")]))
    s.put(Table("t1", [("c0", "BIGINT"), ("c1", "VARCHAR(20)"), ("c2", "DATETIME"), ("c3", "JSON"),
                       ("c4", "ARRAY<INT>")], "pk"))
    s.put(Table("t2", [("c0", "DATE"), ("c1", "VARCHAR(8)"), ("c2", "BIGINT"), ("c3", "DECIMAL(12,2)"), ("c4", "INT"),
                       ("c5", "VARCHAR(10)"), ("c6", "BITMAP"), ("c7", "HLL")], "agg"))
    s.put(Table("t3", [("c0", "INT"), ("c1", "LARGEINT"), ("c2", "FLOAT"), ("c3", "VARCHAR(20)"),
                       ("c4", "ARRAY<VARCHAR(10)>")], "uniq"))
    s.put(Table("t4", [("c0", "DATETIME"), ("c1", "INT"), ("c2", "DECIMAL(38,9)"), ("c3", "TINYINT"),
                       ("c4", "SMALLINT")]))
    s.put(Table("t5", [("c0", "INT"), ("c1", "STRING"), ("c2", "JSON"), ("c3", "ARRAY<ARRAY<INT>>"), ("c4", "DATE")],
                "plain"))
    return s


def text_of(stmt):
    if isinstance(stmt, (bytes, bytearray)):
        return "-- raw bytes: " + bytes(stmt).hex()
    return stmt


class Findings:
    """Everything worth a human's look, written to --out as it happens."""

    def __init__(self, out):
        self.out = out
        os.makedirs(out, exist_ok=True)
        self.lock = threading.Lock()
        self.crashes = []
        self.hangs = []
        self.drops = []
        self.stuck = []
        self.internal = collections.Counter()
        self.internal_examples = {}
        self.slow = []
        self.errors = collections.Counter()

    def write(self, name, text):
        path = os.path.join(self.out, name)
        with open(path, "w") as fh:
            fh.write(text)
        return path

    def append(self, name, text):
        with self.lock, open(os.path.join(self.out, name), "a") as fh:
            fh.write(text)


class Client(threading.Thread):
    def __init__(self, fuzz, idx):
        super().__init__(daemon=True, name=f"client-{idx}")
        self.fuzz = fuzz
        self.idx = idx
        self.rnd = random.Random(fuzz.seed * 1000 + idx)
        self.gen = SqlGen(self.rnd, fuzz.schema, fuzz.functions, idx)
        self.history = collections.deque(maxlen=30)  # (time, statement, outcome)
        self.in_flight = None  # (start time, statement)
        self.conn = None
        self.raw = None
        self.sent = 0

    def connect(self):
        self.close()
        self.conn = connect(self.fuzz.host, self.fuzz.port, database=DB, read_timeout=self.fuzz.args.statement_timeout,
                            client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS)
        with self.conn.cursor() as cur:
            cur.execute("SET query_timeout = %d" % max(int(self.fuzz.args.statement_timeout) - 5, 5))
        self.connection_id = self.conn.thread_id()
        self.generation = self.fuzz.generation

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001
                pass
        self.conn = None
        if self.raw is not None:
            try:
                self.raw.close()
            except Exception:  # noqa: BLE001
                pass
        self.raw = None

    def run(self):
        f = self.fuzz
        while not f.stop.is_set():
            if not f.take_ticket():
                break
            f.paused.wait()
            try:
                if self.conn is None:
                    self.connect()
            except Exception:  # noqa: BLE001 - the server may be restarting
                f.return_ticket()
                time.sleep(0.5)
                continue
            stmt = self.gen.statement()
            if f.skip and isinstance(stmt, str) and f.skip.search(stmt):
                f.skipped += 1
                continue
            self.execute(stmt)

    def execute(self, stmt):
        f = self.fuzz
        started = time.time()
        self.in_flight = (started, stmt)
        outcome = "ok"
        prepared = isinstance(stmt, str) and mysql_raw is not None and self.rnd.random() < f.args.prepared
        try:
            if prepared:
                self.execute_prepared(stmt)
            else:
                self.conn.query(bytes(stmt) if isinstance(stmt, (bytes, bytearray)) else stmt)
                # Multi-statement text: read every result.
                while self.conn._result is not None and self.conn._result.has_next:
                    self.conn.next_result()
        except pymysql.err.OperationalError as e:
            code = e.args[0] if e.args else 0
            if code in LOST_ERRNOS or (isinstance(code, int) and code >= 2000):
                outcome = f"lost connection ({code})"
                self.lost(stmt, started, f"{type(e).__name__}: {e}")
            else:
                outcome = self.sql_error(code, e, stmt)
        except pymysql.err.MySQLError as e:
            code = e.args[0] if e.args else 0
            if isinstance(e, pymysql.err.InterfaceError) or (isinstance(code, int) and code >= 2000):
                outcome = f"lost connection ({e})"
                self.lost(stmt, started, f"{type(e).__name__}: {e}")
            else:
                outcome = self.sql_error(code, e, stmt)
        except RawError as e:
            outcome = self.sql_error(e.code, e, stmt)
        except UnicodeDecodeError:
            # The server echoed bytes that are not UTF-8 (the statement had them): pymysql cannot
            # decode the result. Not a server failure; the connection is in an unknown state.
            outcome = "result not UTF-8 (client side)"
            self.close()
        except (ConnectionError, OSError, socket.timeout, struct_error(), AssertionError, IndexError, ValueError) as e:
            outcome = f"lost connection ({type(e).__name__}: {e})"
            self.lost(stmt, started, f"{type(e).__name__}: {e}")
        except Exception as e:  # noqa: BLE001 - a client-side bug must not stop the run
            outcome = f"client exception {type(e).__name__}: {e}"
            f.findings.append("client_exceptions.txt", f"{text_of(stmt)[:2000]}\n{traceback.format_exc()}\n")
            self.close()
        elapsed = time.time() - started
        self.in_flight = None
        self.sent += 1
        self.history.append((started, stmt, outcome, elapsed))
        if elapsed >= f.args.slow_seconds:
            f.findings.slow.append((elapsed, stmt))
            f.findings.append("slow.txt", f"-- {elapsed:.1f} s, client {self.idx}, {outcome}\n{text_of(stmt)};\n\n")
        if outcome == "ok" and isinstance(stmt, str):
            self.track_schema(stmt)
        f.count_done()

    def execute_prepared(self, stmt):
        if self.raw is None:
            self.raw = mysql_raw.RawClient(self.fuzz.port)
            self.raw.sock.settimeout(self.fuzz.args.statement_timeout)
            self.raw.query(f"USE {DB}")
        sql = stmt
        # Parameters in place of some literals.
        sql, n = re.subn(r"(?<![\w.'])(\d+)(?![\w.'])", lambda m: "?" if self.rnd.random() < 0.5 else m.group(1), sql)
        try:
            stmt_id, nparams, _ = self.raw.prepare(sql)
        except RuntimeError as e:
            raise RawError(e.args[0])
        params = []
        for _ in range(nparams):
            params.append(self.rnd.choice([(mysql_raw.T_LONGLONG, self.rnd.randint(-5, 5)), (mysql_raw.T_NULL, None),
                                           (mysql_raw.T_VAR_STRING, "x"), (mysql_raw.T_DOUBLE, 2.5),
                                           (mysql_raw.T_LONGLONG, 2 ** 63 - 1), (mysql_raw.T_DATE, (2024, 2, 29)),
                                           (mysql_raw.T_NEWDECIMAL, "12.345")]))
        try:
            self.raw.execute(stmt_id, params)
        except RuntimeError as e:
            raise RawError(e.args[0])
        finally:
            try:
                self.raw.close_statement(stmt_id)
            except Exception:  # noqa: BLE001
                pass

    def sql_error(self, code, e, stmt):
        f = self.fuzz
        with f.findings.lock:
            f.findings.errors[code] += 1
        msg = str(e.args[1] if len(getattr(e, "args", ())) > 1 else e)
        if code == INTERNAL_ERRNO:
            key = re.sub(r"\d+", "N", msg)[:120]
            with f.findings.lock:
                f.findings.internal[key] += 1
                first = key not in f.findings.internal_examples
                if first:
                    f.findings.internal_examples[key] = text_of(stmt)[:4000]
            if first:
                f.findings.append("internal_errors.txt", f"-- errno 1105: {msg}\n{text_of(stmt)[:4000]};\n\n")
        return f"error {code}"

    def lost(self, stmt, started, detail):
        """The connection died: a crash (server gone), a hang, a statement that outran
        --statement-timeout, or a dropped connection."""
        f = self.fuzz
        connection_id = getattr(self, "connection_id", None)
        self.close()
        if "timed out" in detail and time.time() - started >= f.args.statement_timeout - 1:
            f.record_stuck(self, stmt, started, connection_id)
            return
        f.on_lost(self, stmt, started, detail)

    def track_schema(self, stmt):
        s = self.fuzz.schema
        m = re.match(r"\s*CREATE TABLE (?:IF NOT EXISTS )?(\w+) \((.*)\)", stmt, re.S)
        if m and " AS " not in stmt[:60]:
            cols = re.findall(r"(?:^|, )(c\d+) ((?:ARRAY<[^ ]*>|DECIMAL\(\d+,\d+\)|\w+(?:\(\d+\))?))", m.group(2))
            if cols and m.group(1) not in s.names():
                s.put(Table(m.group(1), cols))
            return
        m = re.match(r"\s*DROP (?:TABLE|VIEW) (?:IF EXISTS )?(\w+)", stmt)
        if m:
            s.drop(m.group(1))
            return
        m = re.match(r"\s*CREATE (?:OR REPLACE )?VIEW (?:IF NOT EXISTS )?(\w+) AS", stmt)
        if m:
            s.put(Table(m.group(1), [("c0", "INT"), ("c1", "INT")], kind="view"))
            return
        m = re.match(r"\s*ALTER TABLE (\w+) ADD COLUMN (c\d+) (\S+)", stmt)
        if m:
            with s.lock:
                t = s.tables.get(m.group(1))
                if t:
                    t.cols = t.cols + [(m.group(2), m.group(3))]
            return
        m = re.match(r"\s*ALTER TABLE (\w+) DROP COLUMN (c\d+)", stmt)
        if m:
            with s.lock:
                t = s.tables.get(m.group(1))
                if t:
                    t.cols = [c for c in t.cols if c[0] != m.group(2)]


class RawError(Exception):
    def __init__(self, info):
        super().__init__(info)
        self.code = info[0] if isinstance(info, tuple) else 0
        self.args = (self.code, info[2] if isinstance(info, tuple) and len(info) > 2 else str(info))


def struct_error():
    import struct
    return struct.error


class Fuzzer:
    def __init__(self, args):
        self.args = args
        self.seed = args.seed if args.seed is not None else random.randrange(1 << 31)
        self.stop = threading.Event()
        self.paused = threading.Event()
        self.paused.set()
        self.lock = threading.Lock()
        self.tickets = args.statements
        self.done = 0
        self.skipped = 0
        self.skip = re.compile(args.skip, re.I | re.S) if args.skip else None
        self.findings = Findings(args.out)
        self.schema = initial_schema()
        self.functions = []
        self.process = None
        self.failed = False
        self.recovering = threading.Lock()
        self.started = time.time()
        self.generation = 0  # server starts so far: a client connected to an older one lost it to a restart

    # -- counters shared by the clients

    def take_ticket(self):
        with self.lock:
            if self.tickets <= 0:
                return False
            if self.args.seconds and time.time() - self.started > self.args.seconds:
                return False
            self.tickets -= 1
            return True

    def return_ticket(self):
        with self.lock:
            self.tickets += 1

    def count_done(self):
        with self.lock:
            self.done += 1

    # -- server

    def start_server(self):
        if self.args.floe:
            if self.process is None:
                extra = ["--memory-limit", self.args.memory_limit] if self.args.memory_limit else []
                self.process = FloeProcess(self.args.floe, data_dir=self.args.data_dir, extra_args=extra,
                                           log_path=os.path.join(self.args.out, "floe.log"),
                                           core_dir=os.path.join(self.args.out, "cores"))
                self.process.start()
            else:
                self.process.stop(timeout=20)
                try:
                    self.process.start()
                except RuntimeError as e:
                    # The data directory does not come back: a finding of its own; go on with a new one.
                    self.findings.append("restart_failures.txt", f"{time.ctime()}\n{e}\n\n")
                    self.process.restart(fresh_dir=True)
            self.host, self.port = "127.0.0.1", self.process.port
        else:
            self.host, self.port = self.args.host, self.args.port
        conn = connect(self.host, self.port)
        with conn.cursor() as cur:
            for s in setup_statements():
                try:
                    cur.execute(s)
                except pymysql.err.MySQLError as e:
                    if self.generation == 0:  # after a restart the fuzzed schema differs: expected
                        print(f"setup statement failed: {s[:80]}: {e}", file=sys.stderr)
            cur.execute("SHOW FUNCTIONS")
            self.functions = sorted({r[0] for r in cur.fetchall()})
        conn.close()

    # -- failures

    def on_lost(self, client, stmt, started, detail):
        """Called by a client whose connection died."""
        with self.recovering:
            if self.stop.is_set() or getattr(client, "generation", self.generation) != self.generation:
                return  # the server it talked to crashed and was restarted: already reported
            alive = self.process.alive() if self.process else True
            if alive:
                time.sleep(0.5)
                alive = self.process.alive() if self.process else True
            answering = alive and ping(self.host, self.port, timeout=self.args.hang_seconds)
            if alive and answering:
                self.record_drop(client, stmt, started, detail)
                return
            if alive and not answering:
                self.record_hang("a client's connection died and SELECT 1 gets no answer")
            else:
                self.record_crash(client, stmt)
            self.recover()

    def snapshot(self):
        """The statements in flight and each client's recent history."""
        now = time.time()
        lines = ["== statements in flight =="]
        for c in self.clients:
            if c.in_flight:
                t, s = c.in_flight
                lines.append(f"-- client {c.idx}, running for {now - t:.1f} s\n{text_of(s)[:20000]};")
        lines.append("\n== each client's last statements (oldest first) ==")
        for c in self.clients:
            lines.append(f"\n-- client {c.idx}")
            for t, s, outcome, el in list(c.history)[-self.args.history:]:
                lines.append(f"-- [{outcome}, {el:.2f} s]\n{text_of(s)[:4000]};")
        return "\n".join(lines)

    def record_crash(self, client, stmt):
        self.failed = True
        n = len(self.findings.crashes) + 1
        how = self.process.describe_exit() if self.process else "not answering"
        bt = self.process.backtrace() if self.process else ""
        text = [f"seed {self.seed}; the server {how} after {self.done} statements",
                f"the client that noticed: {client.idx}; its statement:\n{text_of(stmt)[:20000]};\n"]
        if bt:
            text.append("== backtrace ==\n" + bt)
        text.append(self.snapshot())
        if self.process:
            text.append("\n== server log (tail) ==\n" + self.process.log_tail(80))
        path = self.findings.write(f"crash-{n:03d}.txt", "\n".join(text) + "\n")
        culprits = [c.in_flight[1] for c in self.clients if c.in_flight] or [stmt]
        self.findings.crashes.append((path, culprits, bt))
        top = next((line for line in bt.splitlines() if line.startswith("#0")), "")
        print(f"CRASH ({how}) -> {path}\n  {top[:200]}\n  in flight: " +
              " | ".join(text_of(s)[:150] for s in culprits), flush=True)

    def record_hang(self, why):
        self.failed = True
        n = len(self.findings.hangs) + 1
        stacks = ""
        if self.process and self.process.alive():
            try:
                stacks = subprocess.run(["gdb", "-p", str(self.process.proc.pid), "-batch", "-ex",
                                         "thread apply all bt 25"], capture_output=True, text=True, timeout=120).stdout
            except Exception as e:  # noqa: BLE001
                stacks = f"(gdb failed: {e})"
        text = f"seed {self.seed}; {why} for {self.args.hang_seconds} s after {self.done} statements\n\n" + \
            self.snapshot() + "\n\n== server threads ==\n" + "\n".join(
                line for line in stacks.splitlines() if line.startswith(("#", "Thread")))
        path = self.findings.write(f"hang-{n:03d}.txt", text)
        self.findings.hangs.append(path)
        print(f"HANG: {why} -> {path}", flush=True)
        if self.process:
            self.process.kill()

    def record_stuck(self, client, stmt, started, connection_id):
        """A statement ran past --statement-timeout although the session's query_timeout is lower:
        the server did not stop it. KILL QUERY it, note whether that worked, and fail the run."""
        self.failed = True
        killed = "not tried"
        if connection_id is not None:
            try:
                conn = connect(self.host, self.port, read_timeout=30)
                with conn.cursor() as cur:
                    cur.execute(f"KILL QUERY {connection_id}")
                conn.close()
                killed = "KILL QUERY accepted"
            except Exception as e:  # noqa: BLE001
                killed = f"KILL QUERY failed: {e}"
        with self.findings.lock:
            self.findings.stuck.append(stmt)
            n = len(self.findings.stuck)
        path = self.findings.write(f"stuck-{n:03d}.txt",
                                   f"seed {self.seed}; client {client.idx}: no answer after {time.time() - started:.0f} s "
                                   f"(query_timeout {max(int(self.args.statement_timeout) - 5, 5)} s); {killed}\n\n"
                                   f"{text_of(stmt)[:20000]};\n")
        print(f"STUCK STATEMENT -> {path}: {text_of(stmt)[:200]}", flush=True)

    def record_drop(self, client, stmt, started, detail):
        self.failed = True
        n = len(self.findings.drops) + 1
        path = self.findings.write(f"dropped-{n:03d}.txt",
                                   f"seed {self.seed}; client {client.idx} lost its connection after "
                                   f"{time.time() - started:.1f} s without an ERR packet ({detail}); the server "
                                   f"stays up.\n\n{text_of(stmt)[:20000]};\n")
        self.findings.drops.append((path, stmt))
        print(f"DROPPED CONNECTION -> {path}: {text_of(stmt)[:200]}", flush=True)

    def recover(self):
        if not self.args.restart or self.process is None:
            self.stop.set()
            return
        self.paused.clear()
        for c in self.clients:
            c.close()
        try:
            self.start_server()
            self.generation += 1
        except Exception as e:  # noqa: BLE001
            print(f"could not restart the server: {e}", flush=True)
            self.stop.set()
        finally:
            self.paused.set()

    # -- monitor

    def monitor(self):
        last_check = time.time()
        next_batch = self.args.batch
        last_report = time.time()
        while not self.stop.is_set():
            time.sleep(0.5)
            if self.process and not self.process.alive() and not self.recovering.locked():
                with self.recovering:
                    if not self.process.alive() and not self.stop.is_set():
                        stuck = next((c for c in self.clients if c.in_flight), self.clients[0])
                        self.record_crash(stuck, stuck.in_flight[1] if stuck.in_flight else "(between statements)")
                        self.recover()
                continue
            if self.done >= next_batch or time.time() - last_check > 5:
                next_batch = self.done + self.args.batch
                last_check = time.time()
                if self.recovering.locked() or not self.paused.is_set():
                    continue
                generation = self.generation
                if not ping(self.host, self.port, timeout=self.args.hang_seconds):
                    with self.recovering:
                        if generation != self.generation or (self.process and not self.process.alive()):
                            continue  # restarted meanwhile, or crashed: the crash path reports it
                        if ping(self.host, self.port, timeout=5):
                            continue
                        self.record_hang("the server does not answer SELECT 1")
                        self.recover()
                        continue
                # A statement running far beyond its timeout: the server did not stop it.
                for c in self.clients:
                    if c.in_flight and time.time() - c.in_flight[0] > self.args.statement_timeout + 30:
                        self.findings.append("stuck.txt", f"-- client {c.idx}, {time.time() - c.in_flight[0]:.0f} s\n"
                                                          f"{text_of(c.in_flight[1])[:4000]};\n\n")
            if time.time() - last_report > 30:
                last_report = time.time()
                el = time.time() - self.started
                print(f"{self.done} statements, {el:.0f} s ({self.done / max(el, 1):.0f}/s), "
                      f"crashes {len(self.findings.crashes)}, hangs {len(self.findings.hangs)}, "
                      f"drops {len(self.findings.drops)}, internal errors {sum(self.findings.internal.values())}, "
                      f"slow {len(self.findings.slow)}", flush=True)

    def run(self):
        print(f"sql_fuzz.py seed {self.seed} (rerun with --seed {self.seed}); findings in {self.args.out}", flush=True)
        self.start_server()
        self.clients = [Client(self, i) for i in range(self.args.clients)]
        mon = threading.Thread(target=self.monitor, daemon=True)
        for c in self.clients:
            c.start()
        mon.start()
        try:
            while any(c.is_alive() for c in self.clients):
                for c in self.clients:
                    c.join(timeout=1)
        except KeyboardInterrupt:
            self.stop.set()
        self.stop.set()
        mon.join(timeout=5)
        # Last check: the server must still answer.
        final_ok = ping(self.host, self.port, timeout=self.args.hang_seconds) and (
            self.process is None or self.process.alive())
        if not final_ok and not self.findings.crashes and not self.findings.hangs:
            self.failed = True
            print("the server does not answer after the run", flush=True)
        return self.report(final_ok)

    def report(self, final_ok):
        f = self.findings
        el = time.time() - self.started
        if self.args.isolate and self.args.floe:
            for path, culprits, _ in f.crashes:
                self.isolate(path, culprits)
        summary = {
            "seed": self.seed, "statements": self.done, "skipped": self.skipped, "seconds": round(el, 1),
            "clients": self.args.clients, "crashes": [p for p, _, _ in f.crashes], "hangs": f.hangs,
            "dropped_connections": [p for p, _ in f.drops], "stuck_statements": len(f.stuck),
            "internal_errors": dict(f.internal.most_common()),
            "slow_statements": len(f.slow), "errors_by_errno": dict(f.errors.most_common()),
            "server_answers_at_end": final_ok,
        }
        f.write("summary.json", json.dumps(summary, indent=2) + "\n")
        print(json.dumps(summary, indent=2))
        if self.process:
            self.process.stop()
            self.process.cleanup()
        strict_fail = self.args.strict and f.internal
        return 1 if (self.failed or strict_fail) else 0

    def isolate(self, path, culprits):
        """Replays each statement that was in flight at a crash alone on a fresh server (with the
        starting schema) and notes which of them crash it by themselves."""
        notes = []
        for stmt in culprits:
            verdict = replay_one(self.args, stmt)
            notes.append(f"{text_of(stmt)[:20000]};\n--   ^ alone on a fresh server: {verdict}\n")
            print(f"  isolate: {verdict}: {text_of(stmt)[:150]}", flush=True)
        with open(path, "a") as fh:
            fh.write("\n== replayed alone ==\n" + "\n".join(notes) + "\n")


def replay_one(args, stmt, setup=True):
    p = FloeProcess(args.floe, extra_args=["--memory-limit", args.memory_limit] if args.memory_limit else [])
    try:
        p.start()
        conn = connect("127.0.0.1", p.port, read_timeout=args.statement_timeout)
        with conn.cursor() as cur:
            if setup:
                for s in setup_statements():
                    try:
                        cur.execute(s)
                    except pymysql.err.MySQLError:
                        pass
            try:
                if isinstance(stmt, (bytes, bytearray)):
                    conn.query(bytes(stmt))
                else:
                    conn.query(stmt)
                result = "no error"
            except pymysql.err.MySQLError as e:
                result = f"error {e.args[0] if e.args else ''}"
        time.sleep(0.5)
        if not p.alive():
            return f"CRASHES the server ({p.describe_exit()})"
        return f"does not crash ({result})"
    except Exception as e:  # noqa: BLE001
        time.sleep(0.5)
        if not p.alive():
            return f"CRASHES the server ({p.describe_exit()})"
        return f"inconclusive ({e})"
    finally:
        p.kill()
        p.cleanup()


def replay_file(args):
    """--replay: runs a file's statements in order on one connection; reports the first that takes
    the server down."""
    text = open(args.replay).read()
    stmts = [s.strip() for s in re.split(r";\s*\n", text) if s.strip() and not s.strip().startswith("--")]
    p = None
    if args.floe:
        p = FloeProcess(args.floe, extra_args=["--memory-limit", args.memory_limit] if args.memory_limit else [],
                        core_dir=os.path.join(args.out, "cores"))
        p.start()
        host, port = "127.0.0.1", p.port
    else:
        host, port = args.host, args.port
    conn = connect(host, port, read_timeout=args.statement_timeout)
    with conn.cursor() as cur:
        for s in setup_statements() if not args.no_setup else []:
            try:
                cur.execute(s)
            except pymysql.err.MySQLError:
                pass
    status = 0
    for i, s in enumerate(stmts):
        t = time.time()
        try:
            conn.query(s)
            outcome = "ok"
        except pymysql.err.MySQLError as e:
            outcome = f"error {e.args[0] if e.args else ''}: {str(e.args[1] if len(e.args) > 1 else e)[:200]}"
        el = time.time() - t
        print(f"[{i + 1}/{len(stmts)}] {outcome} ({el:.2f} s): {s[:200]}")
        if outcome.startswith("error 20") or (p and not p.alive()):
            time.sleep(0.5)
            if p and not p.alive():
                print(f"the server {p.describe_exit()} on statement {i + 1}")
                bt = p.backtrace()
                if bt:
                    print(bt)
                status = 1
                break
            conn = connect(host, port, read_timeout=args.statement_timeout)
            conn.select_db(DB)
    if p:
        p.stop()
        p.cleanup()
    return status


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--floe", help="start this floe binary on a temporary data directory")
    ap.add_argument("--data-dir", help="data directory for --floe (default: a temporary one)")
    ap.add_argument("--memory-limit", default="4G", help="--memory-limit for the server started with --floe")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9030)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--statements", type=int, default=100000)
    ap.add_argument("--seconds", type=float, default=0, help="stop after this many seconds (0: no limit)")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--batch", type=int, default=500, help="statements between liveness checks")
    ap.add_argument("--hang-seconds", type=float, default=30)
    ap.add_argument("--slow-seconds", type=float, default=10)
    ap.add_argument("--statement-timeout", type=float, default=120,
                    help="seconds a client waits for an answer (the session's query_timeout is a bit less)")
    ap.add_argument("--prepared", type=float, default=0.03, help="share of statements sent as prepared statements")
    ap.add_argument("--restart", action="store_true", help="after a crash or hang, restart the server and go on")
    ap.add_argument("--isolate", action="store_true", default=True,
                    help="replay each crash's in-flight statements alone (default on; --no-isolate to skip)")
    ap.add_argument("--no-isolate", dest="isolate", action="store_false")
    ap.add_argument("--skip", help="regex: generated statements that match are not sent (known crashes)")
    ap.add_argument("--strict", action="store_true", help="internal errors (errno 1105) fail the run too")
    ap.add_argument("--history", type=int, default=10, help="statements per client in crash reports")
    ap.add_argument("--out", default="sql-fuzz-out")
    ap.add_argument("--replay", help="run this file's statements one by one and report the first crash")
    ap.add_argument("--no-setup", action="store_true", help="with --replay: do not create the starting schema")
    args = ap.parse_args()
    if not args.floe and not args.port:
        ap.error("--floe or --port")
    os.makedirs(args.out, exist_ok=True)
    if args.replay:
        return replay_file(args)
    return Fuzzer(args).run()


if __name__ == "__main__":
    sys.exit(main())
