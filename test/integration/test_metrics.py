"""GET /metrics (issue 25): the Prometheus text exposition format 0.0.4, checked by a strict parser
written here from the format's description (HELP and TYPE once per family, a family's samples
contiguous, names and label names well formed, label values escaped, values numbers or
NaN/+Inf/-Inf, no name+labels pair twice, summaries with quantiles, _sum and _count); counters
move with statements and loads; anonymous scrapes carry no per-object series, authenticated ones
only those of objects the user may see; every metric the sample Grafana dashboard
(docs/grafana-dashboard.json) uses exists."""
import base64
import json
import math
import os
import re
import urllib.error
import urllib.request

import pymysql
import pytest

from conftest import FloeServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "summary", "histogram", "untyped"}


class ExpositionError(AssertionError):
    pass


def parse_value(text, line):
    if text in ("NaN", "+Inf", "-Inf"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text):
        raise ExpositionError(f"bad value {text!r} in {line!r}")
    return float(text)


def parse_labels(text, line):
    """`a="x",b="y"` with \\\\, \\" and \\n escapes; returns a tuple of (name, value)."""
    labels, i = [], 0
    while i < len(text):
        m = LABEL.match(text, i)
        if not m:
            raise ExpositionError(f"bad label name in {line!r}")
        name = m.group(0)
        i = m.end()
        if text[i:i + 2] != '="':
            raise ExpositionError(f"label {name} lacks =\" in {line!r}")
        i += 2
        value = []
        while True:
            if i >= len(text):
                raise ExpositionError(f"unterminated label value in {line!r}")
            c = text[i]
            if c == "\\":
                nxt = text[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    raise ExpositionError(f"bad escape \\{nxt} in {line!r}")
                value.append({"\\": "\\", '"': '"', "n": "\n"}[nxt])
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise ExpositionError(f"raw newline in a label value: {line!r}")
            else:
                value.append(c)
                i += 1
        if any(n == name for n, _ in labels):
            raise ExpositionError(f"label {name} twice in {line!r}")
        labels.append((name, "".join(value)))
        if i < len(text):
            if text[i] != ",":
                raise ExpositionError(f"expected , between labels in {line!r}")
            i += 1
    return tuple(labels)


def family_of(sample, types):
    """The family a sample name belongs to (summaries and histograms have suffixed samples)."""
    if sample in types:
        return sample
    for suffix in ("_sum", "_count", "_bucket"):
        base = sample[: -len(suffix)] if sample.endswith(suffix) else None
        if base and types.get(base) in ("summary", "histogram"):
            return base
    return None


def parse(text):
    """Returns {family: {"type", "help", "samples": [(name, labels, value)]}}; raises on any
    deviation from the format."""
    if text and not text.endswith("\n"):
        raise ExpositionError("the exposition does not end with a newline")
    families, types, order, seen = {}, {}, [], set()
    current = None
    for line in text.split("\n")[:-1]:
        if not line:
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME.fullmatch(name):
                    raise ExpositionError(f"bad metric name in {line!r}")
                fam = families.setdefault(name, {"type": None, "help": None, "samples": []})
                if name != current and name in order:
                    raise ExpositionError(f"family {name} is not contiguous")
                if name not in order:
                    order.append(name)
                current = name
                if parts[1] == "TYPE":
                    if fam["type"] is not None:
                        raise ExpositionError(f"second TYPE for {name}")
                    if fam["samples"]:
                        raise ExpositionError(f"TYPE after samples for {name}")
                    if len(parts) != 4 or parts[3] not in TYPES:
                        raise ExpositionError(f"bad TYPE line {line!r}")
                    fam["type"] = types[name] = parts[3]
                else:
                    if fam["help"] is not None:
                        raise ExpositionError(f"second HELP for {name}")
                    fam["help"] = parts[3] if len(parts) == 4 else ""
            continue
        m = NAME.match(line)
        if not m:
            raise ExpositionError(f"bad sample line {line!r}")
        name, rest = m.group(0), line[m.end():]
        labels = ()
        if rest.startswith("{"):
            end = rest.rfind("}")
            if end < 0:
                raise ExpositionError(f"unclosed labels in {line!r}")
            labels = parse_labels(rest[1:end], line)
            rest = rest[end + 1:]
        if not rest.startswith(" "):
            raise ExpositionError(f"no space before the value in {line!r}")
        fields = rest[1:].split(" ")
        if len(fields) not in (1, 2):
            raise ExpositionError(f"bad value/timestamp in {line!r}")
        value = parse_value(fields[0], line)
        family = family_of(name, types)
        if family is None:
            raise ExpositionError(f"sample {name} has no TYPE declared before it")
        if family != current:
            raise ExpositionError(f"sample {name} is outside its family's block")
        key = (name, tuple(sorted(labels)))
        if key in seen:
            raise ExpositionError(f"{name}{dict(labels)} appears twice")
        seen.add(key)
        kind = types[family]
        if kind == "counter" and not (value >= 0 or math.isnan(value)):
            raise ExpositionError(f"negative counter {line!r}")
        if kind == "summary" and name == family and not any(n == "quantile" for n, _ in labels):
            raise ExpositionError(f"summary sample without a quantile: {line!r}")
        families[family]["samples"].append((name, dict(labels), value))
    for name, fam in families.items():
        if fam["type"] is None:
            raise ExpositionError(f"family {name} has no TYPE")
        if fam["type"] == "summary":
            names = {s[0] for s in fam["samples"]}
            if f"{name}_sum" not in names or f"{name}_count" not in names:
                raise ExpositionError(f"summary {name} lacks _sum or _count")
    return families


def test_parser_rejects_what_the_format_forbids():
    ok = "# HELP a_total x\n# TYPE a_total counter\na_total 1\n"
    assert parse(ok)["a_total"]["samples"] == [("a_total", {}, 1.0)]
    for bad in ["a 1\n",  # no TYPE
                "# TYPE a gauge\na{b=\"x\\q\"} 1\n",  # bad escape
                "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n",  # not contiguous
                "# TYPE a gauge\na 1\na 2\n",  # twice
                "# TYPE a counter\na -1\n",
                "# TYPE a gauge\na one\n",
                "# TYPE a summary\na 1\na_sum 1\na_count 1\n",  # no quantile
                "# TYPE a gauge\na 1"]:  # no final newline
        with pytest.raises(ExpositionError):
            parse(bad)


def scrape(srv, user=None, password=""):
    headers = {}
    if user:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    req = urllib.request.Request(f"http://127.0.0.1:{srv.http_port}/metrics", headers=headers)
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return parse(r.read().decode())


def value(families, name, **labels):
    family = family_of(name, {k: f["type"] for k, f in families.items()})
    for n, l, v in families[family]["samples"]:
        if n == name and all(l.get(k) == str(w) for k, w in labels.items()):
            return v
    raise KeyError((name, labels))


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = FloeServer(tmp_path_factory.mktemp("metrics")).start()
    s.query("CREATE DATABASE m")
    s.query("CREATE TABLE m.t (k INT, v VARCHAR(10)) DUPLICATE KEY(k)")
    s.query("CREATE MATERIALIZED VIEW m.mv REFRESH DEFERRED MANUAL AS SELECT count(*) AS c FROM m.t")
    s.query("CREATE DATABASE hidden")
    s.query("CREATE TABLE hidden.t (k INT) DUPLICATE KEY(k)")
    s.query("CREATE MATERIALIZED VIEW hidden.secret_mv REFRESH DEFERRED MANUAL AS SELECT count(*) AS c FROM hidden.t")
    s.query("CREATE USER watcher IDENTIFIED BY 'pw'")
    s.query("GRANT SELECT ON ALL TABLES IN DATABASE m TO USER watcher")
    s.query("GRANT SELECT ON ALL MATERIALIZED VIEWS IN DATABASE m TO USER watcher")
    yield s
    s.stop()


def test_counters_move_with_statements_and_loads(srv):
    before = scrape(srv)
    for i in range(5):
        srv.query(f"INSERT INTO m.t VALUES ({i}, 'x')")
    with pytest.raises(pymysql.MySQLError):
        srv.query("SELECT no_such_column FROM m.t")
    srv.query("REFRESH MATERIALIZED VIEW m.mv WITH SYNC MODE")
    req = urllib.request.Request(f"http://127.0.0.1:{srv.http_port}/api/m/t/_stream_load", data=b"10\ta\n11\tb\n",
                                 method="PUT", headers={"Authorization": "Basic " + base64.b64encode(b"root:").decode(),
                                                        "label": "metrics_load", "column_separator": "\\t"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert json.loads(r.read())["Status"] == "Success"
    after = scrape(srv)
    assert value(after, "starrocks_fe_query_total") >= value(before, "starrocks_fe_query_total") + 7
    assert value(after, "starrocks_fe_query_err") == value(before, "starrocks_fe_query_err") + 1
    assert value(after, "starrocks_fe_query_success") >= value(before, "starrocks_fe_query_success") + 6
    assert value(after, "starrocks_fe_query_latency_ms_count") >= value(before, "starrocks_fe_query_latency_ms_count") + 7
    assert value(after, "starrocks_fe_query_latency_ms", quantile="0.99") >= 0
    assert value(after, "starrocks_be_streaming_load_requests_total") == \
        value(before, "starrocks_be_streaming_load_requests_total") + 1
    assert value(after, "starrocks_be_load_rows") == value(before, "starrocks_be_load_rows") + 2
    assert value(after, "starrocks_be_streaming_load_bytes") > value(before, "starrocks_be_streaming_load_bytes")
    # Every INSERT and the Stream Load commit a transaction.
    assert value(after, "starrocks_fe_txn_success") >= value(before, "starrocks_fe_txn_success") + 6
    srv.query("ALTER TABLE m.t COMPACT")
    compacted = scrape(srv)
    assert value(compacted, "floe_compactions_total") >= value(after, "floe_compactions_total") + 1
    assert value(compacted, "starrocks_be_cumulative_compaction_deltas_total") >= \
        value(after, "starrocks_be_cumulative_compaction_deltas_total") + 6
    assert value(after, "starrocks_fe_mv_refresh_total_success_jobs") >= \
        value(before, "starrocks_fe_mv_refresh_total_success_jobs") + 1
    assert value(after, "starrocks_be_process_mem_bytes") > 1 << 20
    assert value(after, "starrocks_fe_routine_load_jobs", state="RUNNING") == 0
    assert value(after, "starrocks_be_disks_avail_capacity") > 0
    assert value(after, "floe_tables") >= 4


def test_per_object_series_follow_privileges(srv):
    anonymous = scrape(srv)
    assert "starrocks_fe_mv_inactive_state" not in anonymous
    text = json.dumps({k: v["samples"] for k, v in anonymous.items()})
    assert "secret_mv" not in text and "hidden" not in text
    root = scrape(srv, "root")
    assert value(root, "starrocks_fe_mv_inactive_state", db_name="hidden", mv_name="secret_mv") == 0
    watcher = scrape(srv, "watcher", "pw")
    names = {(s[1].get("db_name"), s[1].get("mv_name")) for s in watcher["starrocks_fe_mv_inactive_state"]["samples"]}
    assert ("m", "mv") in names and ("hidden", "secret_mv") not in names
    srv.query("ALTER MATERIALIZED VIEW m.mv INACTIVE")
    try:
        assert value(scrape(srv, "watcher", "pw"), "starrocks_fe_mv_inactive_state", db_name="m", mv_name="mv") == 1
        assert value(scrape(srv), "floe_mv_inactive") == 1
    finally:
        srv.query("ALTER MATERIALIZED VIEW m.mv ACTIVE")
    with pytest.raises(urllib.error.HTTPError) as e:
        scrape(srv, "watcher", "wrong")
    assert e.value.code == 401


def test_every_dashboard_metric_exists(srv):
    dashboard = json.load(open(os.path.join(ROOT, "docs", "grafana-dashboard.json")))
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    assert exprs
    families = scrape(srv, "root")
    functions = {"rate", "increase", "sum", "avg", "max", "min", "by", "irate", "histogram_quantile"}
    checked = set()
    for expr in exprs:
        for name in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*[\[{(]|\s*$|\s*\))", expr):
            if name in functions:
                continue
            base = family_of(name, {k: v["type"] for k, v in families.items()})
            assert base in families, f"the dashboard uses {name}, which /metrics does not have ({expr})"
            checked.add(name)
    assert len(checked) >= len(exprs) - 2, checked
