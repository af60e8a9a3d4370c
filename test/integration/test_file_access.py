"""Local paths that users name (FILES(), INSERT INTO FILES()) lead only under the file roots:
`..`, absolute paths, file:// URLs, symlinks and globs that resolve elsewhere are refused with
error 1290 that names the path (never the file's contents); the data directory is out of reach
even when a root contains it; without --file-roots only <data-dir>/import is reachable."""
import os

import pymysql
import pytest

from conftest import FloeServer


def error_of(server, sql):
    with pytest.raises(pymysql.MySQLError) as e:
        server.query(sql)
    return e.value.args


def csv(path):
    return f'FILES("path" = "{path}", "format" = "csv", "csv.column_separator" = ",")'


@pytest.fixture(scope="module")
def roots(tmp_path_factory):
    base = tmp_path_factory.mktemp("roots")
    allowed = base / "allowed"
    allowed.mkdir()
    (allowed / "ok.csv").write_text("1,a\n2,b\n")
    (base / "outside.csv").write_text("secret,row\n")
    os.symlink("/etc/passwd", allowed / "passwd_link.csv")
    os.symlink(base, allowed / "up")
    # The data directory sits inside the root: it must stay unreachable all the same.
    s = FloeServer(allowed / "data", extra_args=["--file-roots", str(allowed)]).start()
    yield s, base, allowed
    s.stop()


def test_allowed_file_reads(roots):
    s, _, allowed = roots
    assert s.query(f"SELECT count(*), max($2) FROM {csv(allowed / 'ok.csv')}") == ((2, "b"),)
    assert s.query(f"SELECT count(*) FROM {csv('file://' + str(allowed / 'ok.csv'))}") == ((2,),)


@pytest.mark.parametrize("path", [
    "/etc/passwd",
    "/etc/shadow",
    "file:///etc/passwd",
    "{allowed}/../outside.csv",
    "{allowed}/./../../../../../etc/passwd",
    "{allowed}/passwd_link.csv",
    "{allowed}/up/outside.csv",
    "{base}/*.csv",
    "/etc/pass*",
    "{allowed}/data/meta.db",
    "{allowed}/data/",
    "relative/../../etc/passwd",
])
def test_paths_outside_the_roots_are_refused(roots, path):
    s, base, allowed = roots
    path = path.format(allowed=allowed, base=base)
    code, message = error_of(s, f"SELECT * FROM {csv(path)}")
    assert code == 1290, (code, message)
    assert "Access denied" in message and "root" in message
    assert "secret" not in message and "root:x:0" not in message


def test_globs_with_a_link_outside_are_refused(roots):
    s, _, allowed = roots
    code, message = error_of(s, f"SELECT count(*) FROM {csv(str(allowed) + '/*.csv')}")
    assert code == 1290 and "passwd_link" in message


def test_writes_outside_the_roots_are_refused(roots):
    s, base, allowed = roots
    for path in ["/tmp/floe-escape-test/", f"{allowed}/../escaped/", f"{allowed}/up/escaped/", f"{allowed}/data/x/"]:
        code, _ = error_of(s, f'INSERT INTO FILES("path" = "{path}", "format" = "csv") SELECT 1')
        assert code == 1290, path
    assert not os.path.exists("/tmp/floe-escape-test") and not (base / "escaped").exists()
    assert not (allowed / "data" / "x").exists()
    s.query(f'INSERT INTO FILES("path" = "{allowed}/out/", "format" = "csv") SELECT 7')
    assert [f for f in os.listdir(allowed / "out") if f.endswith(".csv")]


def test_default_root_is_the_import_folder(tmp_path):
    s = FloeServer(tmp_path / "data", extra_args=["--file-roots="]).start()
    try:
        imports = tmp_path / "data" / "import"
        assert imports.is_dir()
        (imports / "x.csv").write_text("5,z\n")
        assert s.query(f"SELECT $1 FROM {csv(imports / 'x.csv')}") == ((5,),)
        (tmp_path / "y.csv").write_text("6,w\n")
        assert error_of(s, f"SELECT $1 FROM {csv(tmp_path / 'y.csv')}")[0] == 1290
        assert error_of(s, f"SELECT $1 FROM {csv(tmp_path / 'data' / 'meta.db')}")[0] == 1290
    finally:
        s.stop()
