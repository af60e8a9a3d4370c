"""Hot-tier storage through a real client: SHOW CREATE TABLE text that round-trips for every
model and partitioning, files removed from disk once no version references them, and table
state surviving a restart."""
import os

TABLES = {
    "dup": "CREATE TABLE dup (id BIGINT NOT NULL COMMENT 'the id', s VARCHAR(20) DEFAULT 'x', d DECIMAL(10, 2)) "
           "DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 4 PROPERTIES (\"replication_num\" = \"1\")",
    "agg": "CREATE TABLE agg (k DATE NOT NULL, region VARCHAR(8) NOT NULL, n BIGINT SUM DEFAULT '0', "
           "hi INT MAX, lo INT MIN, last VARCHAR(5) REPLACE, note VARCHAR(5) REPLACE_IF_NOT_NULL) "
           "AGGREGATE KEY(k, region) PARTITION BY date_trunc('month', k) DISTRIBUTED BY HASH(region)",
    "pk": "CREATE TABLE pk (order_id VARCHAR(32) NOT NULL, status VARCHAR(10), amount DECIMAL(12, 2)) "
          "PRIMARY KEY(order_id) DISTRIBUTED BY HASH(order_id) BUCKETS 8 "
          "PROPERTIES (\"enable_persistent_index\" = \"true\")",
    "uniq": "CREATE TABLE uniq (id INT NOT NULL, v STRING) UNIQUE KEY(id)",
    "rng": "CREATE TABLE rng (k INT NOT NULL, v INT) PARTITION BY RANGE(k) "
           "(PARTITION p1 VALUES LESS THAN (\"10\"), START (\"10\") END (\"30\") EVERY (10))",
    "lst": "CREATE TABLE lst (city VARCHAR(10) NOT NULL, n INT) PARTITION BY LIST(city) "
           "(PARTITION pe VALUES IN (\"paris\", \"rome\"), PARTITION pa VALUES IN (\"tokyo\"))",
    "cols": "CREATE TABLE cols (region VARCHAR(10) NOT NULL, n INT) PARTITION BY region",
}


def show_create(cur, name):
    cur.execute(f"SHOW CREATE TABLE {name}")
    row = cur.fetchone()
    assert row[0] == name
    return row[1]


def test_show_create_table_round_trips(server):
    conn = server.connect()
    with conn.cursor() as cur:
        cur.execute("CREATE DATABASE st_roundtrip")
        cur.execute("USE st_roundtrip")
        for name, ddl in TABLES.items():
            cur.execute(ddl)
            first = show_create(cur, name)
            cur.execute(f"DROP TABLE {name}")
            cur.execute(first)
            assert show_create(cur, name) == first, name
        # Partitions added later are written out too.
        cur.execute("ALTER TABLE rng ADD PARTITION p40 VALUES [(\"30\"), (\"40\"))")
        text = show_create(cur, "rng")
        assert "PARTITION `p40` VALUES [(\"30\"), (\"40\"))" in text
        cur.execute("DROP TABLE rng")
        cur.execute(text)
        cur.execute("SHOW PARTITIONS FROM rng")
        assert [r[1] for r in cur.fetchall()] == ["p1", "p10", "p20", "p40"]
    conn.close()


def segment_files(server, table_id):
    d = os.path.join(server.data_dir, "data", str(table_id))
    return sorted(f for f in os.listdir(d) if f.endswith(".seg")) if os.path.isdir(d) else []


def test_files_go_when_no_version_holds_them(server):
    conn = server.connect()
    with conn.cursor() as cur:
        cur.execute("CREATE DATABASE st_files")
        cur.execute("USE st_files")
        cur.execute("CREATE TABLE t (id INT, v VARCHAR(10))")
        for i in range(3):
            cur.execute(f"INSERT INTO t SELECT number, 'v{i}' FROM numbers(1000)")
        cur.execute("SELECT count(*) FROM t")
        assert cur.fetchone()[0] == 3000
        # t's directory is the one with its 3 segments.
        dirs = os.listdir(os.path.join(server.data_dir, "data"))
        tdir = [d for d in dirs if len(segment_files(server, d)) == 3]
        assert len(tdir) == 1, dirs
        tid = tdir[0]
        cur.execute("ALTER TABLE t COMPACT")
        assert len(segment_files(server, tid)) == 1
        cur.execute("INSERT OVERWRITE t VALUES (1, 'a')")
        files = segment_files(server, tid)
        assert len(files) == 1
        cur.execute("TRUNCATE TABLE t")
        assert segment_files(server, tid) == []
        cur.execute("INSERT INTO t VALUES (2, 'b')")
        assert len(segment_files(server, tid)) == 1
        cur.execute("DROP TABLE t")
        assert segment_files(server, tid) == []
    conn.close()
