package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** memfd_create(2) with seals: an anonymous, immutable file handed to the helper as its plan. */
public final class Memfd {
    static final int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;              // linux/memfd.h
    private static final int F_ADD_SEALS = 1033;                         // linux/fcntl.h
    private static final int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;

    /** A close-on-exec memfd holding {@code content}, sealed against any change. */
    public static Fd sealed(String name, byte[] content) {
        int n = Raw.C.memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (n < 0) throw SyscallException.of("memfd_create", Native.getLastError(), "name=%s", name);
        Fd fd = Fd.adopt(n);
        try {
            fd.writeFully(content);
            int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
            if (Raw.C.fcntl(n, F_ADD_SEALS, seals) < 0) {
                throw SyscallException.of("fcntl", Native.getLastError(), "fd=%d F_ADD_SEALS", n);
            }
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int memfd_create(String name, int flags);
        int fcntl(int fd, int cmd, int arg);
    }

    private Memfd() {}
}
