package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import java.util.Optional;

/** waitpid(2) for one child; decodes the wait status. */
public final class Wait {
    private static final int WNOHANG = 1;

    /** How a process ended: an exit code, or the signal that killed it. */
    public record Status(int code, int signal, boolean coreDumped) {
        public boolean signalled() { return signal != 0; }

        static Status decode(int raw) {
            int termsig = raw & 0x7f;
            if (termsig == 0) return new Status((raw >> 8) & 0xff, 0, false);
            return new Status(-1, termsig, (raw & 0x80) != 0);
        }
    }

    /** Reaps {@code pid} if it has ended; empty when it is still running. */
    public static Optional<Status> poll(int pid) {
        IntByReference status = new IntByReference();
        int rc;
        do {
            rc = Raw.C.waitpid(pid, status, WNOHANG);
        } while (rc < 0 && Native.getLastError() == Errno.EINTR);
        if (rc < 0) throw SyscallException.of("waitpid", Native.getLastError(), "pid=%d WNOHANG", pid);
        return rc == 0 ? Optional.empty() : Optional.of(Status.decode(status.getValue()));
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int waitpid(int pid, IntByReference status, int options);
    }

    private Wait() {}
}
