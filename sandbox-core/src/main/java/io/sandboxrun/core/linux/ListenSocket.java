package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * socket(2), bind(2), listen(2) for the listening sockets the launcher opens on the host and
 * passes to the app as raw descriptors (systemd socket activation), which Java's channels
 * cannot hand out; and for unix sockets the calls around them: the file's owner and mode
 * (fchownat(2), fchmodat(2)) and a probe whether anyone accepts connections at a path.
 */
public final class ListenSocket {
    // sys/socket.h, sys/un.h, fcntl.h (Linux, all architectures we support)
    private static final int SO_REUSEADDR = 2;
    private static final int UNIX_PATH_MAX = 108;
    private static final int BACKLOG = 511;
    static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;

    /** A bound, listening socket and the port it got (0 for unix sockets). */
    public record Bound(Fd fd, int port) {}

    /** TCP listener on {@code address:port} (port 0: the kernel picks one). */
    public static Bound tcp(InetAddress address, int port) {
        int family = address instanceof Inet6Address ? SockAddr.AF_INET6 : SockAddr.AF_INET;
        Fd fd = socket(family);
        try {
            IntByReference one = new IntByReference(1);
            if (Raw.C.setsockopt(fd.get(), Sockets.SOL_SOCKET, SO_REUSEADDR, one.getPointer(), 4) < 0) {
                throw SyscallException.of("setsockopt", Native.getLastError(), "SO_REUSEADDR");
            }
            Sockets.bind(fd, new java.net.InetSocketAddress(address, port));
            listen(fd, address.getHostAddress() + ":" + port);
            return new Bound(fd, Sockets.localAddress(fd).inet().map(java.net.InetSocketAddress::getPort).orElse(0));
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * A unix stream socket bound at {@code path} (which must not exist), not yet listening: until
     * {@link #listen} a connect to it is refused, so its owner and mode can be set first.
     */
    public static Fd bindUnix(Path path) {
        Fd fd = socket(SockAddr.AF_UNIX);
        try {
            Memory sa = unixAddress(path);
            if (Raw.C.bind(fd.get(), sa, (int) sa.size()) < 0) {
                throw SyscallException.of("bind", Native.getLastError(), "unix:%s", path);
            }
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** listen(2) on a bound socket; {@code address} names it in an error. */
    public static void listen(Fd fd, String address) {
        if (Raw.C.listen(fd.get(), BACKLOG) < 0) throw SyscallException.of("listen", Native.getLastError(), "%s", address);
    }

    /**
     * Whether someone accepts connections at the unix socket {@code path}: 0 when a connect
     * succeeded (or the backlog is full, EAGAIN: someone listens), else connect(2)'s errno:
     * ECONNREFUSED for a socket file nobody listens on, ENOENT when nothing is there.
     */
    public static int probeUnix(Path path) {
        Fd fd = socket(SockAddr.AF_UNIX);
        try (fd) {
            Memory sa = unixAddress(path);
            // A blocking connect to a unix socket returns at once, or waits while the backlog is full:
            // non-blocking, that wait is EAGAIN instead.
            fd.setNonBlocking(true);
            if (Raw.C.connect(fd.get(), sa, (int) sa.size()) == 0) return 0;
            int errno = Native.getLastError();
            return errno == Errno.EAGAIN ? 0 : errno;
        }
    }

    /**
     * The owner and group of the file at {@code path}, not following a symlink (-1 leaves one
     * as it is).
     */
    public static void chown(Path path, int uid, int gid) {
        if (Raw.C.fchownat(AT_FDCWD, path.toString(), uid, gid, AT_SYMLINK_NOFOLLOW) < 0) {
            throw SyscallException.of("fchownat", Native.getLastError(), "%s, uid=%d, gid=%d", path, uid, gid);
        }
    }

    /** The permission bits of the file at {@code path}, not following a symlink (which is EOPNOTSUPP). */
    public static void chmod(Path path, int mode) {
        if (Raw.C.fchmodat(AT_FDCWD, path.toString(), mode, AT_SYMLINK_NOFOLLOW) < 0) {
            throw SyscallException.of("fchmodat", Native.getLastError(), "%s, %04o", path, mode);
        }
    }

    private static Memory unixAddress(Path path) {
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        if (p.length >= UNIX_PATH_MAX) {
            throw new IllegalArgumentException("unix socket path longer than " + (UNIX_PATH_MAX - 1) + " bytes: " + path);
        }
        Memory sa = new Memory(2 + p.length + 1);
        sa.clear();
        sa.setShort(0, (short) SockAddr.AF_UNIX);
        sa.write(2, p, 0, p.length);
        return sa;
    }

    private static Fd socket(int family) {
        int n = Raw.C.socket(family, Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC, 0);
        if (n < 0) throw SyscallException.of("socket", Native.getLastError(), "family=%d", family);
        return Fd.adopt(n);
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int socket(int domain, int type, int protocol);
        int setsockopt(int fd, int level, int name, Pointer value, int len);
        int bind(int fd, Pointer addr, int len);
        int listen(int fd, int backlog);
        int connect(int fd, Pointer addr, int len);
        int fchownat(int dirfd, String path, int uid, int gid, int flags);
        int fchmodat(int dirfd, String path, int mode, int flags);
    }

    private ListenSocket() {}
}
