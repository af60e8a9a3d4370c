"""The persistent primary-key index (PROPERTIES enable_persistent_index = true): its slots and
keys live in files mapped shared under data/pk_index/<table id>/; a clean shutdown checkpoints
it, so the next start maps it instead of rebuilding it; after kill -9 (a checkpoint no longer
matches) it is rebuilt from the segments, and either way upserts, deletes and partial updates
find the right rows."""
import os

import pytest

from conftest import FloeServer


@pytest.fixture
def srv(tmp_path):
    s = FloeServer(tmp_path / "data").start()
    yield s
    s.kill()


def setup_table(s, persistent=True):
    s.query("CREATE DATABASE IF NOT EXISTS pki")
    props = ' PROPERTIES ("enable_persistent_index" = "true")' if persistent else ""
    s.query("CREATE TABLE pki.orders (order_id VARCHAR(24) NOT NULL, status VARCHAR(10), amount INT) "
            "PRIMARY KEY(order_id) DISTRIBUTED BY HASH(order_id) BUCKETS 4" + props)
    s.query("INSERT INTO pki.orders SELECT concat('o', number), 'new', number % 100 FROM numbers(200000)")


def index_events(s):
    return [l for l in s.log_lines if "event=storage.pk_index_" in l]


def state(s):
    return s.query("SELECT count(*), sum(amount), count(DISTINCT status) FROM pki.orders")[0]


def test_clean_restart_maps_the_checkpointed_index(srv):
    s = srv
    setup_table(s)
    s.query("INSERT INTO pki.orders VALUES ('o5', 'paid', 1000), ('o7', 'paid', 2000)")
    dirs = os.listdir(os.path.join(s.data_dir, "pk_index"))
    assert len(dirs) == 1
    files = set(os.listdir(os.path.join(s.data_dir, "pk_index", dirs[0])))
    assert {"slots", "keys"} <= files, files
    before = state(s)
    s.restart()
    assert "meta" in os.listdir(os.path.join(s.data_dir, "pk_index", dirs[0]))
    # The first write after the restart opens the index from its files.
    s.query("INSERT INTO pki.orders (order_id, status) VALUES ('o9', 'paid') "
            "ON DUPLICATE KEY UPDATE status = VALUES(status)")
    events = index_events(s)
    assert any("pk_index_opened" in e and "keys=200000" in e for e in events), events
    assert not any("pk_index_built" in e for e in events), events
    assert state(s) == (before[0], before[1], 2)
    assert s.query("SELECT status, amount FROM pki.orders WHERE order_id = 'o9'") == (("paid", 9),)
    s.query("DELETE FROM pki.orders WHERE order_id IN ('o1', 'o2')")
    assert state(s)[0] == 199998


def test_index_after_kill_is_rebuilt_and_right(srv):
    s = srv
    setup_table(s)
    s.restart()  # a checkpoint exists now
    s.query("INSERT INTO pki.orders VALUES ('o5', 'paid', 1000)")  # the files change: meta goes
    s.kill()
    s.start()
    s.query("INSERT INTO pki.orders VALUES ('o6', 'paid', 1000), ('new1', 'new', 1)")
    events = index_events(s)
    assert any("pk_index_built" in e and "persistent=true" in e for e in events), events
    assert s.query("SELECT count(*) FROM pki.orders") == ((200001,),)
    assert s.query("SELECT order_id, amount FROM pki.orders WHERE status = 'paid' ORDER BY order_id") == \
        (("o5", 1000), ("o6", 1000))


def test_drop_table_removes_the_index_files(srv):
    s = srv
    setup_table(s)
    root = os.path.join(s.data_dir, "pk_index")
    assert len(os.listdir(root)) == 1
    s.query("DROP TABLE pki.orders")
    assert os.listdir(root) == []


def test_in_memory_index_writes_no_files(srv):
    s = srv
    setup_table(s, persistent=False)
    s.query("INSERT INTO pki.orders VALUES ('o5', 'paid', 1000)")
    assert not os.path.exists(os.path.join(s.data_dir, "pk_index"))
