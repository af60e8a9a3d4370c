"""caching_sha2_password logins: the greeting offers mysql_native_password, but a client that
answers with caching_sha2_password (MySQL 8 clients, `mysql --default-auth=caching_sha2_password`)
is served in that plugin: the fast path when the server knows the user's SHA-256 verifier, else
full authentication with the clear password over TLS or RSA-encrypted with the server's key,
after which the verifier is kept. Checked byte by byte with a small client of our own, and with
the mysql CLI (libmariadb's caching_sha2_password plugin)."""
import hashlib
import os
import socket
import sqlite3
import ssl
import struct
import subprocess

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from conftest import FloeServer

CLIENT_LONG_PASSWORD = 1
CLIENT_PROTOCOL_41 = 1 << 9
CLIENT_SSL = 1 << 11
CLIENT_SECURE_CONNECTION = 1 << 15
CLIENT_PLUGIN_AUTH = 1 << 19


class LoginError(Exception):
    def __init__(self, code, state, message):
        super().__init__(code, state, message)
        self.code, self.state, self.message = code, state, message


def sha256(data):
    return hashlib.sha256(data).digest()


def sha2_token(password, nonce):
    """SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) || nonce)."""
    if not password:
        return b""
    h1 = sha256(password.encode())
    mask = sha256(sha256(h1) + nonce)
    return bytes(a ^ b for a, b in zip(h1, mask))


class Sha2Client:
    """Logs in with caching_sha2_password and records the server's steps in `steps`:
    'switch' (AuthSwitchRequest), 'fast' (0x01 0x03), 'full' (0x01 0x04), 'key' (a public key)."""

    def __init__(self, port, user, password, ca=None, empty_first=False, plugin="caching_sha2_password"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.seq = 0
        self.steps = []
        self.public_key = None
        greeting = self.read_packet()
        pos = greeting.index(b"\0", 1) + 1 + 4
        nonce = greeting[pos:pos + 8]
        pos += 9
        server_caps = struct.unpack_from("<H", greeting, pos)[0]
        pos += 2 + 1 + 2 + 2 + 1 + 10
        nonce += greeting[pos:pos + 12]
        caps = CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH
        header = struct.pack("<IIB", caps | (CLIENT_SSL if ca else 0), 1 << 24, 45) + b"\0" * 23
        if ca:
            assert server_caps & CLIENT_SSL
            self.write_packet(header)  # the SSLRequest
            context = ssl.create_default_context(cafile=ca)
            self.sock = context.wrap_socket(self.sock, server_hostname="127.0.0.1")
        token = b"" if empty_first else sha2_token(password, nonce)
        self.write_packet(header + user.encode() + b"\0" + bytes([len(token)]) + token + plugin.encode() + b"\0")
        while True:
            p = self.read_packet()
            if p[0] == 0x00:
                return
            if p[0] == 0xFF:
                code = struct.unpack_from("<H", p, 1)[0]
                raise LoginError(code, p[4:9].decode(), p[9:].decode())
            if p[0] == 0xFE:
                self.steps.append("switch")
                end = p.index(b"\0", 1)
                assert p[1:end] == b"caching_sha2_password"
                nonce = p[end + 1:end + 21]
                self.write_packet(sha2_token(password, nonce))
            elif p == b"\x01\x03":
                self.steps.append("fast")
            elif p == b"\x01\x04":
                self.steps.append("full")
                if ca:
                    self.write_packet(password.encode() + b"\0")
                else:
                    self.write_packet(b"\x02")
                    key = self.read_packet()
                    assert key[0] == 0x01
                    self.steps.append("key")
                    self.public_key = key[1:]
                    rsa = serialization.load_pem_public_key(key[1:])
                    clear = password.encode() + b"\0"
                    masked = bytes(c ^ nonce[i % len(nonce)] for i, c in enumerate(clear))
                    self.write_packet(rsa.encrypt(masked, padding.OAEP(mgf=padding.MGF1(hashes.SHA1()),
                                                                      algorithm=hashes.SHA1(), label=None)))
            else:
                raise AssertionError(f"unexpected packet {p!r}")

    def read_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("closed")
            buf += chunk
        return buf

    def read_packet(self):
        header = self.read_exact(4)
        self.seq = (header[3] + 1) % 256
        return self.read_exact(int.from_bytes(header[:3], "little"))

    def write_packet(self, payload):
        self.sock.sendall(len(payload).to_bytes(3, "little") + bytes([self.seq]) + payload)
        self.seq = (self.seq + 1) % 256

    def current_user(self):
        """SELECT CURRENT_USER() over the logged-in connection."""
        self.seq = 0
        self.write_packet(b"\x03SELECT CURRENT_USER()")
        assert self.read_packet() == b"\x01"  # one column
        self.read_packet()  # its definition
        assert self.read_packet()[0] == 0xFE  # EOF
        row = self.read_packet()
        return row[1:1 + row[0]].decode()

    def close(self):
        self.sock.close()


def login(server, user, password, **kwargs):
    c = Sha2Client(server.mysql_port, user, password, **kwargs)
    try:
        assert c.current_user().startswith(user + "@")
        return c.steps
    finally:
        c.close()


@pytest.fixture(scope="module")
def sha2_server(tmp_path_factory):
    s = FloeServer(tmp_path_factory.mktemp("floe-sha2")).start()
    s.query("CREATE USER fast_user IDENTIFIED WITH caching_sha2_password BY 'fast pw'")
    s.query("CREATE USER native_user IDENTIFIED WITH mysql_native_password BY 'native pw'")
    s.query("CREATE USER empty_user")
    # Users whose verifier Floe has not learned yet (set before it kept one): cleared in the meta store.
    s.query("CREATE USER tls_learner IDENTIFIED BY 'tls pw'")
    s.query("CREATE USER rsa_learner IDENTIFIED BY 'rsa pw'")
    s.query("CREATE USER cli_learner IDENTIFIED BY 'cli pw'")
    s.query("CREATE USER cli_rsa_learner IDENTIFIED BY 'cli rsa pw'")
    s.stop()
    with sqlite3.connect(os.path.join(s.data_dir, "meta.db")) as db:
        db.execute("UPDATE users SET sha2_auth = '' WHERE name LIKE '%learner'")
    s.start()
    yield s
    s.stop()


def stored_verifier(server, user):
    with sqlite3.connect(os.path.join(server.data_dir, "meta.db")) as db:
        return db.execute("SELECT sha2_auth FROM users WHERE name = ?", (user,)).fetchone()[0]


def ca(server):
    return os.path.join(server.data_dir, "tls", "server.crt")


def test_fast_path(sha2_server):
    assert login(sha2_server, "fast_user", "fast pw") == ["fast"]
    assert login(sha2_server, "fast_user", "fast pw", ca=ca(sha2_server)) == ["fast"]
    # Both plugins' verifiers are kept whichever plugin CREATE USER named.
    assert login(sha2_server, "native_user", "native pw") == ["fast"]
    assert sha2_server.query("SELECT 1", user="fast_user", password="fast pw") == ((1,),)


def test_wrong_password_goes_to_full_authentication_and_fails(sha2_server):
    for kwargs in ({}, {"ca": ca(sha2_server)}):
        with pytest.raises(LoginError) as e:
            Sha2Client(sha2_server.mysql_port, "fast_user", "wrong", **kwargs)
        assert (e.value.code, e.value.state) == (1045, "28000")
        assert e.value.message == "Access denied for user 'fast_user'@'127.0.0.1' (using password: YES)"
    with pytest.raises(LoginError) as e:
        Sha2Client(sha2_server.mysql_port, "nobody", "pw")
    assert e.value.code == 1045


def test_full_authentication_over_tls_learns_the_verifier(sha2_server):
    assert stored_verifier(sha2_server, "tls_learner") == ""
    assert login(sha2_server, "tls_learner", "tls pw", ca=ca(sha2_server)) == ["full"]
    assert stored_verifier(sha2_server, "tls_learner") == sha256(sha256(b"tls pw")).hex()
    assert login(sha2_server, "tls_learner", "tls pw") == ["fast"]


def test_full_authentication_with_the_rsa_key(sha2_server):
    with pytest.raises(LoginError) as e:
        Sha2Client(sha2_server.mysql_port, "rsa_learner", "not it")
    assert e.value.code == 1045
    assert stored_verifier(sha2_server, "rsa_learner") == ""
    c = Sha2Client(sha2_server.mysql_port, "rsa_learner", "rsa pw")
    assert c.steps == ["full", "key"]
    with open(os.path.join(sha2_server.data_dir, "tls", "rsa_public_key.pem"), "rb") as f:
        assert c.public_key == f.read()
    c.close()
    assert stored_verifier(sha2_server, "rsa_learner") == sha256(sha256(b"rsa pw")).hex()
    assert login(sha2_server, "rsa_learner", "rsa pw") == ["fast"]


def test_empty_password_and_a_client_without_the_nonce(sha2_server):
    assert login(sha2_server, "empty_user", "") == ["switch"]
    with pytest.raises(LoginError):
        Sha2Client(sha2_server.mysql_port, "fast_user", "")
    # A client whose default plugin differs from the greeting's sends no token at first
    # (libmysqlclient, libmariadb): it is asked again with the nonce.
    assert login(sha2_server, "fast_user", "fast pw", empty_first=True) == ["switch", "fast"]


def test_other_plugins_are_switched_to_native(sha2_server):
    # sha256_password (or anything else) is answered with a switch to mysql_native_password.
    c = socket.create_connection(("127.0.0.1", sha2_server.mysql_port), timeout=10)
    c.recv(4096)
    caps = CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH
    payload = struct.pack("<IIB", caps, 1 << 24, 45) + b"\0" * 23 + b"fast_user\0\0sha256_password\0"
    c.sendall(len(payload).to_bytes(3, "little") + b"\x01" + payload)
    answer = c.recv(4096)
    assert answer[4] == 0xFE and answer[5:].startswith(b"mysql_native_password\0")
    c.close()


def mysql_cli(server, user, password, *args):
    return subprocess.run(["mysql", "-h", "127.0.0.1", "-P", str(server.mysql_port), "-u", user, f"-p{password}",
                           "--default-auth=caching_sha2_password", *args, "-N", "-e", "SELECT CURRENT_USER()"],
                          capture_output=True, text=True, timeout=60)


def test_mysql_cli_with_caching_sha2_password(sha2_server):
    # Over TLS (the MariaDB CLI's default when the server offers it): full authentication with
    # the clear password, then the fast path.
    out = mysql_cli(sha2_server, "cli_learner", "cli pw", f"--ssl-ca={ca(sha2_server)}", "--ssl-verify-server-cert")
    assert out.returncode == 0 and out.stdout.startswith("cli_learner@"), out.stderr
    assert stored_verifier(sha2_server, "cli_learner") == sha256(sha256(b"cli pw")).hex()
    out = mysql_cli(sha2_server, "cli_learner", "cli pw", "--skip-ssl")
    assert out.returncode == 0 and out.stdout.startswith("cli_learner@"), out.stderr
    # In clear text: libmariadb asks for the RSA key and sends the password encrypted with it.
    out = mysql_cli(sha2_server, "cli_rsa_learner", "cli rsa pw", "--skip-ssl")
    assert out.returncode == 0 and out.stdout.startswith("cli_rsa_learner@"), out.stderr
    assert stored_verifier(sha2_server, "cli_rsa_learner") == sha256(sha256(b"cli rsa pw")).hex()
    out = mysql_cli(sha2_server, "fast_user", "fast pw", "--skip-ssl")
    assert out.returncode == 0 and out.stdout.startswith("fast_user@"), out.stderr
    out = mysql_cli(sha2_server, "fast_user", "wrong", f"--ssl-ca={ca(sha2_server)}")
    assert out.returncode != 0 and "ERROR 1045 (28000)" in out.stderr and "using password: YES" in out.stderr


def native_hash(password):
    return "*" + hashlib.sha1(hashlib.sha1(password.encode()).digest()).hexdigest().upper()


def test_user_created_from_a_password_hash(sha2_server):
    """IDENTIFIED BY PASSWORD '*hash' (StarRocks) and WITH mysql_native_password AS '*hash' store
    the hash as given: the password logs in, the hash text does not, and caching_sha2_password
    learns its verifier at the first login that proves the password."""
    sha2_server.query(f"CREATE USER from_hash IDENTIFIED BY PASSWORD '{native_hash('hash pw')}'")
    assert sha2_server.query("SELECT 1", user="from_hash", password="hash pw") == ((1,),)
    with pytest.raises(Exception):
        sha2_server.connect(user="from_hash", password=native_hash("hash pw"))
    assert stored_verifier(sha2_server, "from_hash") == ""
    assert login(sha2_server, "from_hash", "hash pw") == ["full", "key"]
    assert login(sha2_server, "from_hash", "hash pw") == ["fast"]
    sha2_server.query(f"ALTER USER from_hash IDENTIFIED WITH mysql_native_password AS '{native_hash('new pw').lower()}'")
    assert sha2_server.query("SELECT 1", user="from_hash", password="new pw") == ((1,),)
    assert login(sha2_server, "from_hash", "new pw", ca=ca(sha2_server)) == ["full"]
    with pytest.raises(Exception):
        sha2_server.query("CREATE USER bad_hash IDENTIFIED BY PASSWORD 'not a hash'")
