"""MySQLdb (libmariadb underneath) and SQLAlchemy over pymysql and MySQLdb."""
import MySQLdb
import sqlalchemy
from sqlalchemy import inspect, text


def test_mysqldb(server):
    conn = MySQLdb.connect(host="127.0.0.1", port=server.mysql_port, user="root")
    cur = conn.cursor()
    cur.execute("SELECT %s + 1, %s", (41, "x"))
    assert cur.fetchall() == ((42, "x"),)
    cur.execute("CREATE DATABASE IF NOT EXISTS db_mysqldb")
    cur.execute("SHOW DATABASES")
    assert ("db_mysqldb",) in cur.fetchall()
    conn.commit()
    conn.close()


def test_sqlalchemy_pymysql(server):
    engine = sqlalchemy.create_engine(f"mysql+pymysql://root@127.0.0.1:{server.mysql_port}/")
    with engine.connect() as c:
        assert c.execute(text("SELECT 1")).fetchall() == [(1,)]
        c.execute(text("CREATE DATABASE IF NOT EXISTS db_sqlalchemy"))
        names = [r[0] for r in c.execute(text("SHOW DATABASES"))]
        assert "db_sqlalchemy" in names
    assert "db_sqlalchemy" in inspect(engine).get_schema_names()
    engine.dispose()


def test_sqlalchemy_mysqldb(server):
    engine = sqlalchemy.create_engine(f"mysql+mysqldb://root@127.0.0.1:{server.mysql_port}/")
    with engine.connect() as c:
        assert c.execute(text("SELECT :x + 1"), {"x": 1}).fetchall() == [(2,)]
    assert "information_schema" in inspect(engine).get_schema_names()
    engine.dispose()
