package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** poll(2) over a set of descriptors; {@code struct pollfd} is {int fd; short events; short revents}. */
public final class Poll {
    public static final short POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
    private static final int POLLFD_SIZE = 8;

    /**
     * Waits until one of {@code fds} is readable (or hung up) or {@code timeoutMillis} passes
     * (-1: forever); returns the revents of each descriptor, in order.
     */
    public static short[] waitReadable(int[] fds, int timeoutMillis) {
        Memory mem = new Memory((long) POLLFD_SIZE * Math.max(fds.length, 1));
        for (int i = 0; i < fds.length; i++) {
            mem.setInt((long) i * POLLFD_SIZE, fds[i]);
            mem.setShort((long) i * POLLFD_SIZE + 4, POLLIN);
            mem.setShort((long) i * POLLFD_SIZE + 6, (short) 0);
        }
        int rc;
        do {
            rc = Raw.C.poll(mem, fds.length, timeoutMillis);
        } while (rc < 0 && Native.getLastError() == Errno.EINTR);
        if (rc < 0) throw SyscallException.of("poll", Native.getLastError(), "nfds=%d", fds.length);
        short[] revents = new short[fds.length];
        for (int i = 0; i < fds.length; i++) revents[i] = mem.getShort((long) i * POLLFD_SIZE + 6);
        return revents;
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int poll(Pointer fds, long nfds, int timeout);
    }

    private Poll() {}
}
