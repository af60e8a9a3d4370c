"""Server-side prepared statements through a raw protocol client: exact parameter and binary
row encodings, remembered parameter types, NULLs, CLOSE and RESET, DEPRECATE_EOF framing."""
import pytest

from mysql_raw import (RawClient, T_DATE, T_DATETIME, T_DOUBLE, T_LONGLONG, T_NEWDECIMAL, T_NULL,
                       T_VAR_STRING)


@pytest.mark.parametrize("deprecate_eof", [False, True])
def test_prepare_execute_types(server, deprecate_eof):
    c = RawClient(server.mysql_port, deprecate_eof=deprecate_eof)
    stmt, nparams, _ = c.prepare("SELECT ? + 1, ? * 2, concat(?, '!'), ?, ?, ?, ?")
    assert nparams == 7
    cols, rows = c.execute(stmt, [(T_LONGLONG, 41), (T_DOUBLE, 1.25), (T_VAR_STRING, "héllo"), (T_NULL, None),
                                  (T_DATE, (2024, 2, 29)), (T_DATETIME, (2024, 1, 2, 3, 4, 5)),
                                  (T_NEWDECIMAL, "12.50")])
    assert rows == [[42, 2.5, "héllo!", None, (2024, 2, 29), (2024, 1, 2, 3, 4, 5), "12.50"]]
    # Second execution without re-sending types: the server remembers them.
    cols, rows = c.execute(stmt, [(T_LONGLONG, 1), (T_DOUBLE, 0.5), (T_VAR_STRING, "x"), (T_NULL, None),
                                  (T_DATE, (2000, 1, 1)), (T_DATETIME, (2000, 1, 1, 0, 0, 1)),
                                  (T_NEWDECIMAL, "0.01")], send_types=False)
    assert rows[0][:3] == [2, 1.0, "x!"]
    assert c.reset_statement(stmt)[0] == 0x00
    c.close_statement(stmt)
    assert c.ping()[0] == 0x00
    c.close()


def test_prepared_statement_errors(server):
    c = RawClient(server.mysql_port)
    with pytest.raises(RuntimeError) as e:
        c.prepare("SELEC ?")
    assert e.value.args[0][0] == 1064
    with pytest.raises(RuntimeError) as e:
        c.execute(999, [])
    assert e.value.args[0][0] == 1243
    stmt, _, _ = c.prepare("SELECT ?")
    c.close_statement(stmt)
    with pytest.raises(RuntimeError) as e:
        c.execute(stmt, [(T_LONGLONG, 1)])
    assert e.value.args[0][0] == 1243
    assert c.ping()[0] == 0x00
    c.close()


def test_prepared_without_parameters_and_ok_statements(server):
    c = RawClient(server.mysql_port)
    stmt, nparams, cols = c.prepare("SELECT 'a' AS x, 2 AS y")
    assert nparams == 0 and [col["name"] for col in cols] == ["x", "y"]
    assert c.execute(stmt, [])[1] == [["a", 2]]
    stmt2, _, _ = c.prepare("SET @v = ?")
    assert c.execute(stmt2, [(T_LONGLONG, 7)]) == (None, [])
    assert c.query("SELECT @v")[1] == [["7"]]
    c.close()


def test_column_definitions(server):
    c = RawClient(server.mysql_port)
    cols, rows = c.query("SELECT 1 AS i, 'a' AS s, 1.50 AS d, DATE '2024-01-01' AS dt, NULL AS n")
    types = {col["name"]: col["type"] for col in cols}
    assert types == {"i": 0x08, "s": 0xFD, "d": 0xF6, "dt": 0x0A, "n": 0x06}
    decimals = {col["name"]: col["decimals"] for col in cols}
    assert decimals["d"] == 2
    charsets = {col["name"]: col["charset"] for col in cols}
    assert charsets["s"] == 33 and charsets["i"] == 63
    assert rows == [["1", "a", "1.50", "2024-01-01", None]]
    c.close()
