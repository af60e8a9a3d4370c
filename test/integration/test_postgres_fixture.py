"""The throwaway PostgreSQL server of postgres_server.py: it starts on a free loopback port, holds
Iceberg Java's JDBC catalog tables (created here through psql, as an integration test of the JDBC
Iceberg catalog will), and is gone after stop()."""
import os
import socket

from postgres_server import PostgresServer, postgres  # noqa: F401  (postgres is the fixture)

# Iceberg Java's JdbcUtil DDL (schema V1), as Floe's JdbcCatalog::kCreate*Sql spell it.
CREATE_TABLES = (
    "CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL, "
    "table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), "
    "iceberg_type VARCHAR(5), PRIMARY KEY (catalog_name, table_namespace, table_name))")
CREATE_NAMESPACE_PROPERTIES = (
    "CREATE TABLE iceberg_namespace_properties (catalog_name VARCHAR(255) NOT NULL, namespace VARCHAR(255) NOT NULL, "
    "property_key VARCHAR(255), property_value VARCHAR(1000), PRIMARY KEY (catalog_name, namespace, property_key))")


def test_server_listens_on_loopback(postgres):
    assert postgres.host == "127.0.0.1"
    with socket.create_connection((postgres.host, postgres.port), timeout=5):
        pass
    assert postgres.jdbc_uri == f"jdbc:postgresql://127.0.0.1:{postgres.port}/floe?user=floe"
    assert postgres.psql("SELECT current_user, current_database()").strip() == "floe|floe"
    assert postgres.psql("SHOW server_version").strip().startswith("15.")


def test_iceberg_jdbc_catalog_tables(postgres):
    postgres.psql(CREATE_TABLES)
    postgres.psql(CREATE_NAMESPACE_PROPERTIES)
    postgres.psql(
        "INSERT INTO iceberg_tables VALUES "
        "('pg', 'db', 'events', 's3://wh/db/events/metadata/00001-a.metadata.json', "
        "'s3://wh/db/events/metadata/00000-b.metadata.json', 'TABLE'), "
        "('pg', 'db', 'events_view', 's3://wh/db/events_view/metadata/00000-c.gz.metadata.json', NULL, 'VIEW');"
        "INSERT INTO iceberg_namespace_properties VALUES ('pg', 'empty', 'exists', 'true')")
    rows = postgres.psql("SELECT table_namespace, table_name, metadata_location FROM iceberg_tables "
                         "WHERE catalog_name = 'pg' AND iceberg_type = 'TABLE' ORDER BY table_name")
    assert rows.splitlines() == ["db|events|s3://wh/db/events/metadata/00001-a.metadata.json"]
    namespaces = postgres.psql("SELECT table_namespace FROM iceberg_tables WHERE catalog_name = 'pg' UNION "
                               "SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = 'pg' "
                               "ORDER BY 1")
    assert namespaces.split() == ["db", "empty"]
    # The primary key keeps one row per table, which the catalog's compare-and-swap relies on.
    try:
        postgres.psql("INSERT INTO iceberg_tables VALUES ('pg', 'db', 'events', 'x', NULL, 'TABLE')")
        raise AssertionError("a second row for one table was accepted")
    except RuntimeError as e:
        assert "duplicate key" in str(e)


def test_stop_removes_everything():
    if not PostgresServer.available():
        return
    server = PostgresServer(dbname="other").start()
    directory, port = server.dir, server.port
    assert server.psql("SELECT current_database()").strip() == "other"
    server.stop()
    assert not os.path.exists(directory)
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
