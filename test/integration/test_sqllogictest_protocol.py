"""The sqllogictest runner through the MySQL protocol: every file of test/sql runs on its own
fresh server over libmariadb (`floe_sqllogictest --mysql HOST:PORT`), with the same expectations
as in process, so the results, errors and types the protocol carries are checked record by record;
SQLite's select1.test too when the shared fixtures are present."""
import glob
import os
import subprocess

import pytest

from conftest import ROOT, FloeServer

RUNNER = os.path.join(ROOT, "build", "release", "test", "floe_sqllogictest")
# USER() names the client's host: 127.0.0.1 over TCP, localhost in process.
IN_PROCESS_ONLY = {"session/basics.test"}
FILES = sorted(os.path.relpath(p, os.path.join(ROOT, "test", "sql"))
               for p in glob.glob(os.path.join(ROOT, "test", "sql", "*", "*.test")))
SELECT1 = os.path.join(ROOT, "..", "shared", "fixtures", "sqllogictest", "sqlite", "select1.test")


def run(server, path, *args):
    out = subprocess.run([RUNNER, "--mysql", f"127.0.0.1:{server.mysql_port}", *args, path],
                         capture_output=True, text=True, timeout=600)
    return out.returncode, out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "", out.stderr



@pytest.mark.parametrize("name", [f for f in FILES if f not in IN_PROCESS_ONLY])
def test_sql_file_over_protocol(tmp_path, name):
    server = FloeServer(tmp_path / "data").start()
    try:
        code, summary, err = run(server, os.path.join(ROOT, "test", "sql", name))
    finally:
        server.kill()
    assert code == 0 and summary.endswith(" 0 failed"), f"{summary}\n{err[-3000:]}"


@pytest.mark.skipif(not os.path.exists(SELECT1), reason="the shared SQLite fixtures are not beside the checkout")
def test_sqlite_select1_over_protocol(fresh_server):
    code, summary, err = run(fresh_server, SELECT1, "--database", "slt", "--engine", "mysql")
    assert code == 0 and summary == "1031 passed, 0 failed", f"{summary}\n{err[-3000:]}"


def test_errors_arrive_with_their_codes(fresh_server, tmp_path):
    # A record that expects an error by errno, and one whose expectation is wrong: the runner
    # reports the mismatch and fails.
    good = tmp_path / "good.test"
    good.write_text("statement error 1049\nSELECT * FROM nowhere.t\n\nquery I\nSELECT 1 + 1\n----\n2\n")
    code, summary, _ = run(fresh_server, str(good))
    assert code == 0 and summary == "2 passed, 0 failed"
    bad = tmp_path / "bad.test"
    bad.write_text("query I\nSELECT 1 + 1\n----\n3\n")
    code, summary, err = run(fresh_server, str(bad))
    assert code == 1 and summary == "0 passed, 1 failed" and "expected:" in err
