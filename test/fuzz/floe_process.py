"""A floe server process for the fuzzers (sql_fuzz.py, differential.py): started the way
test/integration/conftest.py starts it (free ports, ports read from the structured log), with its
log kept for crash reports, and a connect helper that uses pymysql like the integration tests.

Run the fuzzers with /usr/bin/python3: Debian's python3-pymysql is installed for that interpreter.
"""
import collections
import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import ctypes
import resource

import pymysql


def _die_with_parent():
    """The server gets SIGKILL when the fuzzer dies (Linux prctl PR_SET_PDEATHSIG), so an
    interrupted run leaves no server spinning on a statement that never ends."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except OSError:
        pass


class FloeProcess:
    """One floe process on a data directory (a temporary one unless given)."""

    def __init__(self, binary, data_dir=None, extra_args=(), log_path=None, core_dir=None):
        """core_dir: run the server there with core dumps on, so that a crash leaves a core file
        that backtrace() reads with gdb (when /proc/sys/kernel/core_pattern is a plain name)."""
        self.binary = os.path.abspath(binary)
        self.core_dir = core_dir
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="floe-fuzz-")
        self.extra_args = list(extra_args)
        self.log_path = log_path
        self.proc = None
        self.log = collections.deque(maxlen=4000)
        self.port = None
        self.http_port = None
        self.starts = 0

    def start(self, timeout=90):
        self.port = self.http_port = None
        self.log.clear()
        self.starts += 1
        log_file = open(self.log_path, "a") if self.log_path else None
        extra = dict(preexec_fn=_die_with_parent)
        if self.core_dir:
            os.makedirs(self.core_dir, exist_ok=True)
            for old in glob.glob(os.path.join(self.core_dir, "core*")):
                os.remove(old)

            def preexec():
                _die_with_parent()
                resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

            extra = dict(cwd=self.core_dir, preexec_fn=preexec)
        self.proc = subprocess.Popen(
            [self.binary, "--data-dir", self.data_dir, "--mysql-port", "0", "--http-port", "0",
             "--bind-address", "127.0.0.1", "--log-level", "info", *self.extra_args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace", **extra)
        ready = threading.Event()

        def pump(proc):
            for line in proc.stderr:
                line = line.rstrip("\n")
                self.log.append(line)
                if log_file:
                    log_file.write(line + "\n")
                    log_file.flush()
                m = re.search(r"event=mysql\.listening .*port=(\d+)", line)
                if m:
                    self.port = int(m.group(1))
                m = re.search(r"event=http\.listening .*port=(\d+)", line)
                if m:
                    self.http_port = int(m.group(1))
                if "event=floe.ready" in line:
                    ready.set()
            ready.set()
            if log_file:
                log_file.close()

        threading.Thread(target=pump, args=(self.proc,), daemon=True).start()
        if not ready.wait(timeout) or self.proc.poll() is not None or self.port is None:
            tail = "\n".join(list(self.log)[-50:])
            self.kill()
            raise RuntimeError(f"floe did not become ready (exit={self.proc.poll()}):\n{tail}")
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def returncode(self):
        return None if self.proc is None else self.proc.poll()

    def describe_exit(self):
        rc = self.returncode()
        if rc is None:
            return "running"
        if rc < 0:
            try:
                return f"killed by signal {signal.Signals(-rc).name}"
            except ValueError:
                return f"killed by signal {-rc}"
        return f"exited with status {rc}"

    def backtrace(self, wait=10):
        """The crashed server's stack (gdb over its core file; every thread's top frames), or ''."""
        if not self.core_dir:
            return ""
        deadline = time.time() + wait
        cores = []
        while time.time() < deadline:
            cores = glob.glob(os.path.join(self.core_dir, "core*"))
            if cores:
                size = os.path.getsize(cores[0])
                time.sleep(1)
                if os.path.getsize(cores[0]) == size:
                    break
            time.sleep(0.5)
        if not cores or not shutil.which("gdb"):
            return ""
        try:
            out = subprocess.run(["gdb", "-batch", "-ex", "bt 40", "-ex", "thread apply all bt 12", self.binary, cores[0]],
                                 capture_output=True, text=True, timeout=120).stdout
        except subprocess.TimeoutExpired:
            out = ""
        for c in cores:
            os.remove(c)
        lines = [line for line in out.splitlines() if line.startswith(("#", "Thread", "Program terminated"))]
        return "\n".join(line[:300] for line in lines[:200])

    def log_tail(self, n=60):
        return "\n".join(list(self.log)[-n:])

    def stop(self, timeout=30):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self):
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def restart(self, fresh_dir=False):
        self.stop()
        if fresh_dir:
            self.cleanup()
            self.own_dir = True
            self.data_dir = tempfile.mkdtemp(prefix="floe-fuzz-")
        return self.start()

    def cleanup(self):
        if self.own_dir and os.path.isdir(self.data_dir):
            shutil.rmtree(self.data_dir, ignore_errors=True)


def connect(host, port, database=None, read_timeout=120, **kwargs):
    """A pymysql connection as the integration tests make them (autocommit, root, no password)."""
    args = dict(host=host, port=port, user="root", password="", autocommit=True, connect_timeout=10,
                read_timeout=read_timeout, write_timeout=60, charset="utf8mb4")
    if database:
        args["database"] = database
    args.update(kwargs)
    return pymysql.connect(**args)


def ping(host, port, timeout=10):
    """True when a fresh connection answers SELECT 1 within `timeout` seconds."""
    try:
        conn = connect(host, port, read_timeout=timeout)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
                return cur.fetchall()[0][0] == 1
        finally:
            conn.close()
    except Exception:
        return False


def wait_for(predicate, timeout, step=0.5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
