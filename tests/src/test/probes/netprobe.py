"""Network client steps run inside a real sandbox, one JSON line per step (the Net*IT tests).

    python3 netprobe.py 'OP ARG...' ['OP ARG...' ...]

Each argument is one step, its words separated by spaces. Each step prints
{"step": N, "op": OP, "ok": bool, "errno": "ECONNREFUSED" | null, "detail": "...", "elapsed": seconds, ...}
where ok means the step did what a client with a working network gets, and errno names the
error that stopped it. A step never raises: the next one runs whatever happened. Stdlib only.
"""
import asyncio
import errno
import hashlib
import http.client
import json
import os
import select
import socket
import sys
import time
import urllib.error
import urllib.request

TIMEOUT = 5.0


class Failed(Exception):
    """A step that ended without an OSError but not as a working network would."""


def errname(e):
    if isinstance(e, socket.timeout):
        return "TIMEOUT"
    if isinstance(e, urllib.error.URLError) and isinstance(e.reason, OSError):
        return errname(e.reason)
    if isinstance(e, socket.gaierror):
        return "EAI:%d" % e.errno
    if isinstance(e, OSError) and e.errno:
        return errno.errorcode.get(e.errno, str(e.errno))
    return type(e).__name__


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def dial(host, port, timeout=TIMEOUT):
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((host, int(port)))
    except BaseException:
        s.close()
        raise
    return s


def read_all(s):
    chunks = []
    while True:
        b = s.recv(1 << 16)
        if not b:
            return b"".join(chunks)
        chunks.append(b)


def ping(s, word=b"ping"):
    """Sends a line to an echo server and checks it comes back."""
    s.sendall(word + b"\n")
    got = b""
    while not got.endswith(b"\n"):
        b = s.recv(4096)
        if not b:
            raise Failed("EOF after %r" % got)
        got += b
    if got != word + b"\n":
        raise Failed("echo returned %r" % got)


def op_echo(host, port):
    with dial(host, port) as s:
        ping(s)
        return {"local": s.getsockname()[:2], "peer": s.getpeername()[:2]}


def op_connect(host, port):
    with dial(host, port):
        return "connected"


def op_urllib(url):
    with urllib.request.urlopen(url, timeout=TIMEOUT) as r:
        return {"status": r.status, "body": r.read().decode()}


def op_httpclient(host, port, path):
    c = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return {"status": r.status, "body": r.read().decode()}
    finally:
        c.close()


def op_asyncio(host, port):
    async def run():
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), TIMEOUT)
        writer.write(b"async\n")
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), TIMEOUT)
        writer.close()
        await writer.wait_closed()
        if line != b"async\n":
            raise Failed("echo returned %r" % line)
        return "echoed"
    return asyncio.run(run())


def op_nonblock(host, port):
    """connect_ex on a non-blocking socket: EINPROGRESS, then writable, SO_ERROR 0, then an echo."""
    with socket.socket(family(host), socket.SOCK_STREAM) as s:
        s.setblocking(False)
        rc = s.connect_ex((host, int(port)))
        first = errno.errorcode.get(rc, str(rc)) if rc else "0"
        _, writable, _ = select.select([], [s], [], TIMEOUT)
        if not writable:
            raise Failed("not writable within %s s (connect_ex gave %s)" % (TIMEOUT, first))
        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            raise OSError(err, os.strerror(err))
        s.setblocking(True)
        s.settimeout(TIMEOUT)
        ping(s)
        return {"connect_ex": first}


def op_upload(host, port, n):
    """Sends n random bytes, half-closes, reads the server's "SHA256 COUNT" reply."""
    n = int(n)
    h = hashlib.sha256()
    t0 = time.monotonic()
    with dial(host, port, timeout=60) as s:
        left = n
        while left:
            block = os.urandom(min(left, 1 << 20))
            h.update(block)
            s.sendall(block)
            left -= len(block)
        s.shutdown(socket.SHUT_WR)
        reply = read_all(s).decode().split()
    return {"sent_sha256": h.hexdigest(), "sent": n, "reply": reply, "transfer": time.monotonic() - t0}


def op_download(host, port, n, half_close=False):
    """Asks the source server for n bytes (then half-closes, if asked); reads to EOF."""
    h = hashlib.sha256()
    count = 0
    t0 = time.monotonic()
    with dial(host, port, timeout=60) as s:
        s.sendall(b"%d\n" % int(n))
        if half_close:
            s.shutdown(socket.SHUT_WR)
            time.sleep(0.3)  # the answer piles up in the proxy while the app does not read
        while True:
            b = s.recv(1 << 16)
            if not b:
                break
            h.update(b)
            count += len(b)
    return {"received_sha256": h.hexdigest(), "received": count, "transfer": time.monotonic() - t0}


def op_halfclose(host, port):
    """Writes, shuts the write side, and reads the reply the server sends only after EOF."""
    data = b"half-close works\n"
    with dial(host, port) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        reply = read_all(s).decode().split()
    return {"sent_sha256": hashlib.sha256(data).hexdigest(), "reply": reply}


def op_sockopt(host, port):
    """Options the app set before connect() are still set on the connected socket."""
    with socket.socket(family(host), socket.SOCK_STREAM) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 77)
        s.settimeout(TIMEOUT)
        s.connect((host, int(port)))
        ping(s)
        got = {"TCP_NODELAY": s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
               "SO_KEEPALIVE": s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
               "TCP_KEEPIDLE": s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE)}
        if got != {"TCP_NODELAY": 1, "SO_KEEPALIVE": 1, "TCP_KEEPIDLE": 77}:
            raise Failed("options after connect: %s" % got)
        return got


def op_udp(host, port):
    with socket.socket(family(host), socket.SOCK_DGRAM) as s:
        s.sendto(b"udp from the sandbox\n", (host, int(port)))
        return "sent"


def op_raw():
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP):
        return "raw socket opened"


def op_packet():
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003)):
        return "packet socket opened"


def listeners():
    """TCP sockets in LISTEN, from /proc/net/tcp{,6}, as (address, port)."""
    found = []
    for path, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            with open(path) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if cols[3] != "0A":
                continue
            addr, port = cols[1].split(":")
            raw = bytes.fromhex(addr)
            if v6:
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                text = socket.inet_ntop(socket.AF_INET6, raw)
            else:
                text = socket.inet_ntop(socket.AF_INET, raw[::-1])
            found.append((text, int(port, 16)))
    return found


def op_proxyport():
    """Connects straight to each loopback listener but DNS's and tries to talk through it."""
    found = [(a, p) for a, p in listeners() if a in ("127.0.0.1", "::1") and p != 53]
    if not found:
        raise Failed("no listener found: %s" % listeners())
    outcome = {}
    reached = False
    for a, p in found:
        key = "%s:%d" % (a, p)
        try:
            with dial(a, p, timeout=2) as s:
                s.settimeout(2)
                try:
                    s.sendall(b"ping\n")
                    got = s.recv(4096)
                    outcome[key] = "got %r" % got if got else "EOF"
                    reached = reached or bool(got)
                except OSError as e:
                    outcome[key] = errname(e)
        except OSError as e:
            outcome[key] = "connect " + errname(e)
    if reached:
        return {"listeners": outcome}
    raise Failed(json.dumps(outcome))


def op_burst(n, host, port, then="close"):
    """n connects in a row, each closed at once ("close") or after an echo ("echo"); the result and time of each."""
    out = []
    for _ in range(int(n)):
        t0 = time.monotonic()
        try:
            with dial(host, port) as s:
                if then == "echo":
                    ping(s)
            out.append([None, time.monotonic() - t0])
        except (OSError, Failed) as e:
            out.append([errname(e) if isinstance(e, OSError) else str(e), time.monotonic() - t0])
    if any(r[0] for r in out):
        raise Failed(json.dumps(out))
    return out


def op_concurrent(n, host, port):
    """Holds n echo connections, tries one more, closes one and tries again."""
    held = []
    report = {}
    try:
        for i in range(int(n)):
            s = dial(host, port)
            ping(s)
            held.append(s)
        report["held"] = len(held)
        try:
            extra = dial(host, port)
            try:
                ping(extra)
                report["extra"] = "echoed"
            except OSError as e:
                report["extra"] = "connected, then " + errname(e)
            except Failed as e:
                report["extra"] = "connected, then " + str(e)
            extra.close()
        except OSError as e:
            report["extra"] = errname(e)
        held.pop(0).close()
        time.sleep(0.3)  # the proxy counts the connection closed when it sees the FIN
        try:
            with dial(host, port) as again:
                ping(again)
                report["after_close"] = "echoed"
        except (OSError, Failed) as e:
            report["after_close"] = errname(e) if isinstance(e, OSError) else str(e)
    finally:
        for s in held:
            s.close()
    return report


def op_soak(n, host, port):
    ok = 0
    first_error = None
    for i in range(int(n)):
        try:
            with dial(host, port) as s:
                ping(s, b"soak %d" % i)
            ok += 1
        except (OSError, Failed) as e:
            if first_error is None:
                first_error = "connection %d: %s" % (i, errname(e) if isinstance(e, OSError) else e)
    if first_error:
        raise Failed("%d of %s ok; first error: %s" % (ok, n, first_error))
    return {"connections": ok}


def op_resolve(name, port):
    infos = socket.getaddrinfo(name, int(port), socket.AF_INET, socket.SOCK_STREAM)
    return sorted({i[4][0] for i in infos})


def op_resolve_echo(name, port):
    addr = op_resolve(name, port)[0]
    op_echo(addr, port)
    return {"address": addr}


def op_sleep(seconds):
    time.sleep(float(seconds))
    return "slept"


OPS = {"echo": op_echo, "connect": op_connect, "urllib": op_urllib, "httpclient": op_httpclient,
       "asyncio": op_asyncio, "nonblock": op_nonblock, "upload": op_upload, "download": op_download,
       "halfclose-download": lambda host, port, n: op_download(host, port, n, half_close=True),
       "halfclose": op_halfclose, "sockopt": op_sockopt, "udp": op_udp, "raw": op_raw, "packet": op_packet,
       "proxyport": op_proxyport, "burst": op_burst, "concurrent": op_concurrent, "soak": op_soak,
       "resolve": op_resolve, "resolve-echo": op_resolve_echo, "sleep": op_sleep}


def main():
    for n, step in enumerate(sys.argv[1:]):
        words = step.split()
        line = {"step": n, "op": words[0], "args": words[1:], "ok": False, "errno": None, "detail": None}
        t0 = time.monotonic()
        try:
            line["detail"] = OPS[words[0]](*words[1:])
            line["ok"] = True
        except Failed as e:
            line["detail"] = str(e)
        except Exception as e:
            line["errno"] = errname(e)
            line["detail"] = str(e)
        line["elapsed"] = time.monotonic() - t0
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
