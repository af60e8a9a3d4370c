"""The mysql CLI (MariaDB's client from Debian) in batch and interactive mode."""
import os
import pty
import select
import subprocess
import time


def run_cli(server, *args, sql=None):
    cmd = ["mysql", "-h", "127.0.0.1", "-P", str(server.mysql_port), "-u", "root", *args]
    if sql is not None:
        cmd += ["-e", sql]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_batch_mode_values(server):
    r = run_cli(server, "--batch", "--skip-column-names", sql="SELECT 1 + 1, concat('a', 'b'), NULL")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "2\tab\tNULL\n"


def test_batch_mode_creates_and_sees_database(server):
    r = run_cli(server, "--batch", sql="CREATE DATABASE IF NOT EXISTS db_cli; SHOW DATABASES")
    assert r.returncode == 0, r.stderr
    assert "db_cli" in r.stdout.split("\n")


def test_writes_report_their_label(server):
    """An INSERT's OK packet carries StarRocks' info text ({'label':..., 'status':'VISIBLE', ...})
    as a length-encoded string, which the MariaDB client library requires."""
    r = run_cli(server, "-vvv", sql="CREATE DATABASE IF NOT EXISTS db_cli2; CREATE TABLE IF NOT EXISTS db_cli2.t (a INT); "
                                    "INSERT INTO db_cli2.t VALUES (1), (2); INSERT INTO db_cli2.t SELECT a + 10 FROM db_cli2.t")
    assert r.returncode == 0, r.stderr
    assert "Query OK, 2 rows affected" in r.stdout, r.stdout
    assert "'status':'VISIBLE'" in r.stdout and "'label':'insert_" in r.stdout, r.stdout


def test_batch_error_reports_errno_and_sqlstate(server):
    r = run_cli(server, sql="SELEC 1")
    assert r.returncode != 0
    assert "ERROR 1064 (42000)" in r.stderr
    assert "line 1, column 1" in r.stderr


def _read_until(fd, needle, timeout=20):
    buf = b""
    deadline = time.time() + timeout
    while needle not in buf and time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
    return buf.decode(errors="replace")


def test_interactive_mode_with_auto_rehash(server):
    # Without -A the CLI sends `show databases`, `show tables` and COM_FIELD_LIST per table on USE,
    # plus `select @@version_comment limit 1` at start.
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("mysql", ["mysql", "-h", "127.0.0.1", "-P", str(server.mysql_port), "-u", "root",
                            "information_schema"])
    try:
        out = _read_until(fd, b"> ")
        assert "Floe" in out, out  # the version comment in the banner
        os.write(fd, b"select 40 + 2 as answer;\n")
        out = _read_until(fd, b"> ")
        assert "42" in out, out
        os.write(fd, b"use information_schema;\n")
        out = _read_until(fd, b"> ")
        assert "Database changed" in out, out
        os.write(fd, b"quit\n")
        out = _read_until(fd, b"Bye")
        assert "ERROR" not in out, out
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
