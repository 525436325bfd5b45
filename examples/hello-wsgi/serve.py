"""Serve index.wsgi on the socket the launcher passes in (LISTEN_FDS, fd 3), with the stdlib only.

The app has no network of its own: the sandbox-run launcher opens the listening socket on the
host and hands it over as fd 3, the way systemd socket activation does.
"""
import os
import socket
import socketserver
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer


class QuietHandler(WSGIRequestHandler):
    def log_message(self, fmt, *args):  # one line per request on stderr is noise under load
        pass


class InheritedSocketServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def __init__(self, sock):
        WSGIServer.__init__(self, sock.getsockname()[:2] if sock.family != socket.AF_UNIX else ("", 0),
                            QuietHandler, bind_and_activate=False)
        self.socket = sock
        self.server_name, self.server_port = "sandbox", 0
        self.setup_environ()


def load_app(path="index.wsgi"):
    namespace = {"__file__": path, "__name__": "index"}
    with open(path) as f:
        exec(compile(f.read(), path, "exec"), namespace)
    return namespace["application"]


def main():
    if os.environ.get("LISTEN_FDS") != "1" or os.environ.get("LISTEN_PID") != str(os.getpid()):
        sys.exit("serve.py: expects one socket from the launcher (run with sandbox-run --listen ADDR)")
    sock = socket.socket(fileno=3)
    server = InheritedSocketServer(sock)
    server.set_app(load_app())
    print("serving index.wsgi on fd 3", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
