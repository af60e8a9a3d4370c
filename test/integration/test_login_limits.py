"""MySQL 8's login limits on both ways in (the MySQL port and Stream Load's HTTP Basic auth):
FAILED_LOGIN_ATTEMPTS / PASSWORD_LOCK_TIME lockout (3955, even for the right password; reset by a
success, ACCOUNT UNLOCK or a restart), ACCOUNT LOCK (3118), and max_user_connections (1203, set
with CREATE USER ... WITH MAX_USER_CONNECTIONS or StarRocks' SET PROPERTY)."""
import base64
import json
import subprocess
import urllib.error
import urllib.request

import pymysql
import pytest

from conftest import FloeServer

BLOCKED = ("Access denied for user '{user}'@'127.0.0.1'. Account is blocked for {days} day(s) ({days} day(s) "
           "remaining) due to {n} consecutive failed logins.")


def login_error(server, user, password):
    """The (errno, message) a login gets, or None when it succeeds."""
    try:
        server.connect(user=user, password=password).close()
        return None
    except pymysql.err.OperationalError as e:
        return e.args[0], e.args[1]


def stream_load(server, user, password, data="1,a\n", label=None):
    """(HTTP status, JSON answer) of a Stream Load into ll.t."""
    request = urllib.request.Request(f"http://127.0.0.1:{server.http_port}/api/ll/t/_stream_load",
                                     data=data.encode(), method="PUT")
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
    request.add_header("column_separator", ",")
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    s = FloeServer(tmp_path_factory.mktemp("floe-limits")).start()
    s.query("CREATE DATABASE ll")
    s.query("CREATE TABLE ll.t (id INT, name VARCHAR(20)) DUPLICATE KEY(id)")
    yield s
    s.stop()


def test_lockout_after_failed_logins(db):
    db.query("CREATE USER lock3 IDENTIFIED BY 'pw' FAILED_LOGIN_ATTEMPTS 3 PASSWORD_LOCK_TIME 2")
    assert login_error(db, "lock3", "x")[0] == 1045
    assert login_error(db, "lock3", "y")[0] == 1045
    # The third failure blocks the account, and says so at once (as MySQL does).
    assert login_error(db, "lock3", "z") == (3955, BLOCKED.format(user="lock3", days=2, n=3))
    # Blocked even with the right password.
    assert login_error(db, "lock3", "pw") == (3955, BLOCKED.format(user="lock3", days=2, n=3))
    db.query("ALTER USER lock3 ACCOUNT UNLOCK")
    assert login_error(db, "lock3", "pw") is None


def test_unbounded_lock_and_restarted_count(db):
    db.query("CREATE USER lock_forever IDENTIFIED BY 'pw' FAILED_LOGIN_ATTEMPTS 2 PASSWORD_LOCK_TIME UNBOUNDED")
    assert login_error(db, "lock_forever", "x")[0] == 1045
    assert login_error(db, "lock_forever", "pw") is None  # a success starts the count over
    assert login_error(db, "lock_forever", "x")[0] == 1045
    code, message = login_error(db, "lock_forever", "y")
    assert code == 3955 and "blocked for unlimited day(s) (unlimited day(s) remaining) due to 2" in message
    # New lockout settings also start the count over (MySQL WL#13515).
    db.query("ALTER USER lock_forever FAILED_LOGIN_ATTEMPTS 5")
    assert login_error(db, "lock_forever", "pw") is None


def test_no_lockout_unless_both_settings(db):
    db.query("CREATE USER no_lock IDENTIFIED BY 'pw' FAILED_LOGIN_ATTEMPTS 1")
    for _ in range(3):
        assert login_error(db, "no_lock", "x")[0] == 1045
    assert login_error(db, "no_lock", "pw") is None


def test_account_lock(db):
    db.query("CREATE USER locked_acct IDENTIFIED BY 'pw' ACCOUNT LOCK")
    assert login_error(db, "locked_acct", "pw") == (
        3118, "Access denied for user 'locked_acct'@'127.0.0.1'. Account is locked.")
    # A wrong password learns nothing about the lock.
    assert login_error(db, "locked_acct", "x")[0] == 1045
    db.query("ALTER USER locked_acct ACCOUNT UNLOCK")
    assert login_error(db, "locked_acct", "pw") is None
    db.query("ALTER USER locked_acct ACCOUNT LOCK")
    assert login_error(db, "locked_acct", "pw")[0] == 3118
    # The mysql CLI shows the same error.
    out = subprocess.run(["mysql", "-h", "127.0.0.1", "-P", str(db.mysql_port), "-u", "locked_acct", "-ppw", "-e",
                          "SELECT 1"], capture_output=True, text=True, timeout=60)
    assert "ERROR 3118 (HY000)" in out.stderr and "Account is locked." in out.stderr, out.stderr


def test_stream_load_auth_shares_the_limits(db):
    db.query("CREATE USER http_lock IDENTIFIED BY 'pw' FAILED_LOGIN_ATTEMPTS 3 PASSWORD_LOCK_TIME 1")
    status, answer = stream_load(db, "http_lock", "wrong")
    assert status == 401 and answer["status"] == "FAILED"
    assert answer["msg"] == "Access denied for http_lock@127.0.0.1", answer
    assert stream_load(db, "http_lock", "wrong again")[0] == 401
    # The third failure, over MySQL, blocks the account on both ports.
    assert login_error(db, "http_lock", "x")[0] == 3955
    status, answer = stream_load(db, "http_lock", "pw")
    assert status == 401 and answer["msg"] == BLOCKED.format(user="http_lock", days=1, n=3), answer
    db.query("ALTER USER http_lock ACCOUNT UNLOCK")
    db.query("ALTER USER http_lock ACCOUNT LOCK")
    status, answer = stream_load(db, "http_lock", "pw")
    assert status == 401 and answer["msg"].endswith("Account is locked."), answer
    db.query("ALTER USER http_lock ACCOUNT UNLOCK")
    status, answer = stream_load(db, "http_lock", "pw")
    # Past authentication: the load runs, or is refused for want of INSERT on ll.t (also a 401).
    assert status == 200 or "INSERT" in json.dumps(answer), answer


def test_no_credentials_is_401_with_a_challenge(db):
    request = urllib.request.Request(f"http://127.0.0.1:{db.http_port}/api/ll/t/_stream_load", data=b"1,a\n",
                                     method="PUT")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(request, timeout=30)
    assert e.value.code == 401 and e.value.headers["WWW-Authenticate"] == 'Basic realm=""'
    assert json.loads(e.value.read()) == {"status": "FAILED", "msg": "Need auth information.", "Status": "Fail",
                                          "Message": "Need auth information."}


def test_max_user_connections(db):
    db.query("CREATE USER capped IDENTIFIED BY 'pw' WITH MAX_USER_CONNECTIONS 2")
    first, second = db.connect(user="capped", password="pw"), db.connect(user="capped", password="pw")
    assert login_error(db, "capped", "pw") == (
        1203, "User capped already has more than 'max_user_connections' active connections")
    second.close()
    third = db.connect(user="capped", password="pw")
    # StarRocks' spelling lowers it; other users are not affected.
    db.query("SET PROPERTY FOR 'capped' 'max_user_connections' = '1'")
    third.close()
    assert login_error(db, "capped", "pw")[0] == 1203
    assert db.query("SELECT 1") == ((1,),)
    db.query("ALTER USER capped WITH MAX_USER_CONNECTIONS 0")  # unlimited
    more = [db.connect(user="capped", password="pw") for _ in range(3)]
    for c in more + [first]:
        c.close()


@pytest.mark.parametrize("sql", [
    "CREATE USER x1 IDENTIFIED WITH authentication_ldap_simple BY 'pw'",
    "CREATE USER x2 FAILED_LOGIN_ATTEMPTS 40000",
    "CREATE USER x3 PASSWORD_LOCK_TIME -1",
    "CREATE USER x4 WITH MAX_QUERIES_PER_HOUR 5",
    "ALTER USER root ACCOUNT",
    "SET PROPERTY FOR 'root' 'resource.cpu_share' = '10'",
])
def test_account_option_errors(db, sql):
    with pytest.raises(pymysql.err.ProgrammingError) as e:
        db.query(sql)
    assert e.value.args[0] == 1064


def test_account_options_parse(db):
    db.query("CREATE USER IF NOT EXISTS opts IDENTIFIED WITH caching_sha2_password BY 'pw' "
             "WITH MAX_USER_CONNECTIONS 3 FAILED_LOGIN_ATTEMPTS 4 PASSWORD_LOCK_TIME UNBOUNDED ACCOUNT UNLOCK")
    db.query("ALTER USER opts IDENTIFIED WITH mysql_native_password BY 'pw2' PASSWORD_LOCK_TIME 1 ACCOUNT LOCK")
    assert login_error(db, "opts", "pw2")[0] == 3118
    db.query("ALTER USER IF EXISTS nobody ACCOUNT LOCK")
    with pytest.raises(pymysql.err.OperationalError) as e:
        db.query("ALTER USER nobody ACCOUNT LOCK")
    assert e.value.args[0] == 1396


def test_restart_forgets_failures(tmp_path):
    s = FloeServer(tmp_path / "data").start()
    try:
        s.query("CREATE USER r1 IDENTIFIED BY 'pw' FAILED_LOGIN_ATTEMPTS 1 PASSWORD_LOCK_TIME UNBOUNDED")
        assert login_error(s, "r1", "x")[0] == 3955
        assert login_error(s, "r1", "pw")[0] == 3955
        s.restart()
        assert login_error(s, "r1", "pw") is None
    finally:
        s.stop()
