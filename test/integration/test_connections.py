"""Many simultaneous connections: 200 held open at once, each answering a query."""
import threading


def test_200_simultaneous_connections(server):
    n = 200
    conns = [None] * n
    errors = []

    def open_one(i):
        try:
            conns[i] = server.connect()
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=open_one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    ids = set()
    try:
        results = [None] * n

        def query(i):
            with conns[i].cursor() as cur:
                cur.execute("SELECT CONNECTION_ID(), 1 + %s", (i,))
                results[i] = cur.fetchall()[0]

        threads = [threading.Thread(target=query, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        for i, r in enumerate(results):
            assert r is not None and r[1] == 1 + i
            ids.add(r[0])
        assert len(ids) == n
        processlist = server.query("SHOW PROCESSLIST")
        assert len(processlist) >= n + 1
    finally:
        for c in conns:
            if c:
                c.close()
