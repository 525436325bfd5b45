package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Extended attributes by path, any namespace: java.nio only reaches {@code user.*}, and the
 * cgroup manager marks what it owns with {@code trusted.*}, which only CAP_SYS_ADMIN may set, so
 * nothing inside a sandbox can forge the mark.
 */
public final class Xattr {
    private static final int MAX_VALUE = 4096;

    /** setxattr(2) with flags 0: creates or replaces. */
    public static void set(String path, String name, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        if (Raw.C.setxattr(path, name, v, v.length, 0) < 0) {
            throw SyscallException.of("setxattr", Native.getLastError(), "%s, %s", path, name);
        }
    }

    /** getxattr(2): empty when the attribute is absent (ENODATA) or the path is gone (ENOENT). */
    public static Optional<String> get(String path, String name) {
        byte[] buf = new byte[MAX_VALUE];
        long n = Raw.C.getxattr(path, name, buf, buf.length);
        if (n < 0) {
            int errno = Native.getLastError();
            if (errno == Errno.ENODATA || errno == Errno.ENOENT) return Optional.empty();
            throw SyscallException.of("getxattr", errno, "%s, %s", path, name);
        }
        return Optional.of(new String(buf, 0, (int) n, StandardCharsets.UTF_8));
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int setxattr(String path, String name, byte[] value, long size, int flags);
        long getxattr(String path, String name, byte[] value, long size);
    }

    private Xattr() {}
}
