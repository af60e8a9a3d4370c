"""A throwaway PostgreSQL 15 server for integration tests (the JDBC Iceberg catalog's backend).

`PostgresServer().start()` runs Debian's PostgreSQL 15 in a fresh temporary directory on a free
127.0.0.1 port (trust authentication, fsync off), creates the database `floe` owned by the
superuser `floe`, and `stop()` shuts it down and deletes the directory. `host`, `port`, `user`,
`dbname`, `jdbc_uri` ('jdbc:postgresql://127.0.0.1:<port>/floe?user=floe', what
'iceberg.catalog.uri' takes) and `url` (the libpq form) say how to reach it; `psql(sql)` runs
statements through /usr/bin/psql.

initdb and postgres refuse to run as root; under root the server runs as the `postgres` system
user (through runuser, or su when runuser is missing) in a directory chowned to it.

In a test module:
    from postgres_server import postgres  # noqa: F401  (the fixture)
    def test_x(postgres): postgres.psql("SELECT 1")
"""
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

PG_BIN = os.environ.get("FLOE_PG_BIN", "/usr/lib/postgresql/15/bin")
PSQL = os.environ.get("FLOE_PSQL", "/usr/bin/psql")
SYSTEM_USER = "postgres"


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """One PostgreSQL cluster in a temporary directory; see the module comment."""

    def __init__(self, user="floe", dbname="floe"):
        self.host = "127.0.0.1"
        self.port = None
        self.user = user
        self.dbname = dbname
        self.dir = None
        self.data_dir = None
        self.log_file = None
        self._as_root = os.geteuid() == 0

    @staticmethod
    def available():
        return os.access(os.path.join(PG_BIN, "initdb"), os.X_OK) and os.access(PSQL, os.X_OK)

    @property
    def jdbc_uri(self):
        return f"jdbc:postgresql://{self.host}:{self.port}/{self.dbname}?user={self.user}"

    @property
    def url(self):
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"

    def _server_command(self, args):
        """`args` run as the user that owns the cluster (postgres when we are root)."""
        if not self._as_root:
            return args
        if shutil.which("runuser"):
            return ["runuser", "-u", SYSTEM_USER, "--", *args]
        return ["su", SYSTEM_USER, "-s", "/bin/sh", "-c", shlex.join(args)]

    def _run(self, args, timeout=60):
        result = subprocess.run(self._server_command(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=timeout, cwd=self.dir)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{self._log()}")
        return result.stdout

    def _log(self):
        try:
            with open(self.log_file) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def start(self, timeout=30):
        self.dir = tempfile.mkdtemp(prefix="floe-pg-")
        self.data_dir = os.path.join(self.dir, "data")
        self.log_file = os.path.join(self.dir, "server.log")
        if self._as_root:
            owner = pwd.getpwnam(SYSTEM_USER)
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
        try:
            self._run([os.path.join(PG_BIN, "initdb"), "-D", self.data_dir, "-A", "trust", "-U", self.user,
                       "-E", "UTF8", "--no-locale", "--no-sync"])
            # The port is free when chosen; another process may take it before the server binds it,
            # so a failed start is retried on a new port.
            for attempt in range(3):
                self.port = _free_port()
                options = (f"-p {self.port} -k {self.dir} -c listen_addresses={self.host} -c fsync=off "
                           "-c synchronous_commit=off -c full_page_writes=off")
                try:
                    self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data_dir, "-l", self.log_file,
                               "-o", options, "-w", "-t", str(timeout), "start"], timeout=timeout + 10)
                    break
                except RuntimeError:
                    if attempt == 2:
                        raise
                    time.sleep(0.2)
            if self.dbname != "postgres":
                self.psql(f'CREATE DATABASE "{self.dbname}"', dbname="postgres")
        except BaseException:
            self.stop()
            raise
        return self

    def psql(self, sql, dbname=None):
        """Runs `sql` (one or more statements) and returns psql's unaligned, tuples-only output."""
        result = subprocess.run(
            [PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", self.host, "-p", str(self.port),
             "-U", self.user, "-d", dbname or self.dbname, "-c", sql],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed ({result.returncode}): {result.stderr.strip()}\n{sql}")
        return result.stdout

    def stop(self):
        if self.data_dir and os.path.exists(os.path.join(self.data_dir, "postmaster.pid")):
            try:
                self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data_dir, "-m", "fast", "-w", "stop"])
            except (RuntimeError, subprocess.TimeoutExpired):
                self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data_dir, "-m", "immediate", "-w", "stop"])
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server shared by one test module (skips when PostgreSQL 15 is not installed)."""
    if not PostgresServer.available():
        pytest.skip(f"PostgreSQL 15 is not installed ({PG_BIN}/initdb, {PSQL})")
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()
