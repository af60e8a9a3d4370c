"""A minimal raw MySQL protocol client for tests that need exact bytes: handshake with
mysql_native_password, COM_QUERY, COM_STMT_PREPARE/EXECUTE/CLOSE/RESET with typed parameters,
and decoding of binary result rows."""
import hashlib
import socket
import struct

CLIENT_LONG_PASSWORD = 1
CLIENT_CONNECT_WITH_DB = 8
CLIENT_PROTOCOL_41 = 512
CLIENT_SECURE_CONNECTION = 1 << 15
CLIENT_PLUGIN_AUTH = 1 << 19
CLIENT_DEPRECATE_EOF = 1 << 24

T_DOUBLE, T_NULL, T_LONGLONG, T_DATE, T_DATETIME, T_VAR_STRING = 0x05, 0x06, 0x08, 0x0A, 0x0C, 0xFD
T_TINY, T_SHORT, T_LONG, T_FLOAT, T_NEWDECIMAL = 0x01, 0x02, 0x03, 0x04, 0xF6


def lenenc_int(b, pos):
    first = b[pos]
    if first < 0xFB:
        return first, pos + 1
    if first == 0xFC:
        return struct.unpack_from("<H", b, pos + 1)[0], pos + 3
    if first == 0xFD:
        return int.from_bytes(b[pos + 1:pos + 4], "little"), pos + 4
    if first == 0xFE:
        return struct.unpack_from("<Q", b, pos + 1)[0], pos + 9
    raise ValueError("bad lenenc")


def lenenc_bytes(data):
    n = len(data)
    if n < 0xFB:
        return bytes([n]) + data
    if n <= 0xFFFF:
        return b"\xfc" + struct.pack("<H", n) + data
    return b"\xfd" + n.to_bytes(3, "little") + data


class RawClient:
    def __init__(self, port, user="root", password="", deprecate_eof=False):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.seq = 0
        self.deprecate_eof = deprecate_eof
        greeting = self.read_packet()
        assert greeting[0] == 10
        pos = greeting.index(b"\0", 1) + 1
        self.server_version = greeting[1:pos - 1].decode()
        self.connection_id = struct.unpack_from("<I", greeting, pos)[0]
        scramble = greeting[pos + 4:pos + 12]
        pos += 13
        self.server_caps = struct.unpack_from("<H", greeting, pos)[0]
        pos += 2 + 1 + 2
        self.server_caps |= struct.unpack_from("<H", greeting, pos)[0] << 16
        pos += 2 + 1 + 10
        scramble += greeting[pos:pos + 12]
        pos += 13
        self.plugin = greeting[pos:greeting.index(b"\0", pos)].decode()
        caps = CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH
        if deprecate_eof:
            caps |= CLIENT_DEPRECATE_EOF
        auth = b""
        if password:
            h1 = hashlib.sha1(password.encode()).digest()
            h2 = hashlib.sha1(h1).digest()
            mask = hashlib.sha1(scramble + h2).digest()
            auth = bytes(a ^ b for a, b in zip(h1, mask))
        payload = struct.pack("<IIB", caps, 1 << 24, 45) + b"\0" * 23 + user.encode() + b"\0"
        payload += bytes([len(auth)]) + auth + b"mysql_native_password\0"
        self.write_packet(payload)
        resp = self.read_packet()
        if resp[0] == 0xFF:
            raise RuntimeError(self.parse_err(resp))

    def close(self):
        self.sock.close()

    def read_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("closed")
            buf += chunk
        return buf

    def read_packet(self):
        payload = b""
        while True:
            header = self.read_exact(4)
            n = int.from_bytes(header[:3], "little")
            self.seq = (header[3] + 1) % 256
            payload += self.read_exact(n)
            if n < 0xFFFFFF:
                return payload

    def write_packet(self, payload):
        self.sock.sendall(len(payload).to_bytes(3, "little") + bytes([self.seq]) + payload)
        self.seq = (self.seq + 1) % 256

    def command(self, payload):
        self.seq = 0
        self.write_packet(payload)

    @staticmethod
    def parse_err(p):
        code = struct.unpack_from("<H", p, 1)[0]
        return code, p[4:9].decode(), p[9:].decode(errors="replace")

    def read_columns(self, n):
        cols = []
        for _ in range(n):
            p = self.read_packet()
            pos = 0
            fields = []
            for _ in range(6):
                ln, pos = lenenc_int(p, pos)
                fields.append(p[pos:pos + ln].decode())
                pos += ln
            pos += 1
            charset, length, ctype, flags, decimals = struct.unpack_from("<HIBHB", p, pos)
            cols.append({"name": fields[4], "type": ctype, "flags": flags, "charset": charset, "decimals": decimals})
        if not self.deprecate_eof and n:
            assert self.read_packet()[0] == 0xFE
        return cols

    def query(self, sql):
        self.command(b"\x03" + sql.encode())
        p = self.read_packet()
        if p[0] == 0xFF:
            raise RuntimeError(self.parse_err(p))
        if p[0] == 0x00:
            return None, []
        n, _ = lenenc_int(p, 0)
        cols = self.read_columns(n)
        rows = []
        while True:
            p = self.read_packet()
            if p[0] == 0xFE and len(p) < 0xFFFFFF:
                return cols, rows
            pos, row = 0, []
            for _ in range(n):
                if p[pos] == 0xFB:
                    row.append(None)
                    pos += 1
                else:
                    ln, pos = lenenc_int(p, pos)
                    row.append(p[pos:pos + ln].decode())
                    pos += ln
            rows.append(row)

    def prepare(self, sql):
        self.command(b"\x16" + sql.encode())
        p = self.read_packet()
        if p[0] == 0xFF:
            raise RuntimeError(self.parse_err(p))
        stmt_id, ncols, nparams = struct.unpack_from("<IHH", p, 1)
        if nparams:
            self.read_columns(nparams)
        cols = self.read_columns(ncols) if ncols else []
        return stmt_id, nparams, cols

    def execute(self, stmt_id, params, send_types=True):
        """params: list of (type, value); value None is NULL."""
        payload = b"\x17" + struct.pack("<IBI", stmt_id, 0, 1)
        if params:
            bitmap = bytearray((len(params) + 7) // 8)
            for i, (_, v) in enumerate(params):
                if v is None:
                    bitmap[i // 8] |= 1 << (i % 8)
            payload += bytes(bitmap) + (b"\x01" if send_types else b"\x00")
            if send_types:
                for t, _ in params:
                    payload += struct.pack("<H", t)
            for t, v in params:
                if v is None:
                    continue
                if t == T_LONGLONG:
                    payload += struct.pack("<q", v)
                elif t == T_LONG:
                    payload += struct.pack("<i", v)
                elif t == T_DOUBLE:
                    payload += struct.pack("<d", v)
                elif t in (T_VAR_STRING, T_NEWDECIMAL):
                    payload += lenenc_bytes(v.encode())
                elif t == T_DATE:
                    y, m, d = v
                    payload += struct.pack("<BHBB", 4, y, m, d)
                elif t == T_DATETIME:
                    y, m, d, hh, mi, ss = v
                    payload += struct.pack("<BHBBBBB", 7, y, m, d, hh, mi, ss)
                else:
                    raise ValueError(t)
        self.command(payload)
        p = self.read_packet()
        if p[0] == 0xFF:
            raise RuntimeError(self.parse_err(p))
        if p[0] == 0x00:
            return None, []
        n, _ = lenenc_int(p, 0)
        cols = self.read_columns(n)
        rows = []
        while True:
            p = self.read_packet()
            if p[0] == 0xFE and len(p) < 9:
                return cols, rows
            rows.append(self.decode_binary_row(p, cols))

    @staticmethod
    def decode_binary_row(p, cols):
        n = len(cols)
        assert p[0] == 0
        nb = (n + 7 + 2) // 8
        bitmap = p[1:1 + nb]
        pos = 1 + nb
        row = []
        for i, c in enumerate(cols):
            bit = i + 2
            if bitmap[bit // 8] & (1 << (bit % 8)):
                row.append(None)
                continue
            t = c["type"]
            if t == T_TINY:
                row.append(struct.unpack_from("<b", p, pos)[0]); pos += 1
            elif t == T_SHORT:
                row.append(struct.unpack_from("<h", p, pos)[0]); pos += 2
            elif t == T_LONG:
                row.append(struct.unpack_from("<i", p, pos)[0]); pos += 4
            elif t == T_LONGLONG:
                row.append(struct.unpack_from("<q", p, pos)[0]); pos += 8
            elif t == T_FLOAT:
                row.append(struct.unpack_from("<f", p, pos)[0]); pos += 4
            elif t == T_DOUBLE:
                row.append(struct.unpack_from("<d", p, pos)[0]); pos += 8
            elif t in (T_DATE, T_DATETIME):
                ln = p[pos]; pos += 1
                parts = []
                if ln >= 4:
                    parts += [struct.unpack_from("<H", p, pos)[0], p[pos + 2], p[pos + 3]]
                if ln >= 7:
                    parts += [p[pos + 4], p[pos + 5], p[pos + 6]]
                pos += ln
                row.append(tuple(parts))
            else:
                ln, pos = lenenc_int(p, pos)
                row.append(p[pos:pos + ln].decode())
                pos += ln
        return row

    def close_statement(self, stmt_id):
        self.command(b"\x19" + struct.pack("<I", stmt_id))

    def reset_statement(self, stmt_id):
        self.command(b"\x1a" + struct.pack("<I", stmt_id))
        return self.read_packet()

    def ping(self):
        self.command(b"\x0e")
        return self.read_packet()
