package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** pidfd_open(2) (Linux 5.3): a descriptor that becomes readable when the process exits; pidfd_send_signal(2). */
public final class Pidfd {
    /** PIDFD_THREAD (= O_EXCL, Linux 6.9): a pidfd for a thread, not only a thread-group leader. */
    private static final long PIDFD_THREAD = 0200;

    public static Fd open(int pid) {
        long rc = Raw.C.syscall(Syscalls.PIDFD_OPEN, pid, 0L);
        if (rc < 0) throw SyscallException.of("pidfd_open", Native.getLastError(), "pid=%d", pid);
        return Fd.adopt((int) rc);
    }

    /**
     * A pidfd for thread {@code tid} (a seccomp notification names the calling thread): with
     * PIDFD_THREAD where the kernel has it, else for its thread group read from /proc.
     */
    public static Fd openThread(int tid) {
        long rc = Raw.C.syscall(Syscalls.PIDFD_OPEN, tid, PIDFD_THREAD);
        if (rc >= 0) return Fd.adopt((int) rc);
        int errno = Native.getLastError();
        if (errno != Errno.EINVAL) throw SyscallException.of("pidfd_open", errno, "tid=%d PIDFD_THREAD", tid);
        return open(threadGroup(tid));
    }

    private static int threadGroup(int tid) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + tid + "/status"))) {
                if (line.startsWith("Tgid:")) return Integer.parseInt(line.substring(5).trim());
            }
        } catch (java.io.IOException | NumberFormatException e) {
            throw SyscallException.of("pidfd_open", Errno.ESRCH, "tid=%d: no thread group (%s)", tid, e.getMessage());
        }
        throw SyscallException.of("pidfd_open", Errno.ESRCH, "tid=%d: no Tgid line", tid);
    }

    /**
     * pidfd_getfd(2) (Linux 5.6): a duplicate, in this process, of descriptor {@code targetFd}
     * of the process {@code pidfd} refers to (close-on-exec). Needs ptrace access to it.
     */
    public static Fd getfd(Fd pidfd, int targetFd) {
        long rc = Raw.C.syscall(Syscalls.PIDFD_GETFD, pidfd.get(), targetFd, 0);
        if (rc < 0) throw SyscallException.of("pidfd_getfd", Native.getLastError(), "pidfd=%d fd=%d", pidfd.get(), targetFd);
        return Fd.adopt((int) rc);
    }

    /**
     * pidfd_send_signal(2) (Linux 5.1): signals exactly the process {@code pidfd} refers to, even
     * if its pid was reused. Returns false when it has already exited (ESRCH).
     */
    public static boolean sendSignal(Fd pidfd, int signal) {
        long rc = Raw.C.syscall(Syscalls.PIDFD_SEND_SIGNAL, pidfd.get(), signal, Pointer.NULL, 0);
        if (rc == 0) return true;
        int errno = Native.getLastError();
        if (errno == Errno.ESRCH) return false;
        throw SyscallException.of("pidfd_send_signal", errno, "pidfd=%d sig=%d", pidfd.get(), signal);
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        long syscall(long number, int pid, long flags);
        long syscall(long number, int pidfd, int sig, Pointer info, int flags);
        long syscall(long number, int pidfd, int targetFd, int flags);
    }

    private Pidfd() {}
}
