"""Users: CREATE/ALTER/DROP USER and SET PASSWORD, checked by logging in."""
import pymysql
import pytest


def login_fails(server, user, password):
    with pytest.raises(pymysql.err.OperationalError) as e:
        server.connect(user=user, password=password)
    return e.value.args[0] == 1045


def test_user_lifecycle(server):
    server.query("CREATE USER 'u1' IDENTIFIED BY 'pw1'")
    assert server.query("SELECT USER()", user="u1", password="pw1")[0][0].startswith("u1@")
    assert login_fails(server, "u1", "wrong")
    server.query("ALTER USER u1 IDENTIFIED BY 'pw2'")
    assert login_fails(server, "u1", "pw1")
    assert server.query("SELECT 1", user="u1", password="pw2") == ((1,),)
    server.query("SET PASSWORD FOR u1 = PASSWORD('pw3')")
    assert server.query("SELECT 1", user="u1", password="pw3") == ((1,),)
    server.query("DROP USER u1")
    assert login_fails(server, "u1", "pw3")


def test_user_with_empty_password_and_own_password_change(server):
    server.query("CREATE USER 'u2'")
    c = server.connect(user="u2")
    with c.cursor() as cur:
        cur.execute("SET PASSWORD = 'secret'")
    c.close()
    assert login_fails(server, "u2", "")
    assert server.query("SELECT 1", user="u2", password="secret") == ((1,),)
    server.query("DROP USER u2")


def test_user_survives_restart(fresh_server):
    fresh_server.query("CREATE USER 'keeper' IDENTIFIED BY 'kpw'")
    fresh_server.restart()
    assert fresh_server.query("SELECT 1", user="keeper", password="kpw") == ((1,),)
    assert login_fails(fresh_server, "keeper", "nope")
