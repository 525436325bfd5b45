package io.sandboxrun.core.notify;

/**
 * How a {@link NotificationHandler} answers a notified syscall: let it run, fail it with an
 * errno, or complete it with a return value without running it.
 */
public sealed interface Response permits Response.Continue, Response.Error, Response.Value {
    /** Largest errno value (MAX_ERRNO, include/linux/err.h). */
    int MAX_ERRNO = 4095;

    /**
     * Lets the kernel run the syscall as if it had not been notified (SECCOMP_USER_NOTIF_FLAG_CONTINUE,
     * Linux 5.5). The kernel then reads the target's memory again, after the decision: only
     * continue when the decision did not depend on memory the target can change (its pointer
     * arguments). A handler that decided on a copy of the target's memory must act on that copy
     * itself and return {@link #value} or {@link #error} (see seccomp_unotify(2), "Design goals;
     * use of SECCOMP_USER_NOTIF_FLAG_CONTINUE").
     */
    static Response continueSyscall() { return Continue.INSTANCE; }

    /** Fails the syscall: the target sees -1 and {@code errno} (1 to 4095). */
    static Response error(int errno) { return new Error(errno); }

    /** Completes the syscall with return value {@code v} without running it. */
    static Response value(long v) { return new Value(v); }

    /** See {@link #continueSyscall()}. */
    record Continue() implements Response {
        static final Continue INSTANCE = new Continue();
    }

    /** See {@link #error(int)}. */
    record Error(int errno) implements Response {
        public Error {
            if (errno < 1 || errno > MAX_ERRNO) throw new IllegalArgumentException("errno " + errno + " is not in 1.." + MAX_ERRNO);
        }
    }

    /**
     * See {@link #value(long)}. A value in -4095..-1 reads as a failure to the C library (it
     * sets errno to its negation); use {@link #error} to fail a call.
     */
    record Value(long value) implements Response {}
}
