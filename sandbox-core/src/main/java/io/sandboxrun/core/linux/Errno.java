package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Map;

/** errno values by number: their symbolic names (asm-generic/errno-base.h, errno.h) and texts. */
public final class Errno {
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, EBADF = 9,
            ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17,
            ENOTDIR = 20, EISDIR = 21, EINVAL = 22, EMFILE = 24, ENOSPC = 28, EROFS = 30, EPIPE = 32,
            ENOSYS = 38, ENOTEMPTY = 39, ENODATA = 61, EOPNOTSUPP = 95, ENETUNREACH = 101, ECONNREFUSED = 111,
            ECONNRESET = 104, ETIMEDOUT = 110;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"), Map.entry(ESRCH, "ESRCH"),
            Map.entry(EINTR, "EINTR"), Map.entry(EIO, "EIO"), Map.entry(7, "E2BIG"), Map.entry(8, "ENOEXEC"),
            Map.entry(EBADF, "EBADF"), Map.entry(ECHILD, "ECHILD"), Map.entry(EAGAIN, "EAGAIN"),
            Map.entry(ENOMEM, "ENOMEM"), Map.entry(EACCES, "EACCES"), Map.entry(EFAULT, "EFAULT"),
            Map.entry(EBUSY, "EBUSY"), Map.entry(EEXIST, "EEXIST"), Map.entry(18, "EXDEV"),
            Map.entry(ENOTDIR, "ENOTDIR"), Map.entry(EISDIR, "EISDIR"), Map.entry(EINVAL, "EINVAL"),
            Map.entry(23, "ENFILE"), Map.entry(EMFILE, "EMFILE"), Map.entry(26, "ETXTBSY"),
            Map.entry(27, "EFBIG"), Map.entry(ENOSPC, "ENOSPC"), Map.entry(EROFS, "EROFS"),
            Map.entry(EPIPE, "EPIPE"), Map.entry(36, "ENAMETOOLONG"), Map.entry(ENOSYS, "ENOSYS"),
            Map.entry(ENOTEMPTY, "ENOTEMPTY"), Map.entry(40, "ELOOP"), Map.entry(ENODATA, "ENODATA"), Map.entry(75, "EOVERFLOW"), Map.entry(EOPNOTSUPP, "EOPNOTSUPP"),
            Map.entry(97, "EAFNOSUPPORT"), Map.entry(98, "EADDRINUSE"), Map.entry(99, "EADDRNOTAVAIL"),
            Map.entry(ENETUNREACH, "ENETUNREACH"), Map.entry(ECONNRESET, "ECONNRESET"), Map.entry(106, "EISCONN"),
            Map.entry(ETIMEDOUT, "ETIMEDOUT"), Map.entry(ECONNREFUSED, "ECONNREFUSED"), Map.entry(113, "EHOSTUNREACH"),
            Map.entry(114, "EALREADY"), Map.entry(115, "EINPROGRESS"));

    /** Symbolic name, e.g. {@code ENOENT}; {@code errno 123} for numbers not in the table. */
    public static String name(int errno) {
        String n = NAMES.get(errno);
        return n != null ? n : "errno " + errno;
    }

    /** The C library's text for errno, e.g. {@code No such file or directory}. */
    public static String describe(int errno) {
        return Raw.C.strerror(errno);
    }

    /** {@code ENOENT (No such file or directory)}. */
    public static String format(int errno) {
        return name(errno) + " (" + describe(errno) + ")";
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        String strerror(int errnum);
    }

    private Errno() {}
}
