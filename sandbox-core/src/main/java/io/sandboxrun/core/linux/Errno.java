package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * errno values (asm-generic/errno-base.h, asm-generic/errno.h; x86_64 and aarch64 share them),
 * their symbolic names and texts. Every errno the Java side names is a constant here, and
 * {@link #name} knows exactly these.
 */
public final class Errno {
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, E2BIG = 7, ENOEXEC = 8,
            EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17,
            EXDEV = 18, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25,
            ETXTBSY = 26, EFBIG = 27, ENOSPC = 28, EROFS = 30, EPIPE = 32, ENAMETOOLONG = 36, ENOSYS = 38,
            ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61, EOVERFLOW = 75, EOPNOTSUPP = 95, EAFNOSUPPORT = 97,
            EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENETUNREACH = 101, ECONNRESET = 104, EISCONN = 106,
            ETIMEDOUT = 110, ECONNREFUSED = 111, EHOSTUNREACH = 113, EALREADY = 114, EINPROGRESS = 115;

    private static final Map<Integer, String> NAMES = constants().entrySet().stream()
            .collect(Collectors.toUnmodifiableMap(Map.Entry::getValue, Map.Entry::getKey));

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

    /** The constants above, name to number (for {@link #name} and the header check). */
    static Map<String, Integer> constants() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Field f : Errno.class.getFields()) {
            if (f.getType() != int.class || !Modifier.isStatic(f.getModifiers())) continue;
            try {
                m.put(f.getName(), f.getInt(null));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("a public constant of Errno is not readable: " + f.getName(), e);
            }
        }
        return m;
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        String strerror(int errnum);
    }

    private Errno() {}
}
