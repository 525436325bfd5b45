package io.sandboxrun.core.linux;

/** A failed kernel or C library call: {@code pidfd_getfd(pidfd=7, targetfd=5): EPERM (Operation not permitted)}. */
public final class SyscallException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String call;
    private final int errno;

    private SyscallException(String call, int errno, String args) {
        super(call + "(" + args + "): " + Errno.format(errno));
        this.call = call;
        this.errno = errno;
    }

    public static SyscallException of(String call, int errno, String argsFormat, Object... args) {
        return new SyscallException(call, errno, String.format(argsFormat, args));
    }

    /** The C name of the call that failed. */
    public String call() { return call; }

    /** The errno it failed with. */
    public int errno() { return errno; }
}
