package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** pipe2(2): a close-on-exec pipe, both ends owned. */
public record Pipe(Fd readEnd, Fd writeEnd) implements AutoCloseable {
    public static Pipe open() {
        int[] fds = new int[2];
        if (Raw.C.pipe2(fds, Fd.O_CLOEXEC) < 0) {
            throw SyscallException.of("pipe2", Native.getLastError(), "O_CLOEXEC");
        }
        return new Pipe(Fd.adopt(fds[0]), Fd.adopt(fds[1]));
    }

    @Override
    public void close() {
        readEnd.close();
        writeEnd.close();
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int pipe2(int[] fds, int flags);
    }
}
