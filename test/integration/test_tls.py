"""TLS on the MySQL port (the SSLRequest upgrade) and on the HTTP port (HTTPS and plain HTTP on
one port), with the certificate Floe generates at first start or one given with --ssl-cert and
--ssl-key, and --require-secure-transport refusing clear-text clients. Clients: the mysql CLI
(Debian's MariaDB one), pymysql, MariaDB Connector/J and curl."""
import datetime
import json
import os
import re
import socket
import ssl
import stat
import struct
import subprocess

import pymysql
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import FloeServer

HERE = os.path.dirname(os.path.abspath(__file__))
JAR = "/usr/share/java/mariadb-java-client.jar"


def ca_file(server):
    return os.path.join(server.data_dir, "tls", "server.crt")


def write_certificate(directory, common_name, san_ip="127.0.0.1"):
    """A self-signed certificate and key of our own (another CA, or a configured certificate)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(__import__("ipaddress").ip_address(san_ip)),
                                                        x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    os.makedirs(directory, exist_ok=True)
    cert_path = os.path.join(directory, common_name + ".crt")
    key_path = os.path.join(directory, common_name + ".key")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    s = FloeServer(tmp_path_factory.mktemp("floe-tls")).start()
    s.query("CREATE DATABASE IF NOT EXISTS tls_db")
    s.query("CREATE TABLE IF NOT EXISTS tls_db.t (id INT, name VARCHAR(20)) DUPLICATE KEY(id)")
    s.query("CREATE USER IF NOT EXISTS 'tls_user' IDENTIFIED BY 'tls_pw'")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory):
    return write_certificate(str(tmp_path_factory.mktemp("other-ca")), "not-floe")[0]


@pytest.fixture(scope="module")
def jdbc_classes(tmp_path_factory):
    out = tmp_path_factory.mktemp("jdbc-tls")
    subprocess.run(["javac", "-d", str(out), os.path.join(HERE, "clients", "JdbcClient.java")], check=True, timeout=120)
    return out


def logged_fingerprint(server):
    m = re.findall(r"event=tls\.certificate .*sha256_fingerprint=([0-9A-F:]+) generated=(\w+)", server.log())
    assert m, server.log()
    return m[-1]


def test_certificate_generated_at_first_start_and_kept(tmp_path):
    s = FloeServer(tmp_path / "data").start()
    try:
        tls_dir = os.path.join(s.data_dir, "tls")
        for name in ("server.key", "rsa_private_key.pem"):
            assert stat.S_IMODE(os.stat(os.path.join(tls_dir, name)).st_mode) == 0o600, name
        assert stat.S_IMODE(os.stat(tls_dir).st_mode) == 0o700
        with open(ca_file(s), "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "floe"
        assert cert.issuer == cert.subject
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert "localhost" in san.get_values_for_type(x509.DNSName)
        assert "127.0.0.1" in [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
        assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        days = (cert.not_valid_after - cert.not_valid_before).days
        assert 3650 <= days <= 3652, days
        fingerprint, generated = logged_fingerprint(s)
        assert generated == "true"
        assert fingerprint == cert.fingerprint(hashes.SHA256()).hex(":").upper()
        s.restart()
        assert logged_fingerprint(s) == (fingerprint, "false")  # the same certificate, reused
    finally:
        s.stop()


def test_mysql_cli_verifies_the_generated_certificate(tls_server, other_ca):
    base = ["mysql", "-h", "127.0.0.1", "-P", str(tls_server.mysql_port), "-u", "tls_user", "-ptls_pw",
            "--ssl", "--ssl-verify-server-cert"]
    out = subprocess.run(base + [f"--ssl-ca={ca_file(tls_server)}", "-e", "SELECT 40 + 2; \\s"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "42" in out.stdout
    assert re.search(r"SSL:\s+Cipher in use is \S+", out.stdout), out.stdout
    # The same client refuses a server its CA did not sign.
    out = subprocess.run(base + [f"--ssl-ca={other_ca}", "-e", "SELECT 1"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode != 0 and "certificate" in out.stderr.lower(), out.stderr


def test_pymysql_over_tls(tls_server):
    c = tls_server.connect(user="tls_user", password="tls_pw",
                           ssl={"ca": ca_file(tls_server), "check_hostname": True})
    try:
        assert isinstance(c._sock, ssl.SSLSocket)
        assert c._sock.version() in ("TLSv1.2", "TLSv1.3")
        with c.cursor() as cur:
            cur.execute("SELECT CURRENT_USER(), 'é'")
            user, text = cur.fetchone()
            assert user.startswith("tls_user@") and text == "é"
            # Results far larger than one TLS record cross intact.
            cur.execute("SELECT repeat('x', 5000000)")
            assert cur.fetchone()[0] == "x" * 5000000
    finally:
        c.close()
    # Without ssl options pymysql stays in clear text; the server still serves it.
    assert tls_server.query("SELECT 1") == ((1,),)


def test_pymysql_wrong_password_over_tls_is_1045(tls_server):
    with pytest.raises(pymysql.err.OperationalError) as e:
        tls_server.connect(user="tls_user", password="nope", ssl={"ca": ca_file(tls_server)})
    assert e.value.args[0] == 1045


@pytest.mark.parametrize("hostname_check", [True, False])
def test_connector_j_verifies_the_generated_ca(tls_server, jdbc_classes, other_ca, hostname_check):
    # Connector/J 2.7 (Debian's) spells sslMode=verify-ca as useSsl + serverSslCert (+ no hostname
    # check); with the hostname check it is verify-full.
    def url(cert):
        u = (f"jdbc:mariadb://127.0.0.1:{tls_server.mysql_port}/?user=root&useSsl=true&serverSslCert={cert}")
        return u if hostname_check else u + "&disableSslHostnameVerification=true"

    r = subprocess.run(["java", "-cp", f"{jdbc_classes}:{JAR}", "JdbcClient", url(ca_file(tls_server))],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "db db_jdbc" in r.stdout.splitlines()
    r = subprocess.run(["java", "-cp", f"{jdbc_classes}:{JAR}", "JdbcClient", url(other_ca)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode != 0
    assert "certif" in (r.stdout + r.stderr).lower() or "ssl" in (r.stdout + r.stderr).lower()


def curl(args, timeout=120):
    out = subprocess.run(["curl", "-s", "-S"] + args, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    return out.stdout


def stream_load_args(server, scheme, path, label, user="root:", extra=()):
    return ["--location-trusted", "-u", user, "-H", f"label:{label}", "-H", "column_separator:,", *extra,
            "-T", path, f"{scheme}://127.0.0.1:{server.http_port}/api/tls_db/t/_stream_load"]


def test_stream_load_over_https_and_http_on_one_port(tls_server, tmp_path):
    small = tmp_path / "small.csv"
    small.write_text("1,ann\n2,bob\n")
    r = json.loads(curl(["--cacert", ca_file(tls_server)] + stream_load_args(tls_server, "https", str(small), "tls_1")))
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 2, r
    # A body of many TLS records and several load blocks, sent after 100-continue.
    big = tmp_path / "big.csv"
    with open(big, "w") as f:
        for i in range(3, 300003):
            f.write(f"{i},name{i}\n")
    r = json.loads(curl(["--cacert", ca_file(tls_server)] +
                        stream_load_args(tls_server, "https", str(big), "tls_2", extra=["-H", "Expect: 100-continue"])))
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 300000, r
    # Plain HTTP still works on the same port.
    r = json.loads(curl(stream_load_args(tls_server, "http", str(small), "plain_1")))
    assert r["Status"] == "Success", r
    assert tls_server.query("SELECT count(*) FROM tls_db.t") == ((300004,),)
    assert json.loads(curl(["--cacert", ca_file(tls_server), f"https://localhost:{tls_server.http_port}/api/health"]))[
        "status"] == "OK"


def test_https_auth_failures_and_error_answers(tls_server, tmp_path):
    small = tmp_path / "small.csv"
    small.write_text("1,ann\n")
    url = f"https://127.0.0.1:{tls_server.http_port}/api/tls_db/t/_stream_load"
    out = curl(["--cacert", ca_file(tls_server), "-i", "-T", str(small), url])
    assert out.startswith("HTTP/1.1 401"), out
    assert 'WWW-Authenticate: Basic realm=""' in out
    body = json.loads(out.split("\n\n", 1)[1])
    assert body["status"] == "FAILED" and body["msg"] == "Need auth information.", body
    out = curl(["--cacert", ca_file(tls_server), "-i", "-u", "root:wrong", "-T", str(small), url])
    assert out.startswith("HTTP/1.1 401"), out
    assert json.loads(out.split("\n\n", 1)[1])["msg"] == "Access denied for root@127.0.0.1"
    out = curl(["--cacert", ca_file(tls_server), "-i", f"https://127.0.0.1:{tls_server.http_port}/nope"])
    assert out.startswith("HTTP/1.1 404"), out
    # Keep-alive over TLS: two requests on one connection.
    out = curl(["--cacert", ca_file(tls_server), "-v", f"https://127.0.0.1:{tls_server.http_port}/api/health",
                f"https://127.0.0.1:{tls_server.http_port}/api/version"])
    assert out.count("{") == 2


def test_tls_garbage_does_not_hurt_the_server(tls_server):
    # A TLS record header followed by garbage, and a TLS ClientHello that stops halfway.
    for junk in (b"\x16\x03\x01\x00\x05hello", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\0" * 20):
        with socket.create_connection(("127.0.0.1", tls_server.http_port), timeout=10) as s:
            s.sendall(junk)
            s.shutdown(socket.SHUT_WR)
            s.settimeout(10)
            try:
                while s.recv(4096):
                    pass
            except OSError:
                pass
    # A MySQL client that asks for TLS and then speaks garbage.
    with socket.create_connection(("127.0.0.1", tls_server.mysql_port), timeout=10) as s:
        s.recv(4096)
        request = struct.pack("<IIB", 0x200 | 0x800 | 0x8000, 1 << 24, 45) + b"\0" * 23
        s.sendall(len(request).to_bytes(3, "little") + b"\x01" + request + b"not a client hello" * 10)
        s.settimeout(10)
        try:
            while s.recv(4096):
                pass
        except OSError:
            pass
    assert tls_server.query("SELECT 1") == ((1,),)
    assert json.loads(curl(["--cacert", ca_file(tls_server), f"https://127.0.0.1:{tls_server.http_port}/api/health"]))


@pytest.fixture(scope="module")
def secure_only(tmp_path_factory):
    s = FloeServer(tmp_path_factory.mktemp("floe-secure"), ["--require-secure-transport"]).start()
    s.query("CREATE DATABASE IF NOT EXISTS tls_db", ssl={"ca": ca_file(s)})
    s.query("CREATE TABLE IF NOT EXISTS tls_db.t (id INT, name VARCHAR(20)) DUPLICATE KEY(id)", ssl={"ca": ca_file(s)})
    yield s
    s.stop()


def test_require_secure_transport_refuses_clear_text_mysql(secure_only):
    with pytest.raises(pymysql.err.OperationalError) as e:
        secure_only.connect()
    assert e.value.args == (5205, "Connections using insecure transport are prohibited")
    out = subprocess.run(["mysql", "-h", "127.0.0.1", "-P", str(secure_only.mysql_port), "-u", "root", "--skip-ssl",
                          "-e", "SELECT 1"], capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "ERROR 5205 (HY000)" in out.stderr, out.stderr
    # Refused before authentication: no password was looked at.
    assert "mysql.insecure_transport_refused" in secure_only.log()
    assert "mysql.auth_failed" not in secure_only.log()
    # TLS clients are served.
    assert secure_only.query("SELECT 7", ssl={"ca": ca_file(secure_only)}) == ((7,),)
    out = subprocess.run(["mysql", "-h", "127.0.0.1", "-P", str(secure_only.mysql_port), "-u", "root",
                          f"--ssl-ca={ca_file(secure_only)}", "--ssl-verify-server-cert", "-e", "SELECT 8"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "8" in out.stdout, out.stderr


def test_require_secure_transport_raw_downgrade(secure_only):
    """A client that drops CLIENT_SSL (BACKRONYM) and answers with its password at once is refused
    with 5205 instead of being authenticated."""
    with socket.create_connection(("127.0.0.1", secure_only.mysql_port), timeout=10) as s:
        greeting = s.recv(4096)
        caps_low = struct.unpack_from("<H", greeting, greeting.index(b"\0", 5) + 1 + 4 + 9)[0]
        assert caps_low & 0x800  # the server offers TLS
        response = struct.pack("<IIB", 0x200 | 0x8000 | 0x80000, 1 << 24, 45) + b"\0" * 23 + b"root\0" + b"\0"
        s.sendall(len(response).to_bytes(3, "little") + b"\x01" + response)
        answer = s.recv(4096)
        assert answer[4] == 0xFF and struct.unpack_from("<H", answer, 5)[0] == 5205
        assert answer[8:13] == b"HY000"


def test_require_secure_transport_refuses_plain_http(secure_only, tmp_path):
    small = tmp_path / "small.csv"
    small.write_text("1,ann\n")
    out = curl(["-i"] + stream_load_args(secure_only, "http", str(small), "plain_refused"))
    assert out.startswith("HTTP/1.1 403"), out
    body = json.loads(out.split("\n\n", 1)[1])
    assert body["status"] == "FAILED" and "insecure transport" in body["msg"]
    # Health checks stay reachable in clear text.
    assert json.loads(curl([f"http://127.0.0.1:{secure_only.http_port}/api/health"]))["status"] == "OK"
    r = json.loads(curl(["--cacert", ca_file(secure_only)] +
                        stream_load_args(secure_only, "https", str(small), "tls_accepted")))
    assert r["Status"] == "Success", r


def test_configured_certificate_and_config_file(tmp_path):
    cert, key = write_certificate(str(tmp_path / "certs"), "custom")
    config = tmp_path / "floe.conf"
    config.write_text(f"ssl_cert = {cert}\nssl_key = {key}\nrequire_secure_transport = true\n")
    s = FloeServer(tmp_path / "data", ["--config", str(config)]).start()
    try:
        fingerprint, generated = logged_fingerprint(s)
        assert generated == "false" and f"file={cert}" in s.log()
        assert not os.path.exists(os.path.join(s.data_dir, "tls", "server.crt"))
        assert s.query("SELECT 1", ssl={"ca": cert, "check_hostname": True}) == ((1,),)
        with pytest.raises(pymysql.err.OperationalError) as e:
            s.connect()
        assert e.value.args[0] == 5205
    finally:
        s.stop()


def test_bad_certificate_settings_stop_the_server(tmp_path):
    cert, key = write_certificate(str(tmp_path / "a"), "one")
    other_cert, other_key = write_certificate(str(tmp_path / "b"), "two")
    floe = os.environ.get("FLOE_BINARY", os.path.join(HERE, "..", "..", "build", "release", "floe"))
    for args, message in (
        (["--ssl-cert", cert, "--ssl-key", other_key], "does not match"),
        (["--ssl-cert", cert], "--ssl-key"),
        (["--ssl-cert", str(tmp_path / "missing.crt"), "--ssl-key", key], "missing.crt"),
    ):
        out = subprocess.run([floe, "--data-dir", str(tmp_path / "data"), "--mysql-port", "0", "--http-port", "0",
                              "--bind-address", "127.0.0.1", *args], capture_output=True, text=True, timeout=60)
        assert out.returncode == 1, out.stderr
        assert "event=floe.failed" in out.stderr and message in out.stderr, out.stderr


def test_stalled_login_is_cut_off(tls_server):
    """A client that asks for TLS and then never starts it (or says nothing at all) is
    disconnected after the 30-second login deadline instead of holding its thread."""
    import time
    socks = []
    for request_tls in (True, False):
        s = socket.create_connection(("127.0.0.1", tls_server.mysql_port), timeout=60)
        s.recv(4096)
        if request_tls:
            request = struct.pack("<IIB", 0x200 | 0x800 | 0x8000, 1 << 24, 45) + b"\0" * 23
            s.sendall(len(request).to_bytes(3, "little") + b"\x01" + request)
        socks.append(s)
    started = time.monotonic()
    for s in socks:
        try:
            assert s.recv(4096) == b""
        except ConnectionResetError:
            pass
        s.close()
    assert 25 < time.monotonic() - started < 45
    # The server logs the timeout as it closes the connection: the line may trail the close.
    deadline = time.monotonic() + 10
    while "mysql.handshake_timeout" not in tls_server.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "mysql.handshake_timeout" in tls_server.log()
