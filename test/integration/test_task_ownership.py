"""Who may see, run and drop a task (issue 21 review): the user who submitted it, from whatever
host they connect, and users with OPERATE on SYSTEM; nobody else."""
import pymysql
import pytest

from conftest import FloeServer


@pytest.fixture
def srv(tmp_path):
    s = FloeServer(tmp_path / "data").start()
    yield s
    s.kill()


def test_task_belongs_to_its_user_from_any_host(srv):
    srv.query("CREATE DATABASE d")
    srv.query("CREATE TABLE d.t (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k)")
    srv.query("CREATE USER bob IDENTIFIED BY 'pw'")
    srv.query("CREATE USER eve IDENTIFIED BY 'pw'")
    srv.query("GRANT INSERT, SELECT ON ALL TABLES IN DATABASE d TO USER bob")
    srv.query("SUBMIT TASK d.bobs SCHEDULE EVERY (INTERVAL 1 DAY) AS INSERT INTO d.t SELECT 1",
              user="bob", password="pw")
    # The same user from another address (the loopback 127.0.0.2): still the owner.
    other_host = dict(user="bob", password="pw", bind_address="127.0.0.2")
    names = [r[0] for r in srv.query("SELECT TASK_NAME FROM information_schema.tasks", **other_host)]
    assert names == ["bobs"]
    row = srv.query("EXECUTE TASK d.bobs", **other_host)[0]
    assert row[1] == "SUCCESS", row
    assert srv.query("SELECT count(*) FROM d.t")[0][0] == 1
    runs = srv.query("SELECT STATE FROM information_schema.task_runs WHERE TASK_NAME = 'bobs'", **other_host)
    assert [r[0] for r in runs] == ["SUCCESS"]
    # Another user neither sees nor runs nor drops it.
    assert srv.query("SELECT TASK_NAME FROM information_schema.tasks", user="eve", password="pw") == ()
    for sql in ("EXECUTE TASK d.bobs", "DROP TASK d.bobs"):
        with pytest.raises(pymysql.err.OperationalError, match="OPERATE privilege"):
            srv.query(sql, user="eve", password="pw")
    srv.query("DROP TASK d.bobs", **other_host)
    assert srv.query("SELECT count(*) FROM information_schema.tasks WHERE TASK_NAME = 'bobs'")[0][0] == 0
