"""A CPython web worker's stdlib, one part at a time; prints "<part> ok" for each that works.

Run inside a sandbox by SeccompWorkloadIT under each bundled profile. Arguments: the cert and key
files (PEM, made by the test with openssl) for the TLS handshake. Stdlib only.
"""
import asyncio
import hashlib
import json
import os
import sqlite3
import ssl
import sys
import threading

cert, key = sys.argv[1], sys.argv[2]


def part(name, fn):
    fn()
    print(name, "ok", flush=True)


def threads():
    results = [None] * 4

    def work(i):
        results[i] = sum(range(i * 1000))

    ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert results == [sum(range(i * 1000)) for i in range(4)], results


def asyncio_echo():
    async def handle(reader, writer):
        writer.write(await reader.readline())
        await writer.drain()
        writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"echo\n")
        await writer.drain()
        assert await reader.readline() == b"echo\n"
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(main())


def tls():
    client_ctx = ssl.create_default_context()   # loads the system's CA paths
    client_ctx.load_verify_locations(cert)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname="localhost")
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    done = {client: False, server: False}
    for _ in range(20):
        for side in (client, server):
            if not done[side]:
                try:
                    side.do_handshake()
                    done[side] = True
                except ssl.SSLWantReadError:
                    pass
        s_in.write(c_out.read())
        c_in.write(s_out.read())
        if all(done.values()):
            break
    assert all(done.values()), "handshake did not finish"
    client.write(b"ping")
    s_in.write(c_out.read())
    assert server.read(4) == b"ping"


def sqlite():
    for where in (":memory:", os.path.join(os.environ["HOME"], "work.db")):
        db = sqlite3.connect(where)
        db.execute("create table t (k integer primary key, v text)")
        db.executemany("insert into t (v) values (?)", [("a",), ("b",)])
        db.commit()
        assert db.execute("select count(*) from t").fetchone() == (2,)
        db.close()


def hashes():
    assert hashlib.sha256(b"abc").hexdigest().startswith("ba7816bf")
    assert hashlib.blake2b(b"abc").digest_size == 64
    hashlib.pbkdf2_hmac("sha256", b"pw", b"salt", 1000)


def json_roundtrip():
    doc = {"a": [1, 2.5, None, True], "b": {"c": "\u00e9"}}
    assert json.loads(json.dumps(doc)) == doc


part("threads", threads)
part("asyncio", asyncio_echo)
part("ssl", tls)
part("sqlite3", sqlite)
part("hashlib", hashes)
part("json", json_roundtrip)
