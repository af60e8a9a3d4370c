"""The cold tier: Iceberg tables written by another writer (iceberg_writer.py: DuckDB's Parquet with
field ids, python3-avro manifests), read through hadoop and JDBC catalogs (SQLite, and a real
PostgreSQL server), joined and unioned with hot tables (seed 002's federation queries and dedup
view), loaded into hot partitions with INSERT OVERWRITE (seed 000), and seen again after another
writer commits a new snapshot."""
import datetime
import os
import sqlite3

import pymysql
import pytest

from conftest import FloeServer
from duckdb_peer import requires_duckdb
from iceberg_writer import IcebergTable

pytestmark = requires_duckdb

COLUMNS = [("order_id", "long"), ("customer_id", "long"), ("revenue", "double"), ("status", "string"),
           ("order_date", "date")]
TODAY = datetime.date.today()


def day(offset):
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


def rows_for(days_ago, first_id, count):
    return [(first_id + i, 100 + (first_id + i) % 3, 10.0 * (i + 1), "shipped", day(-days_ago)) for i in range(count)]


HOT_ROWS = [(40, 101, 7.0, "shipped", day(-6))] + [(50 + i, 100 + i % 3, 1.0 + i, "new", day(-i)) for i in range(5)]
COLD_FILES = [[rows_for(30, 1, 4), rows_for(20, 5, 4)], [rows_for(10, 9, 4), [(40, 101, 5.0, "pending", day(-8))]]]
COLD_ROWS = [r for snapshot in COLD_FILES for f in snapshot for r in f]


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    warehouse = str(tmp_path_factory.mktemp("warehouse"))
    orders = IcebergTable(warehouse, "analytics", "orders", COLUMNS, partition="order_date")
    # History: 30, 20 and 10 days ago (orders 1..12), plus an order that is also in the hot tier (id 40).
    for snapshot in COLD_FILES:
        orders.append(snapshot)
    return warehouse, orders


@pytest.fixture(scope="module")
def floe(tmp_path_factory, lake):
    s = FloeServer(tmp_path_factory.mktemp("floe-iceberg")).start()
    warehouse, _ = lake
    s.query("CREATE EXTERNAL CATALOG iceberg_cold PROPERTIES ('type' = 'iceberg', "
            f"'iceberg.catalog.type' = 'hadoop', 'iceberg.catalog.warehouse' = '{warehouse}')")
    s.query("CREATE DATABASE hot_db")
    s.query("CREATE TABLE hot_db.orders (order_id BIGINT NOT NULL, customer_id BIGINT, revenue DOUBLE, "
            "status VARCHAR(20), order_date DATE) PRIMARY KEY (order_id)")
    values = ", ".join(f"({a}, {b}, {c}, '{d}', '{e}')" for a, b, c, d, e in HOT_ROWS)
    s.query(f"INSERT INTO hot_db.orders VALUES {values}")
    yield s
    s.stop()


def test_catalog_objects(floe):
    names = [r[0] for r in floe.query("SHOW CATALOGS")]
    assert names[0] == "default_catalog" and "iceberg_cold" in names
    assert floe.query("SHOW DATABASES FROM iceberg_cold") == (("analytics",),)
    assert floe.query("SHOW TABLES FROM iceberg_cold.analytics") == (("orders",),)
    described = floe.query("DESC iceberg_cold.analytics.orders")
    assert [(r[0], r[1]) for r in described] == [("order_id", "bigint"), ("customer_id", "bigint"),
                                                 ("revenue", "double"), ("status", "varchar"),
                                                 ("order_date", "date")]
    create = floe.query("SHOW CREATE CATALOG iceberg_cold")[0][1]
    assert "'iceberg'" not in create and '"iceberg.catalog.type"  =  "hadoop"' in create


def test_scan_count_and_time_travel(floe, lake):
    _, orders = lake
    assert floe.query("SELECT count(*), sum(revenue) FROM iceberg_cold.analytics.orders") == ((13, 305.0),)
    first = orders.snapshots[0]["snapshot-id"]
    assert floe.query(f"SELECT count(*) FROM iceberg_cold.analytics.orders FOR VERSION AS OF {first}") == ((8,),)
    assert floe.query("SELECT count(*) FROM iceberg_cold.analytics.orders FOR VERSION AS OF 'main'") == ((13,),)
    with pytest.raises(pymysql.err.MySQLError, match="no snapshot, branch or tag"):
        floe.query("SELECT * FROM iceberg_cold.analytics.orders FOR VERSION AS OF 'nope'")
    snaps = floe.query("SELECT snapshot_id, operation FROM iceberg_cold.analytics.`orders$snapshots` ORDER BY 1")
    assert [r[1] for r in snaps] == ["append", "append"]
    files = floe.query("SELECT count(*), sum(record_count) FROM iceberg_cold.analytics.`orders$files`")
    assert files == ((4, 13),)


def test_count_from_metadata_and_pruning(floe):
    plan = "\n".join(r[0] for r in floe.query("EXPLAIN SELECT count(*) FROM iceberg_cold.analytics.orders"))
    assert "ICEBERG SCAN" not in plan and "VALUES" in plan  # answered from the snapshot's metadata
    plan = "\n".join(r[0] for r in floe.query(
        f"EXPLAIN SELECT * FROM iceberg_cold.analytics.orders WHERE order_date = '{day(-20)}'"))
    assert "files=1/4" in plan, plan
    assert floe.query(f"SELECT count(*) FROM iceberg_cold.analytics.orders WHERE order_date = '{day(-20)}'") == \
        ((4,),)
    plan = "\n".join(r[0] for r in floe.query(
        "EXPLAIN SELECT * FROM iceberg_cold.analytics.orders WHERE order_id > 100"))
    assert "files=0/4" in plan, plan  # every file's upper bound on order_id is below 100


def test_seed_002_federation(floe):
    hot = floe.query("SELECT customer_id, SUM(revenue) FROM hot_db.orders "
                     "WHERE order_date >= CURRENT_DATE - INTERVAL 7 DAY GROUP BY customer_id ORDER BY 1")
    def sums(rows):
        out = {}
        for _, customer, revenue, _, _ in rows:
            out[customer] = out.get(customer, 0) + revenue
        return tuple(sorted(out.items()))
    assert hot == sums(r for r in HOT_ROWS if r[4] >= day(-7))
    cold = floe.query(f"SELECT customer_id, SUM(revenue) FROM iceberg_cold.analytics.orders "
                      f"WHERE order_date >= '{day(-25)}' AND order_date < '{day(1)}' GROUP BY customer_id ORDER BY 1")
    assert cold == sums(r for r in COLD_ROWS if day(-25) <= r[4] < day(1))
    federated = floe.query("""
        SELECT customer_id, SUM(revenue)
        FROM (
          SELECT customer_id, revenue, order_date
          FROM hot_db.orders
          WHERE order_date >= CURRENT_DATE - INTERVAL 7 DAY
          UNION ALL
          SELECT customer_id, revenue, order_date
          FROM iceberg_cold.analytics.orders
          WHERE order_date >= '2024-01-01'
            AND order_date < CURRENT_DATE - INTERVAL 7 DAY
        ) combined
        GROUP BY customer_id ORDER BY customer_id""")
    expected = {}
    for _, customer, revenue, _, date in HOT_ROWS:
        if date >= day(-7):
            expected[customer] = expected.get(customer, 0) + revenue
    for _, customer, revenue, _, date in COLD_ROWS:
        if "2024-01-01" <= date < day(-7):
            expected[customer] = expected.get(customer, 0) + revenue
    assert federated == tuple(sorted(expected.items()))


def test_seed_002_dedup_view_and_join(floe):
    floe.query("""CREATE VIEW hot_db.unified_orders AS
        WITH hot_data AS (
          SELECT order_id, customer_id, revenue, status, order_date, 'hot' AS source_tier
          FROM hot_db.orders WHERE order_date >= CURRENT_DATE - INTERVAL 7 DAY),
        cold_data AS (
          SELECT order_id, customer_id, revenue, status, order_date, 'cold' AS source_tier
          FROM iceberg_cold.analytics.orders WHERE order_date < CURRENT_DATE - INTERVAL 7 DAY),
        combined AS (SELECT * FROM hot_data UNION ALL SELECT * FROM cold_data),
        deduped AS (
          SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id
                                       ORDER BY CASE source_tier WHEN 'hot' THEN 1 ELSE 2 END) AS rn
          FROM combined)
        SELECT * FROM deduped WHERE rn = 1""")
    rows = floe.query("SELECT order_id, revenue, status, source_tier FROM hot_db.unified_orders "
                      "WHERE order_id = 40")
    assert rows == ((40, 7.0, "shipped", "hot"),)  # the hot copy wins over the stale cold one
    assert floe.query("SELECT count(*) FROM hot_db.unified_orders") == ((18,),)
    joined = floe.query("SELECT h.order_id, h.status, c.status FROM hot_db.orders h "
                        "JOIN iceberg_cold.analytics.orders c ON h.order_id = c.order_id")
    assert joined == ((40, "shipped", "pending"),)


def test_insert_overwrite_hot_partition_from_iceberg(floe):
    floe.query("CREATE TABLE hot_db.history (order_id BIGINT NOT NULL, customer_id BIGINT, revenue DOUBLE) "
               "DUPLICATE KEY (order_id) PARTITION BY RANGE (order_id) "
               "(PARTITION p0 VALUES LESS THAN ('10'), PARTITION p1 VALUES LESS THAN ('100'))")
    floe.query("INSERT INTO hot_db.history VALUES (1, 0, 0.0), (99, 0, 0.0)")
    floe.query("INSERT OVERWRITE hot_db.history PARTITION (p1) "
               "SELECT order_id, customer_id, revenue FROM iceberg_cold.analytics.orders WHERE order_id >= 10")
    assert floe.query("SELECT order_id FROM hot_db.history ORDER BY 1") == ((1,), (10,), (11,), (12,), (40,))


def test_new_snapshot_seen_without_restart(floe, tmp_path):
    t = IcebergTable(str(tmp_path / "wh"), "db", "events", [("id", "long"), ("name", "string")])
    t.append([[(1, "a"), (2, "b")]])
    floe.query(f"CREATE EXTERNAL CATALOG moving PROPERTIES ('type' = 'iceberg', "
               f"'iceberg.catalog.type' = 'hadoop', 'iceberg.catalog.warehouse' = '{tmp_path / 'wh'}')")
    assert floe.query("SELECT count(*) FROM moving.db.events") == ((2,),)
    t.append([[(3, "c")]])
    assert floe.query("SELECT count(*) FROM moving.db.events") == ((3,),)
    assert floe.query("SELECT max(id) FROM moving.db.events") == ((3,),)


def test_jdbc_catalog_in_sqlite(floe, lake, tmp_path):
    _, orders = lake
    db = tmp_path / "catalog.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) "
                 "NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), "
                 "previous_metadata_location VARCHAR(1000), PRIMARY KEY (catalog_name, table_namespace, table_name))")
    conn.execute("CREATE TABLE iceberg_namespace_properties (catalog_name VARCHAR(255) NOT NULL, namespace "
                 "VARCHAR(255) NOT NULL, property_key VARCHAR(255), property_value VARCHAR(1000), "
                 "PRIMARY KEY (catalog_name, namespace, property_key))")
    current = os.path.join(orders.dir, "metadata", f"v{orders.version}.metadata.json")
    conn.execute("INSERT INTO iceberg_tables VALUES ('lite', 'sales', 'orders', ?, NULL)", (current,))
    conn.execute("INSERT INTO iceberg_tables VALUES ('other', 'x', 'y', '/nowhere', NULL)")
    conn.commit()
    conn.close()
    floe.query(f"CREATE EXTERNAL CATALOG lite PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = 'jdbc', "
               f"'iceberg.catalog.uri' = 'jdbc:sqlite:{db}')")
    assert floe.query("SHOW DATABASES FROM lite") == (("sales",),)
    assert floe.query("SELECT count(*) FROM lite.sales.orders") == ((13,),)


def test_jdbc_catalog_in_postgresql(floe, lake):
    from postgres_server import PostgresServer
    if not os.path.exists("/usr/lib/postgresql/15/bin/initdb"):
        pytest.skip("PostgreSQL 15 is not installed (scripts/install-deps.sh installs it)")
    _, orders = lake
    pg = PostgresServer().start()
    try:
        pg.psql("CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) "
                "NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), "
                "previous_metadata_location VARCHAR(1000), PRIMARY KEY (catalog_name, table_namespace, table_name))")
        pg.psql("CREATE TABLE iceberg_namespace_properties (catalog_name VARCHAR(255) NOT NULL, namespace "
                "VARCHAR(255) NOT NULL, property_key VARCHAR(255), property_value VARCHAR(1000), "
                "PRIMARY KEY (catalog_name, namespace, property_key))")
        current = os.path.join(orders.dir, "metadata", f"v{orders.version}.metadata.json")
        pg.psql(f"INSERT INTO iceberg_tables VALUES ('pg', 'sales', 'orders', '{current}', NULL)")
        floe.query(f"CREATE EXTERNAL CATALOG pg PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = 'jdbc', "
                   f"'iceberg.catalog.uri' = '{pg.jdbc_uri}', 'iceberg.catalog.jdbc.user' = '{pg.user}', "
                   f"'iceberg.catalog.jdbc.password' = 'sekret')")
        assert floe.query("SHOW TABLES FROM pg.sales") == (("orders",),)
        assert floe.query("SELECT count(*), min(order_id) FROM pg.sales.orders") == ((13, 1),)
        assert "sekret" not in floe.query("SHOW CREATE CATALOG pg")[0][1]
    finally:
        pg.stop()
    # The server gone: an error for the query, not for Floe.
    with pytest.raises(pymysql.err.MySQLError):
        floe.query("SELECT count(*) FROM pg.sales.orders")
    assert floe.query("SELECT 1") == ((1,),)


def test_unreachable_and_bad_catalogs(floe, tmp_path):
    floe.query(f"CREATE EXTERNAL CATALOG gone PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = 'hadoop', "
               f"'iceberg.catalog.warehouse' = '{tmp_path / 'missing'}')")
    with pytest.raises(pymysql.err.MySQLError):
        floe.query("SELECT * FROM gone.db.t")
    with pytest.raises(pymysql.err.MySQLError, match="iceberg.catalog.type"):
        floe.query("CREATE EXTERNAL CATALOG bad PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = 'nope')")
    with pytest.raises(pymysql.err.MySQLError, match="Unknown catalog"):
        floe.query("SELECT * FROM nosuch.db.t")
    with pytest.raises(pymysql.err.MySQLError, match="doesn't exist"):
        floe.query("SELECT * FROM iceberg_cold.analytics.nosuch")
    assert floe.query("SELECT 1") == ((1,),)


def test_set_catalog_and_use(floe):
    conn = floe.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET CATALOG iceberg_cold")
            cur.execute("USE analytics")
            cur.execute("SELECT count(*) FROM orders")
            assert cur.fetchall() == ((13,),)
            cur.execute("SHOW TABLES")
            assert cur.fetchall() == (("orders",),)
            cur.execute("USE default_catalog.hot_db")
            cur.execute("SELECT count(*) FROM orders")
            assert cur.fetchall() == ((6,),)
    finally:
        conn.close()


def test_catalog_usage_privilege(floe):
    floe.query("CREATE USER IF NOT EXISTS lake_reader IDENTIFIED BY 'pw'")
    with pytest.raises(pymysql.err.MySQLError) as denied:
        floe.query("SELECT count(*) FROM iceberg_cold.analytics.orders", user="lake_reader", password="pw")
    assert denied.value.args[0] == 5203
    floe.query("GRANT USAGE ON CATALOG iceberg_cold TO lake_reader")
    assert floe.query("SELECT count(*) FROM iceberg_cold.analytics.orders", user="lake_reader", password="pw") == \
        ((13,),)


def test_catalog_survives_restart_and_drop(floe):
    floe.restart()
    assert floe.query("SELECT count(*) FROM iceberg_cold.analytics.orders") == ((13,),)
    floe.query("DROP CATALOG moving")
    with pytest.raises(pymysql.err.MySQLError, match="Unknown catalog"):
        floe.query("SELECT * FROM moving.db.events")
    floe.query("DROP CATALOG IF EXISTS moving")


def _fresh_table(root, name):
    t = IcebergTable(str(root), "db", name, [("id", "long"), ("name", "string")])
    t.append([[(1, "a"), (2, "b")]])
    return t


@pytest.mark.parametrize("damage", ["metadata", "manifest_list", "manifest", "data_file", "missing_data_file"])
def test_corrupt_table_files_give_errors_naming_the_file(floe, tmp_path, damage):
    t = _fresh_table(tmp_path / "wh", "broken")
    metadata = os.path.join(t.dir, "metadata", f"v{t.version}.metadata.json")
    manifest_list = t.snapshots[-1]["manifest-list"]
    manifest = t.manifests[-1]["manifest_path"]
    data = [os.path.join(t.dir, "data", f) for f in os.listdir(os.path.join(t.dir, "data"))][0]
    target = {"metadata": metadata, "manifest_list": manifest_list, "manifest": manifest, "data_file": data,
              "missing_data_file": data}[damage]
    if damage == "missing_data_file":
        os.remove(target)
    else:
        with open(target, "r+b") as f:
            size = os.path.getsize(target)
            f.truncate(size // 2)
            f.seek(0)
            f.write(b"\x00garbage\x00" * 4)
    catalog = f"broken_{damage}"
    floe.query(f"CREATE EXTERNAL CATALOG {catalog} PROPERTIES ('type' = 'iceberg', "
               f"'iceberg.catalog.type' = 'hadoop', 'iceberg.catalog.warehouse' = '{tmp_path / 'wh'}')")
    with pytest.raises(pymysql.err.MySQLError) as failed:
        floe.query(f"SELECT sum(id), max(name) FROM {catalog}.db.broken")
    assert os.path.basename(target) in failed.value.args[1], failed.value.args[1]
    assert floe.query("SELECT count(*) FROM iceberg_cold.analytics.orders") == ((13,),)  # the server is fine
    floe.query(f"DROP CATALOG {catalog}")


def test_table_files_outside_the_file_roots_are_refused(tmp_path):
    """A table's manifests cannot lead Floe to files outside --file-roots: here the catalog's
    location rewrite sends the data files to a directory that is not a root."""
    import shutil
    wh = tmp_path / "wh"
    t = _fresh_table(wh, "escape")
    outside = tmp_path / "outside"
    shutil.copytree(os.path.join(t.dir, "data"), outside)
    server = FloeServer(tmp_path / "data", extra_args=["--file-roots", str(wh)]).start()
    try:
        server.query(f"CREATE EXTERNAL CATALOG esc PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = 'hadoop', "
                     f"'iceberg.catalog.warehouse' = '{wh}', "
                     f"'location.rewrite' = '{os.path.join(t.dir, 'data')}=>{outside}')")
        with pytest.raises(pymysql.err.MySQLError) as denied:
            server.query("SELECT count(*), max(name) FROM esc.db.escape")
        assert denied.value.args[0] == 1290, denied.value.args
    finally:
        server.stop()
