package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** pidfd_open(2) (Linux 5.3): a descriptor that becomes readable when the process exits; pidfd_send_signal(2). */
public final class Pidfd {
    // Same numbers on x86_64 and aarch64 (the unified syscall table since Linux 5.1).
    private static final long SYS_PIDFD_OPEN = 434, SYS_PIDFD_SEND_SIGNAL = 424;

    public static Fd open(int pid) {
        long rc = Raw.C.syscall(SYS_PIDFD_OPEN, pid, 0L);
        if (rc < 0) throw SyscallException.of("pidfd_open", Native.getLastError(), "pid=%d", pid);
        return Fd.adopt((int) rc);
    }

    /**
     * pidfd_send_signal(2) (Linux 5.1): signals exactly the process {@code pidfd} refers to, even
     * if its pid was reused. Returns false when it has already exited (ESRCH).
     */
    public static boolean sendSignal(Fd pidfd, int signal) {
        long rc = Raw.C.syscall(SYS_PIDFD_SEND_SIGNAL, pidfd.get(), signal, Pointer.NULL, 0);
        if (rc == 0) return true;
        int errno = Native.getLastError();
        if (errno == Errno.ESRCH) return false;
        throw SyscallException.of("pidfd_send_signal", errno, "pidfd=%d sig=%d", pidfd.get(), signal);
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        long syscall(long number, int pid, long flags);
        long syscall(long number, int pidfd, int sig, Pointer info, int flags);
    }

    private Pidfd() {}
}
