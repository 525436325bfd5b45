"""Escape probes run inside a real sandbox: each tries one escape and prints one JSON line.

    python3 probe.py NAME [ARG...]

Output: {"probe": NAME, "escaped": bool, "errno": "ENOENT" | null, "detail": "..."}.
A probe uses harmless arguments where it can, so a wall that fails does no damage. Stdlib only.
"""
import errno
import json
import os
import socket
import sys


def result(name, escaped, err=None, detail=""):
    print(json.dumps({"probe": name, "escaped": escaped,
                      "errno": errno.errorcode.get(err) if err else None, "detail": detail}), flush=True)


def attempt(name, fn):
    """Runs fn; an OSError means the wall held (its errno is reported), a return means escape."""
    try:
        detail = fn()
        result(name, True, None, str(detail)[:200])
    except OSError as e:
        result(name, False, e.errno, str(e))


def read_file(path):
    with open(path, "rb") as f:
        return f.read(64)


def write_file(path):
    with open(path, "wb") as f:
        f.write(b"x")
    return "wrote " + path


def connect(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(3)
        s.connect((host, int(port)))
    return "connected"


def fastopen(host, port):
    """TCP Fast Open: sendto() connects without a connect() call, so the launcher's redirect never sees it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(3)
        s.sendto(b"x", socket.MSG_FASTOPEN, (host, int(port)))
    return "sent"


def fill(path):
    """Writes 1 MiB blocks until the cap stops it; the wall holds when ENOSPC ends the loop."""
    block = b"\0" * (1 << 20)
    written = 0
    try:
        with open(path, "wb") as f:
            while written < (1 << 34):
                f.write(block)
                f.flush()
                written += len(block)
        return "wrote %d bytes without ENOSPC" % written
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def run_copy(src, dst):
    """Copies an executable to dst (mode 0755) and runs it; a noexec mount refuses the exec."""
    with open(src, "rb") as f, open(dst, "wb") as out:
        out.write(f.read())
    try:
        os.chmod(dst, 0o755)
        pid = os.fork()
        if pid == 0:
            try:
                os.execv(dst, [dst])
            except OSError as e:
                os._exit(100 + e.errno)
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        if status > 100:
            raise OSError(status - 100, os.strerror(status - 100), dst)
        return "ran, exit %d" % status
    finally:
        os.unlink(dst)


def mount_facts(path):
    """Mode, mount flags and size of the filesystem at path, as statvfs reports them."""
    st, vfs = os.stat(path), os.statvfs(path)
    flags = [name for name, bit in (("nodev", os.ST_NODEV), ("noexec", os.ST_NOEXEC), ("nosuid", os.ST_NOSUID),
                                    ("ro", os.ST_RDONLY)) if vfs.f_flag & bit]
    return {"probe": "mount:" + path, "mode": oct(st.st_mode & 0o7777), "flags": flags,
            "bytes": vfs.f_blocks * vfs.f_frsize}


def writable_mount_points():
    """Every mount point (a directory) in which a new file can be created; each file is removed again."""
    found = []
    with open("/proc/self/mountinfo") as f:
        points = sorted({line.split()[4].replace("\\040", " ") for line in f})
    for point in points:
        if not os.path.isdir(point):
            continue
        name = os.path.join(point, ".probe-%d" % os.getpid())
        try:
            os.close(os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except OSError:
            continue
        os.unlink(name)
        found.append(point)
    return found


def status_field(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return line.split(":", 1)[1].strip()
    return None


def main():
    name, args = sys.argv[1], sys.argv[2:]
    if name == "read":                       # read a host file that must not exist inside
        attempt("read:" + args[0], lambda: read_file(args[0]))
    elif name == "list":                     # list a directory
        attempt("list:" + args[0], lambda: os.listdir(args[0]))
    elif name == "write":                    # write where the app must not write
        attempt("write:" + args[0], lambda: write_file(args[0]))
    elif name == "connect":                  # reach a network address
        attempt("connect:%s:%s" % (args[0], args[1]), lambda: connect(args[0], args[1]))
    elif name == "fastopen":                 # reach a network address without connect()
        attempt("fastopen:%s:%s" % (args[0], args[1]), lambda: fastopen(args[0], args[1]))
    elif name == "fill":                     # fill the writable space past its cap
        attempt("fill:" + args[0], lambda: fill(args[0]))
    elif name == "run-copy":                 # run a copy of an executable placed at a writable path
        attempt("run-copy:" + args[1], lambda: run_copy(args[0], args[1]))
    elif name == "mount-facts":              # facts about a mount, judged by the test
        print(json.dumps(mount_facts(args[0])), flush=True)
    elif name == "writable-mounts":          # the mount points the app can create files in
        print(json.dumps({"probe": "writable-mounts", "paths": writable_mount_points()}), flush=True)
    elif name == "identity":                 # facts about the process, judged by the test
        print(json.dumps({"probe": "identity", "uid": os.getuid(), "gid": os.getgid(),
                          "euid": os.geteuid(), "cap_eff": status_field("CapEff"),
                          "cap_bnd": status_field("CapBnd"), "cap_amb": status_field("CapAmb"),
                          "no_new_privs": status_field("NoNewPrivs"),
                          "hostname": socket.gethostname(), "pid": os.getpid(),
                          "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
                          "cwd": os.getcwd(),
                          "env": dict(os.environ)}), flush=True)
    elif name == "write-ok":                 # a write that must succeed; prints where it landed
        path = args[0]
        with open(path, "w") as f:
            f.write(args[1] if len(args) > 1 else "ok")
        print(json.dumps({"probe": "write-ok:" + path, "escaped": False, "errno": None,
                          "detail": "wrote"}), flush=True)
    else:
        sys.exit("unknown probe " + name)


if __name__ == "__main__":
    main()
