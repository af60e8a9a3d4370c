"""Compiled clients: MariaDB Connector/J (text and server-side prepared statements), the Go
driver (binary protocol), and node mysql2 (query and execute)."""
import os
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
JAR = "/usr/share/java/mariadb-java-client.jar"


@pytest.fixture(scope="module")
def jdbc_classes(tmp_path_factory):
    out = tmp_path_factory.mktemp("jdbc")
    subprocess.run(["javac", "-d", str(out), os.path.join(HERE, "clients", "JdbcClient.java")], check=True, timeout=120)
    return out


@pytest.mark.parametrize("server_prep", ["false", "true"])
def test_jdbc(server, jdbc_classes, server_prep):
    url = f"jdbc:mariadb://127.0.0.1:{server.mysql_port}/?user=root&useServerPrepStmts={server_prep}"
    r = subprocess.run(["java", "-cp", f"{jdbc_classes}:{JAR}", "JdbcClient", url], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert "db db_jdbc" in lines
    assert "catalog db_jdbc" in lines and "catalog information_schema" in lines
    assert "isolation 4" in lines  # REPEATABLE READ
    assert "table SCHEMATA SYSTEM VIEW" in lines  # DatabaseMetaData.getTables
    assert "column SCHEMATA.SCHEMA_NAME VARCHAR" in lines  # DatabaseMetaData.getColumns
    row = [l for l in lines if l.startswith("row ")][0]
    assert row.startswith("row 42 1234567890123 2.5 héllo 2024-01-15 2024-01-15 10:20:30"), row


def test_go(server, tmp_path):
    binary = tmp_path / "goclient"
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOCACHE=str(tmp_path / "gocache"))
    subprocess.run(["go", "build", "-o", str(binary), "main.go"], cwd=os.path.join(HERE, "clients", "go_client"),
                   env=env, check=True, timeout=300)
    r = subprocess.run([str(binary), str(server.mysql_port)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "x 42"
    assert lines[1] == "ab 2.5"
    assert "db_go" in lines


def test_node_mysql2(server):
    if not os.path.isdir(os.path.join(HERE, "node_modules", "mysql2")):
        pytest.fail("node_modules/mysql2 missing: run scripts/install-deps.sh")
    r = subprocess.run(["node", os.path.join(HERE, "clients", "node_client.js"), str(server.mysql_port)],
                       capture_output=True, text=True, timeout=60, cwd=HERE)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert "query 2 héllo" in lines
    assert "execute 42" in lines
    assert "execute2 ab null" in lines
    assert "db db_node" in lines
