"""Fixtures for end-to-end tests: a real `floe` server on free ports with a temporary data dir.

The session-scoped `server` fixture is shared by every test module; tests that restart or kill
it (test_zz_restart.py) run last. `fresh_server` gives a test its own server.
"""
import os
import re
import signal
import socket
import subprocess
import threading
import time

import pymysql

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FLOE = os.environ.get("FLOE_BINARY", os.path.join(ROOT, "build", "release", "floe"))


class FloeServer:
    """A floe process: start, stop (SIGTERM), kill -9 and restart on the same data directory."""

    def __init__(self, data_dir, extra_args=()):
        self.data_dir = str(data_dir)
        self.extra_args = list(extra_args)
        self.proc = None
        self.log_lines = []
        self.mysql_port = None
        self.http_port = None

    def start(self, timeout=30):
        if not os.path.exists(FLOE):
            pytest.fail(f"{FLOE} does not exist: build with `make` first")
        self.log_lines = []
        self.mysql_port = self.http_port = None
        # FILES() reads test files under /tmp and the shared fixtures (the file roots; the data
        # directory stays out of reach even under /tmp). A test may pass its own --file-roots.
        fixtures = os.path.join(ROOT, "..", "shared", "fixtures")
        default_roots = ["/tmp", ROOT] + ([fixtures] if os.path.isdir(fixtures) else [])
        roots = [] if any(a.startswith("--file-roots") for a in self.extra_args) else \
            ["--file-roots", ",".join(default_roots)]
        # Automatic Iceberg maintenance would commit to tables tests assert on: off unless a test
        # asks for it (test_lake_maintenance.py).
        if not any(a.startswith("--lake-maintenance-interval") for a in self.extra_args):
            roots += ["--lake-maintenance-interval", "0"]
        self.proc = subprocess.Popen(
            [FLOE, "--data-dir", self.data_dir, "--mysql-port", "0", "--http-port", "0",
             "--bind-address", "127.0.0.1", "--log-level", "info", *roots, *self.extra_args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        ready = threading.Event()

        def pump(proc, lines):
            for line in proc.stderr:
                lines.append(line.rstrip("\n"))
                m = re.search(r"event=mysql\.listening .*port=(\d+)", line)
                if m:
                    self.mysql_port = int(m.group(1))
                m = re.search(r"event=http\.listening .*port=(\d+)", line)
                if m:
                    self.http_port = int(m.group(1))
                if "event=floe.ready" in line:
                    ready.set()
            ready.set()

        threading.Thread(target=pump, args=(self.proc, self.log_lines), daemon=True).start()
        if not ready.wait(timeout) or self.proc.poll() is not None or self.mysql_port is None:
            log = "\n".join(self.log_lines)
            self.kill()
            pytest.fail(f"floe did not become ready (exit={self.proc.poll()}):\n{log}")
        return self

    def stop(self, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("floe did not stop within %ss of SIGTERM" % timeout)
        return self.proc.returncode if self.proc else None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def restart(self):
        self.stop()
        return self.start()

    def connect(self, **kwargs):
        args = dict(host="127.0.0.1", port=self.mysql_port, user="root", password="", autocommit=True,
                    connect_timeout=10, read_timeout=60, write_timeout=60)
        args.update(kwargs)
        return pymysql.connect(**args)

    def query(self, sql, **kwargs):
        conn = self.connect(**kwargs)
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall()
        finally:
            conn.close()

    def log(self):
        return "\n".join(self.log_lines)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    s = FloeServer(tmp_path_factory.mktemp("floe-data")).start()
    yield s
    s.stop()


@pytest.fixture
def fresh_server(tmp_path):
    s = FloeServer(tmp_path / "data").start()
    yield s
    s.kill()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
