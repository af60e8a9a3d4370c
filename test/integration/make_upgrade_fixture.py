"""Writes the upgrade fixture: a data directory made by an older floe binary, and the answers that
binary gave, for test_upgrade.py to check that a newer build opens it and answers the same.

    /usr/bin/python3 test/integration/make_upgrade_fixture.py OLD_FLOE_BINARY NAME

writes test/integration/fixtures/NAME.tar.gz (the data directory, after a clean shutdown) and
NAME.json (the meta store's schema version, the queries and their answers)."""
import json
import os
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import conftest  # noqa: E402

SETUP = [
    "CREATE DATABASE shop",
    "CREATE TABLE shop.events (id BIGINT NOT NULL, kind VARCHAR(16), amount DECIMAL(10,2), at DATETIME) "
    "DUPLICATE KEY (id) DISTRIBUTED BY HASH(id) BUCKETS 4",
    "INSERT INTO shop.events VALUES (1, 'view', 1.50, '2024-01-01 10:00:00'), (2, 'buy', 20.00, "
    "'2024-01-02 11:00:00'), (3, 'view', NULL, '2024-01-03 12:00:00')",
    "INSERT INTO shop.events SELECT 100 + number, 'bulk', number / 10, '2024-02-01 00:00:00' FROM numbers(1000)",
    "DELETE FROM shop.events WHERE id = 3",
    "CREATE TABLE shop.totals (kind VARCHAR(16) NOT NULL, n BIGINT SUM, top DECIMAL(10,2) MAX) "
    "AGGREGATE KEY (kind)",
    "INSERT INTO shop.totals SELECT kind, 1, amount FROM shop.events",
    "CREATE TABLE shop.customers (id INT NOT NULL, name VARCHAR(32), tier VARCHAR(8)) PRIMARY KEY (id)",
    "INSERT INTO shop.customers VALUES (1, 'ann', 'gold'), (2, 'bob', 'silver'), (3, 'cy', 'gold')",
    "UPDATE shop.customers SET tier = 'bronze' WHERE id = 2",
    "INSERT INTO shop.customers VALUES (3, 'cy', 'platinum')",
    "CREATE TABLE shop.daily (d DATE NOT NULL, v INT) DUPLICATE KEY (d) PARTITION BY RANGE (d) "
    "(PARTITION p1 VALUES LESS THAN ('2024-02-01'), PARTITION p2 VALUES LESS THAN ('2024-03-01'))",
    "INSERT INTO shop.daily VALUES ('2024-01-15', 1), ('2024-02-15', 2), ('2024-02-16', 3)",
    "CREATE VIEW shop.buyers AS SELECT c.name AS name, count(*) AS n FROM shop.events e JOIN shop.customers c "
    "ON e.id = c.id GROUP BY c.name",
    "CREATE USER analyst IDENTIFIED BY 'pw'",
    "CREATE ROLE readers",
    "GRANT SELECT ON ALL TABLES IN DATABASE shop TO ROLE readers",
    "GRANT readers TO analyst",
    "SET GLOBAL query_timeout = 123",
]

QUERIES = [
    "SELECT count(*), sum(amount), min(at), max(id) FROM shop.events",
    "SELECT kind, count(*) FROM shop.events GROUP BY kind ORDER BY kind",
    "SELECT kind, n, top FROM shop.totals ORDER BY kind",
    "SELECT id, name, tier FROM shop.customers ORDER BY id",
    "SELECT d, v FROM shop.daily ORDER BY d",
    "SELECT * FROM shop.buyers ORDER BY name",
    "SHOW TABLES FROM shop",
    "SHOW PARTITIONS FROM shop.daily",
    "SHOW GRANTS FOR ROLE readers",
    "SELECT @@global.query_timeout",
]


def render(rows):
    return [[None if v is None else str(v) for v in row] for row in rows]


def main():
    binary, name = sys.argv[1], sys.argv[2]
    conftest.FLOE = os.path.abspath(binary)
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        server = conftest.FloeServer(data).start()
        for sql in SETUP:
            server.query(sql)
        answers = [{"sql": q, "rows": render(server.query(q))} for q in QUERIES]
        # SHOW PARTITIONS carries ids and times that are not part of the data: keep name and range.
        server.stop()
        import sqlite3
        version = sqlite3.connect(os.path.join(data, "meta.db")).execute(
            "SELECT value FROM floe_meta WHERE key = 'schema_version'").fetchone()[0]
        out = os.path.join(HERE, "fixtures", name)
        with tarfile.open(out + ".tar.gz", "w:gz") as tar:
            tar.add(data, arcname="data")
        with open(out + ".json", "w") as f:
            json.dump({"schema_version": int(version), "binary": os.path.basename(binary),
                       "queries": answers}, f, indent=1)
    print("wrote", out + ".tar.gz", out + ".json")


if __name__ == "__main__":
    main()
