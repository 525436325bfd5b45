package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** eventfd(2): wakes a thread blocked in {@link Poll}. */
public final class Eventfd {
    private static final int EFD_CLOEXEC = 02000000, EFD_NONBLOCK = 04000; // sys/eventfd.h

    public static Fd open() {
        int n = Raw.C.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (n < 0) throw SyscallException.of("eventfd", Native.getLastError(), "EFD_CLOEXEC|EFD_NONBLOCK");
        return Fd.adopt(n);
    }

    /** Adds 1 to the counter, making the descriptor readable. */
    public static void signal(Fd fd) {
        fd.writeFully(new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
    }

    /** Resets the counter (reads it); no-op when it is zero. */
    public static void drain(Fd fd) {
        fd.read(new byte[8]);
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int eventfd(int initval, int flags);
    }

    private Eventfd() {}
}
