"""Durability: every client's database survives a restart of the shared server, an acknowledged
CREATE DATABASE survives kill -9, and a second server refuses a data directory in use.
Named to run after the client tests, which create the databases it checks."""
import subprocess

from conftest import FLOE, FloeServer

CLIENT_DATABASES = ["db_cli", "db_pymysql", "db_mysqldb", "db_sqlalchemy", "db_jdbc", "db_go", "db_node"]


def databases(server):
    return {r[0] for r in server.query("SHOW DATABASES")}


def test_client_databases_survive_restart(server):
    before = databases(server)
    missing = [d for d in CLIENT_DATABASES if d not in before]
    assert not missing, f"client tests did not create {missing}"
    assert server.restart().proc.poll() is None
    after = databases(server)
    assert set(CLIENT_DATABASES) <= after
    assert before == after


def test_acknowledged_create_survives_kill_9(fresh_server):
    fresh_server.query("CREATE DATABASE survives_kill")
    fresh_server.query("SET GLOBAL wait_timeout = 777")
    fresh_server.kill()
    fresh_server.start()
    assert "survives_kill" in databases(fresh_server)
    assert fresh_server.query("SELECT @@global.wait_timeout") == ((777,),)


def test_locked_data_directory_is_refused(fresh_server):
    r = subprocess.run([FLOE, "--data-dir", fresh_server.data_dir, "--mysql-port", "0", "--http-port", "0"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "locked" in r.stderr
    assert fresh_server.query("SELECT 1") == ((1,),)


def test_clean_shutdown_on_sigterm(tmp_path):
    s = FloeServer(tmp_path / "d").start()
    assert s.stop() == 0
    assert "event=floe.stopped" in s.log()


def test_bad_flags_are_rejected(tmp_path):
    r = subprocess.run([FLOE, "--mysql-port", "99999"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "mysql-port" in r.stderr
    r = subprocess.run([FLOE, "--no-such-flag", "1"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "no-such-flag" in r.stderr


def test_config_file(tmp_path):
    """Settings come from --config FILE; flags given after it still win."""
    import re
    import time

    config = tmp_path / "floe.conf"
    config.write_text(f"# Floe settings\ndata_dir = {tmp_path / 'cfgdata'}\nmysql_port = 0\nhttp_port = 0\n"
                      "bind_address = 127.0.0.1\nlog_level = debug\n")
    proc = subprocess.Popen([FLOE, "--config", str(config), "--log-level", "info"], stderr=subprocess.PIPE, text=True)
    try:
        port = None
        deadline = time.time() + 30
        while time.time() < deadline:
            line = proc.stderr.readline()
            m = re.search(r"event=mysql\.listening .*port=(\d+)", line)
            if m:
                port = int(m.group(1))
            if "event=floe.ready" in line:
                break
        assert port, "server did not report its port"
        assert "level=debug" not in line
        import pymysql
        conn = pymysql.connect(host="127.0.0.1", port=port, user="root")
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
            assert cur.fetchall() == ((1,),)
        conn.close()
        assert (tmp_path / "cfgdata" / "meta.db").exists()
    finally:
        proc.terminate()
        proc.wait(30)
    bad = tmp_path / "bad.conf"
    bad.write_text("mysql_port 5\n")
    r = subprocess.run([FLOE, "--config", str(bad)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "bad.conf:1" in r.stderr
