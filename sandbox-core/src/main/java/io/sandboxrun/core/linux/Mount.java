package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Path;

/** mount(2) and umount2(2) on the host side (the per-app writable space). */
public final class Mount {
    // linux/mount.h
    public static final long MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8;
    private static final int MNT_DETACH = 2;

    /** Mounts a fresh tmpfs at {@code target} with the given data options ({@code size=…,mode=…}). */
    public static void mountTmpfs(Path target, String options, long flags) {
        if (Raw.C.mount("tmpfs", target.toString(), "tmpfs", flags, options) != 0) {
            throw SyscallException.of("mount", Native.getLastError(), "tmpfs, %s, %s", target, options);
        }
    }

    /** Unmounts {@code target}; lazily ({@code MNT_DETACH}) when {@code detach}. */
    public static void unmount(Path target, boolean detach) {
        if (Raw.C.umount2(target.toString(), detach ? MNT_DETACH : 0) != 0) {
            throw SyscallException.of("umount2", Native.getLastError(), "%s", target);
        }
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int mount(String source, String target, String fstype, long flags, String data);
        int umount2(String target, int flags);
    }

    private Mount() {}
}
