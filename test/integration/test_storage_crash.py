"""Crash safety of hot-tier writes: the server is killed with SIGKILL at random moments while
clients insert into a Duplicate Key table, upsert into and delete from a Primary Key table, and
Stream Load labelled batches over HTTP (retried after the restart: never loaded twice).
After every restart each acknowledged write is there exactly once, a write in flight at the kill
is there entirely or not at all, and nothing else is. FLOE_CRASH_KILLS sets the number of kills
(50 by default; `make stress` runs more)."""
import os
import random
import threading
import time

import pymysql
import pytest

from conftest import FloeServer

KILLS = int(os.environ.get("FLOE_CRASH_KILLS", "50"))
BATCH = 20


class Writers:
    """Client threads that write until the server dies, recording acknowledged and in-flight writes."""

    def __init__(self, server, rng, next_batch, next_value):
        self.server = server
        self.rng = rng
        self.acked_batches = []       # Duplicate Key batches (lists of ids) acknowledged
        self.inflight_batch = None
        self.pk_acked = {}            # key -> value (None: deleted) acknowledged
        self.pk_inflight = {}         # key -> value sent but not acknowledged
        self.next_batch = next_batch
        self.next_value = next_value
        self.errors = []
        self.acked_stream = []        # Stream Load batches acknowledged
        self.inflight_stream = None   # (label, ids) of the Stream Load in flight

    def run_duplicate(self):
        try:
            conn = self.server.connect(read_timeout=30)
            while True:
                b = self.next_batch
                self.next_batch += 1
                ids = [b * BATCH + i for i in range(BATCH)]
                self.inflight_batch = ids
                with conn.cursor() as cur:
                    cur.execute("INSERT INTO crash.dup VALUES " + ",".join(f"({i}, {b})" for i in ids))
                self.acked_batches.append(ids)
                self.inflight_batch = None
        except (pymysql.err.OperationalError, pymysql.err.InterfaceError, ConnectionError, OSError):
            return  # the server died
        except Exception as e:  # noqa: BLE001 - a wrong answer, reported by the test
            self.errors.append(repr(e))

    def run_stream_load(self):
        """Stream Loads of labelled batches over HTTP; a retried label must never load twice."""
        import base64
        import http.client
        auth = "Basic " + base64.b64encode(b"root:").decode()
        try:
            while True:
                b = self.next_batch
                self.next_batch += 1
                ids = [b * BATCH + i for i in range(BATCH)]
                self.inflight_stream = (f"crash_sl_{b}", ids)
                conn = http.client.HTTPConnection("127.0.0.1", self.server.http_port, timeout=30)
                body = "".join(f"{i}\t{b}\n" for i in ids)
                conn.request("PUT", "/api/crash/sl/_stream_load", body=body,
                             headers={"Authorization": auth, "label": f"crash_sl_{b}"})
                reply = __import__("json").loads(conn.getresponse().read())
                conn.close()
                if reply["Status"] != "Success":
                    self.errors.append(reply)
                    return
                self.acked_stream.append(ids)
                self.inflight_stream = None
        except (ConnectionError, OSError, ValueError):
            return
        except Exception as e:  # noqa: BLE001
            self.errors.append(repr(e))

    def run_primary(self):
        try:
            conn = self.server.connect(read_timeout=30)
            while True:
                keys = self.rng.sample(range(200), 5)
                if self.rng.random() < 0.2:
                    k = keys[0]
                    self.pk_inflight = {k: None}
                    with conn.cursor() as cur:
                        cur.execute(f"DELETE FROM crash.pk WHERE k = {k}")
                else:
                    self.next_value += 1
                    v = self.next_value
                    self.pk_inflight = {k: v for k in keys}
                    with conn.cursor() as cur:
                        cur.execute("INSERT INTO crash.pk VALUES " + ",".join(f"({k}, {v})" for k in keys))
                self.pk_acked.update(self.pk_inflight)
                self.pk_inflight = {}
        except (pymysql.err.OperationalError, pymysql.err.InterfaceError, ConnectionError, OSError):
            return
        except Exception as e:  # noqa: BLE001
            self.errors.append(repr(e))


def test_writes_survive_sigkill(tmp_path):
    rng = random.Random(int(os.environ.get("FLOE_CRASH_SEED", "7")))
    server = FloeServer(tmp_path / "data").start()
    server.query("CREATE DATABASE crash")
    server.query("CREATE TABLE crash.dup (id BIGINT NOT NULL, batch INT) DUPLICATE KEY(id)")
    server.query("CREATE TABLE crash.pk (k INT NOT NULL, v BIGINT) PRIMARY KEY(k)")
    server.query("CREATE TABLE crash.sl (id BIGINT NOT NULL, batch INT) DUPLICATE KEY(id)")
    sl_present = set()
    dup_present = set()   # ids known committed
    pk_state = {}         # key -> value known committed
    next_batch, next_value = 0, 0
    next_stream_batch = 1_000_000  # Stream Load labels have their own sequence: never reused
    compactions = 0
    try:
        for kill in range(KILLS):
            w = Writers(server, rng, next_batch, next_value)
            stream_writer = Writers(server, rng, next_stream_batch, 0)
            threads = [threading.Thread(target=w.run_duplicate), threading.Thread(target=w.run_primary),
                       threading.Thread(target=stream_writer.run_stream_load)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.02, 0.25))
            server.kill()
            compactions += server.log().count("event=storage.compacted")
            for t in threads:
                t.join(30)
            assert not w.errors, w.errors
            assert not stream_writer.errors, stream_writer.errors
            next_batch, next_value = w.next_batch, w.next_value
            next_stream_batch = stream_writer.next_batch
            server.start()
            # Stream Load: acknowledged batches are there once; the one in flight is there entirely
            # or not at all, and retrying its label then never loads it twice.
            for ids in stream_writer.acked_stream:
                sl_present.update(ids)
            if stream_writer.inflight_stream:
                label, ids = stream_writer.inflight_stream
                import base64
                import http.client
                import json as _json
                conn = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=30)
                conn.request("PUT", "/api/crash/sl/_stream_load", body="".join(f"{i}\t0\n" for i in ids),
                             headers={"Authorization": "Basic " + base64.b64encode(b"root:").decode(), "label": label})
                reply = _json.loads(conn.getresponse().read())
                conn.close()
                assert reply["Status"] in ("Success", "Label Already Exists"), reply
                sl_present.update(ids)
            got = {r[0]: r[1] for r in server.query("SELECT id, count(*) FROM crash.sl GROUP BY id")}
            assert all(c == 1 for c in got.values()), f"kill {kill}: a Stream Load row twice"
            assert set(got) == sl_present, f"kill {kill}: Stream Load rows lost or extra"
            # Duplicate Key: acknowledged batches are there once; the in-flight one all or nothing.
            rows = server.query("SELECT id, count(*) FROM crash.dup GROUP BY id")
            counts = {r[0]: r[1] for r in rows}
            assert all(c == 1 for c in counts.values()), f"kill {kill}: duplicated rows"
            for ids in w.acked_batches:
                dup_present.update(ids)
            missing = dup_present - counts.keys()
            assert not missing, f"kill {kill}: acknowledged rows lost: {sorted(missing)[:10]}"
            extra = set(counts.keys()) - dup_present
            if extra:
                assert w.inflight_batch is not None and extra == set(w.inflight_batch), \
                    f"kill {kill}: rows nobody wrote, or half a load: {sorted(extra)[:10]}"
                dup_present |= extra
            # Primary Key: each key holds its last acknowledged value, or the in-flight one.
            pk_state.update(w.pk_acked)
            actual = {r[0]: r[1] for r in server.query("SELECT k, v FROM crash.pk")}
            inflight_seen = None
            for k in set(actual) | set(pk_state) | set(w.pk_inflight):
                got = actual.get(k)
                want = pk_state.get(k)
                if got == want:
                    continue
                assert k in w.pk_inflight and got == w.pk_inflight[k], \
                    f"kill {kill}: key {k} is {got}, acknowledged {want}, in flight {w.pk_inflight.get(k)}"
                inflight_seen = True
            if inflight_seen:  # the in-flight write committed: all of it
                for k, v in w.pk_inflight.items():
                    assert actual.get(k) == v, f"kill {kill}: half an upsert committed (key {k})"
                pk_state.update(w.pk_inflight)
            count = server.query("SELECT count(*) FROM crash.pk")[0][0]
            assert count == sum(1 for v in pk_state.values() if v is not None)
        # Background compaction ran among the writes (and was killed mid-way some of the time).
        assert compactions > 0
        # Enough writes were acknowledged for the kills to have landed among them.
        assert len(dup_present) >= KILLS * BATCH and len(pk_state) >= 50, (len(dup_present), len(pk_state))
        assert len(sl_present) >= KILLS * BATCH, len(sl_present)
        # No temporary files survive a restart (loads that died before their rename are swept).
        leftovers = [f for _, _, files in os.walk(os.path.join(server.data_dir, "data")) for f in files
                     if f.endswith(".tmp")]
        assert not leftovers, leftovers
    finally:
        server.kill()
