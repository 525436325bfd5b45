package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** An owned file descriptor: closed once, by its owner, unless released to a new owner. */
public final class Fd implements AutoCloseable {
    private int fd;

    private Fd(int fd) {
        if (fd < 0) throw new IllegalArgumentException("fd " + fd);
        this.fd = fd;
    }

    /** Takes ownership of a descriptor a call just returned. */
    public static Fd adopt(int fd) { return new Fd(fd); }

    public synchronized int get() {
        if (fd < 0) throw new IllegalStateException("fd already closed");
        return fd;
    }

    public synchronized boolean isOpen() { return fd >= 0; }

    /** Gives up ownership: the caller now closes the returned number. */
    public synchronized int release() {
        int n = get();
        fd = -1;
        return n;
    }

    /**
     * read(2) into {@code buf}; returns the count, 0 at end of file, or -1 when a non-blocking
     * descriptor has nothing now (EAGAIN).
     */
    public int read(byte[] buf) {
        int rc;
        do {
            rc = (int) Raw.C.read(get(), buf, buf.length);
        } while (rc < 0 && Native.getLastError() == Errno.EINTR);
        if (rc < 0) {
            int errno = Native.getLastError();
            if (errno == Errno.EAGAIN) return -1;
            throw SyscallException.of("read", errno, "fd=%d", fd);
        }
        return rc;
    }

    /** write(2) all of {@code buf}. */
    public void writeFully(byte[] buf) {
        int off = 0;
        while (off < buf.length) {
            byte[] rest = off == 0 ? buf : java.util.Arrays.copyOfRange(buf, off, buf.length);
            int rc = (int) Raw.C.write(get(), rest, rest.length);
            if (rc < 0) {
                int errno = Native.getLastError();
                if (errno == Errno.EINTR) continue;
                throw SyscallException.of("write", errno, "fd=%d count=%d", fd, rest.length);
            }
            off += rc;
        }
    }

    /** Sets or clears O_NONBLOCK (fcntl(2) F_SETFL). */
    public void setNonBlocking(boolean on) {
        int flags = Raw.C.fcntl(get(), F_GETFL, 0);
        if (flags < 0) throw SyscallException.of("fcntl", Native.getLastError(), "fd=%d F_GETFL", fd);
        int next = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        if (Raw.C.fcntl(fd, F_SETFL, next) < 0) {
            throw SyscallException.of("fcntl", Native.getLastError(), "fd=%d F_SETFL", fd);
        }
    }

    @Override
    public synchronized void close() {
        if (fd < 0) return;
        int n = fd;
        fd = -1;
        // close(2): never retry on EINTR, the descriptor is gone either way on Linux.
        Raw.C.close(n);
    }

    /** open(2) with O_CLOEXEC added; {@code mode} applies when the file is created. */
    public static Fd open(java.nio.file.Path path, int flags, int mode) {
        int n = Raw.C.open(path.toString(), flags | O_CLOEXEC, mode);
        if (n < 0) throw SyscallException.of("open", Native.getLastError(), "%s", path);
        return adopt(n);
    }

    @Override
    public String toString() { return "fd " + fd; }

    // fcntl.h (x86_64 and aarch64 share these values)
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_TRUNC = 01000, O_APPEND = 02000;
    static final int F_GETFL = 3, F_SETFL = 4, O_NONBLOCK = 04000, O_CLOEXEC = 02000000;

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        long read(int fd, byte[] buf, long count);
        long write(int fd, byte[] buf, long count);
        int close(int fd);
        int fcntl(int fd, int cmd, int arg);
        int open(String path, int flags, int mode);
    }
}
