package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** landlock_create_ruleset(2) in version-query mode: which Landlock ABI the kernel offers. */
public final class Landlock {
    private static final int LANDLOCK_CREATE_RULESET_VERSION = 1;

    /** The ABI version (1..), or 0 when the kernel has no Landlock or it is disabled. */
    public static int abi() {
        long rc = Raw.C.syscall(Syscalls.LANDLOCK_CREATE_RULESET, Pointer.NULL, 0L, LANDLOCK_CREATE_RULESET_VERSION);
        return rc < 0 ? 0 : (int) rc;
    }

    /** Why {@link #abi()} is 0: the errno text of the query. */
    public static String unavailabilityCause() {
        long rc = Raw.C.syscall(Syscalls.LANDLOCK_CREATE_RULESET, Pointer.NULL, 0L, LANDLOCK_CREATE_RULESET_VERSION);
        if (rc >= 0) return "available";
        int errno = Native.getLastError();
        return errno == Errno.EOPNOTSUPP ? "Landlock is disabled at boot (lsm= does not list landlock)"
                : errno == Errno.ENOSYS ? "the kernel has no Landlock (before 5.13 or not configured)"
                : "landlock_create_ruleset: " + Errno.format(errno);
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        long syscall(long number, Pointer attr, long size, int flags);
    }

    private Landlock() {}
}
