"""Malformed or truncated packets close only the offending connection; the server keeps serving."""
import socket
import struct
import time

import pytest

from mysql_raw import RawClient


def raw_socket(server):
    s = socket.create_connection(("127.0.0.1", server.mysql_port), timeout=10)
    s.settimeout(10)
    return s


def read_greeting(s):
    header = s.recv(4)
    n = int.from_bytes(header[:3], "little")
    data = b""
    while len(data) < n:
        data += s.recv(n - len(data))
    return data


def closed_or_error(s):
    """True when the server closed the connection or answered with an ERR packet."""
    try:
        data = s.recv(65536)
    except (ConnectionResetError, socket.timeout):
        return True
    return data == b"" or (len(data) > 4 and data[4] == 0xFF)


@pytest.fixture
def witness(server):
    """A connection opened before the abuse that must keep working afterwards."""
    c = server.connect()
    yield c
    with c.cursor() as cur:
        cur.execute("SELECT 1")
        assert cur.fetchall() == ((1,),)
    c.close()
    assert server.query("SELECT 2") == ((2,),)
    assert server.proc.poll() is None


def test_garbage_instead_of_handshake_response(server, witness):
    s = raw_socket(server)
    assert read_greeting(s)[0] == 10
    s.sendall(b"\x05\x00\x00\x01hello")
    assert closed_or_error(s)
    s.close()


def test_truncated_handshake_response(server, witness):
    s = raw_socket(server)
    read_greeting(s)
    s.sendall(b"\x40\x00\x00\x01" + b"\x00" * 10)  # claims 64 bytes, sends 10, then closes
    s.close()


def test_huge_length_then_close(server, witness):
    s = raw_socket(server)
    read_greeting(s)
    s.sendall(b"\xff\xff\xff\x01" + b"\x00" * 100)
    s.close()


def test_random_bytes_before_greeting_read(server, witness):
    s = raw_socket(server)
    s.sendall(bytes(range(256)) * 4)
    s.close()


def test_unknown_command_answers_error(server, witness):
    c = RawClient(server.mysql_port)
    c.command(b"\x7f")
    p = c.read_packet()
    assert p[0] == 0xFF and struct.unpack_from("<H", p, 1)[0] == 1047
    assert c.ping()[0] == 0x00
    c.close()


def test_malformed_command_packets_close_connection(server, witness):
    for bad in [b"\x16", b"\x17\x01", b"\x19", b"\x04no-terminator", b""]:
        c = RawClient(server.mysql_port)
        c.command(bad)
        try:
            p = c.read_packet()
            assert p[0] == 0xFF
        except (ConnectionError, socket.timeout, ConnectionResetError):
            pass
        c.close()


def test_execute_with_truncated_parameters(server, witness):
    c = RawClient(server.mysql_port)
    stmt, _, _ = c.prepare("SELECT ? + 1")
    c.command(b"\x17" + struct.pack("<IBI", stmt, 0, 1) + b"\x00\x01\x08\x00" + b"\x01\x02")  # 2 of 8 bytes
    try:
        p = c.read_packet()
        assert p[0] == 0xFF
    except (ConnectionError, socket.timeout, ConnectionResetError):
        pass
    c.close()
